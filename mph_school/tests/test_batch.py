from freezegun import freeze_time

from odoo.tests import tagged

from .common import run_cron
from .test_retention import RetentionCommon


@tagged("post_install", "-at_install", "mph_retention")
class TestBatchHelper(RetentionCommon):
    """mph.batch both ways: in one call (a button, a test, "Run Manually")
    and through the cron runner, one batch per call."""

    def test_failing_record_is_untouched_and_the_others_processed(self):
        partners = self.env["res.partner"].create([{"name": f"Batch {i}", "ref": "old"} for i in range(5)])
        victim = partners[2]
        batch_errors, item_errors = [], []

        def process(batch):
            for partner in batch:
                partner.ref = "new"  # written before the failure: must be rolled back
                if partner == victim:
                    raise ValueError("disk full")
            return len(batch)

        cron = self.env.ref("mph_school.ir_cron_mph_retention")
        progress = self.env["ir.cron.progress"].create({"cron_id": cron.id, "remaining": 0, "done": 0})
        # The cron runner's progress without the runner itself: still everything in one call.
        job = self.env["mph.batch"].with_context(ir_cron_progress_id=progress.id)._mph_batch_run(per_call=True)
        batches = list(
            job.batches(
                list(partners),
                process,
                size=2,
                key=lambda p: (p.id,),
                on_batch_error=lambda batch, error: batch_errors.append(batch),
                on_item_error=lambda item, error: item_errors.append((item, str(error))),
            )
        )
        self.assertEqual([len(b.items) for b in batches], [2, 2, 1])
        self.assertEqual([b.retried for b in batches], [False, True, False])
        self.assertEqual([[item for item, _error in b.failed] for b in batches], [[], [victim], []])
        self.assertEqual([b.results for b in batches], [[2], [1], [1]], "the victim's batch mate alone")
        self.assertEqual(batch_errors, [[partners[2], partners[3]]])
        self.assertEqual(item_errors, [(victim, "disk full")])
        partners.invalidate_recordset()
        self.assertEqual(victim.ref, "old", "untouched")
        self.assertEqual((partners - victim).mapped("ref"), ["new"] * 4)
        self.assertEqual((job.done, job.remaining), (5, 0))
        self.assertEqual((progress.done, progress.remaining), (5, 0))

    def test_an_error_outside_errors_stops_the_run(self):
        partners = self.env["res.partner"].create([{"name": f"Stop {i}"} for i in range(3)])

        def process(batch):
            raise KeyError("unexpected")

        job = self.env["mph.batch"]._mph_batch_run()
        with self.assertRaises(KeyError):
            list(job.batches(list(partners), process, size=2, key=lambda p: (p.id,), errors=(ValueError,)))

    def test_groups_are_not_mixed_in_a_batch(self):
        job = self.env["mph.batch"]._mph_batch_run()
        items = [("a", 1), ("a", 2), ("a", 3), ("b", 4), ("b", 5)]
        batches = list(job.batches(items, lambda batch: None, size=2, key=lambda i: (i[1],), group=lambda i: i[0]))
        self.assertEqual([b.items for b in batches], [[("a", 1), ("a", 2)], [("a", 3)], [("b", 4), ("b", 5)]])

    def test_cron_runner_processes_every_batch_one_per_call(self):
        """The real retention cron through the cron runner: five pupils in
        batches of two are three calls, each reporting its progress; the
        pupil that fails is untouched, not retried within the run, and done
        by the next run."""
        names = [f"Cronrun{i} Test" for i in range(5)]
        pupils = [self.stopped_pupil(name, "2020-06-30") for name in names]
        victim = pupils[2]
        self.env["ir.config_parameter"].set_param("mph_school.retention_batch_size", "2")
        cron = self.env.ref("mph_school.ir_cron_mph_retention")
        Progress = self.env["ir.cron.progress"]
        before = Progress.search([("cron_id", "=", cron.id)]).ids

        with freeze_time("2028-02-01"):
            with (
                self.fail_anonymising(victim),
                self.assertLogs("odoo.addons.mph_school.models.mph_retention", "ERROR"),
            ):
                run_cron(self, cron)
            progress = Progress.search([("cron_id", "=", cron.id), ("id", "not in", before)], order="id")
            self.assertEqual(progress.mapped("done"), [2, 2, 1])
            self.assertEqual(progress.mapped("remaining"), [3, 1, 0])
            self.assertEqual(progress[0].mph_batch_state["batch"], 1, "what the next call goes on from")
            self.assertFalse(progress[-1].mph_batch_state, "nothing left over once the run is done")
            for pupil in pupils:
                if pupil == victim:
                    self.assert_untouched(pupil, names[2])
                else:
                    self.assert_anonymised(pupil)
            logs = self.Log.search([("rule", "=", "destroy")], order="batch")
            self.assertEqual(logs.mapped("batch"), [1, 2, 3])
            self.assertEqual(logs.mapped("count"), [2, 1, 1])
            self.assertEqual(logs.mapped("failed_count"), [0, 1, 0])
            self.assertEqual(len(set(logs.mapped("run_reference"))), 1, "one run over three calls")
            self.assertEqual(set(logs.mapped("trigger")), {"cron"})

            before = Progress.search([("cron_id", "=", cron.id)]).ids
            run_cron(self, cron)
            progress = Progress.search([("cron_id", "=", cron.id), ("id", "not in", before)])
            self.assertEqual((progress.done, progress.remaining), (1, 0), "the next run takes the failed pupil")
        self.assert_anonymised(victim)

    def test_run_manually_does_everything_in_one_call(self):
        """The cron's "Run Manually" button: everything at once."""
        pupils = [self.stopped_pupil(f"Handmatig{i} Test", "2024-06-30") for i in range(3)]
        self.env["ir.config_parameter"].set_param("mph_school.retention_batch_size", "2")
        cron = self.env.ref("mph_school.ir_cron_mph_retention")
        with freeze_time("2026-07-01"):
            cron.method_direct_trigger()
        for pupil in pupils:
            pupil.invalidate_recordset()
            self.assertEqual(pupil.state, "archived")
        self.assertEqual(self.Log.search([("rule", "=", "archive")]).mapped("count"), [1, 2])
