from odoo.tests import tagged

from odoo.addons.mph_school.tests.common import run_cron

from .common import NewsletterCommon
from .mailchimp_stub import member_id


@tagged("post_install", "-at_install")
class TestMailchimpSync(NewsletterCommon):
    def test_push_in_batches_of_500(self):
        stub = self.start_stub()
        contacts = self.env["mailing.contact"].create([{"email": f"lid{i}@example.nl"} for i in range(1201)])
        self.env["mailing.subscription"].create(
            [{"contact_id": c.id, "list_id": self.newsletter.id, "mph_state": "soft_opt_in"} for c in contacts]
        )
        self.subscribe("wacht@example.nl", state="pending")
        self.subscribe("ander@example.nl", mailing_list=self.other_list)
        self.assertTrue(self.Sync._cron_sync())
        batches = [body for method, path, body in stub.requests if path == "/3.0/lists/aud123"]
        self.assertEqual([len(b["members"]) for b in batches], [500, 500, 201])
        self.assertEqual(len(stub.members), 1201)
        self.assertNotIn("wacht@example.nl", stub.members, "an unconfirmed address is never pushed")
        self.assertNotIn("ander@example.nl", stub.members, "other lists are not the newsletter")
        self.assertFalse(
            self.env["mailing.subscription"].search_count(
                [("mailchimp_dirty", "=", True), ("mph_state", "=", "soft_opt_in")]
            )
        )
        log = self.env["mph.mailchimp.log"].search([("operation", "=", "push")], limit=1)
        self.assertEqual((log.state, log.requests, log.count_ok), ("ok", 3, 1201))
        stub.requests.clear()
        self.Sync._cron_sync()
        self.assertFalse(stub.requests, "nothing changed: nothing sent")

    def test_cron_runner_pushes_one_batch_per_call(self):
        """The real sync cron through the cron runner: a batch of 500 per
        call, committed by the runner, one log for the run."""
        stub = self.start_stub()
        contacts = self.env["mailing.contact"].create([{"email": f"cron{i}@example.nl"} for i in range(1201)])
        self.env["mailing.subscription"].create(
            [{"contact_id": c.id, "list_id": self.newsletter.id, "mph_state": "soft_opt_in"} for c in contacts]
        )
        cron = self.env.ref("mph_newsletter.ir_cron_mailchimp_sync")
        Progress = self.env["ir.cron.progress"]
        before = Progress.search([("cron_id", "=", cron.id)]).ids
        run_cron(self, cron)
        progress = Progress.search([("cron_id", "=", cron.id), ("id", "not in", before)], order="id")
        self.assertEqual(progress.mapped("done"), [500, 500, 201])
        self.assertEqual(progress.mapped("remaining"), [701, 201, 0])
        batches = [body for method, path, body in stub.requests if path == "/3.0/lists/aud123"]
        self.assertEqual([len(b["members"]) for b in batches], [500, 500, 201])
        self.assertEqual(len(stub.members), 1201)
        logs = self.env["mph.mailchimp.log"].search([("operation", "=", "push")])
        self.assertEqual([(log.state, log.requests, log.count_ok) for log in logs], [("ok", 3, 1201)])

    def test_never_resubscribes(self):
        stub = self.start_stub()
        stub.members.update({"weg@example.nl": "unsubscribed", "bounce@example.nl": "cleaned"})
        self.subscribe("weg@example.nl")
        self.subscribe("bounce@example.nl")
        self.Sync._cron_sync()
        members = [m for _method, _path, body in stub.requests for m in body["members"]]
        self.assertTrue(all("status" not in m and m["status_if_new"] == "subscribed" for m in members))
        self.assertEqual(stub.members["weg@example.nl"], "unsubscribed")
        self.assertEqual(stub.members["bounce@example.nl"], "cleaned")

    def test_local_unsubscribe_is_pushed(self):
        stub = self.start_stub()
        subscription = self.subscribe("lid@example.nl")
        self.Sync._cron_sync()
        self.assertEqual(stub.members["lid@example.nl"], "subscribed")
        subscription.opt_out = True
        self.assertTrue(subscription.mailchimp_dirty)
        self.Sync._cron_sync()
        self.assertEqual(stub.members["lid@example.nl"], "unsubscribed")

    def test_retries_429_and_5xx_with_backoff(self):
        stub = self.start_stub()
        stub.failures = [429, 500, 503]
        self.subscribe("geduld@example.nl")
        self.Sync._cron_sync()
        self.assertEqual(len(stub.requests), 4)
        self.assertEqual(stub.members["geduld@example.nl"], "subscribed")

    def test_outage_loses_nothing_and_next_run_catches_up(self):
        stub = self.start_stub()
        stub.failures = [500] * 4  # every attempt of this run fails
        subscription = self.subscribe("later@example.nl")
        self.Sync._cron_sync()
        self.assertTrue(subscription.mailchimp_dirty, "still to do")
        log = self.env["mph.mailchimp.log"].search([("operation", "=", "push")], limit=1)
        self.assertEqual((log.state, log.count_error), ("error", 1))
        # Mailchimp unreachable altogether: a closed port.
        stub.stop()
        self.Sync._erase_email("weg@example.nl")
        suppression = self.env["mph.newsletter.suppression"]._find("weg@example.nl")
        self.assertFalse(suppression.mailchimp_deleted)
        # Back up: the next run delivers both.
        fresh = self.start_stub()
        fresh.members["weg@example.nl"] = "subscribed"
        self.Sync._cron_sync()
        self.assertEqual(fresh.members, {"later@example.nl": "subscribed"})
        self.assertFalse(subscription.mailchimp_dirty)
        self.assertTrue(suppression.mailchimp_deleted)

    def test_erasure_deletes_permanently_and_keeps_only_a_hash(self):
        stub = self.start_stub()
        subscription = self.subscribe("Privacy@Example.nl")
        self.Sync._cron_sync()
        self.assertIn("privacy@example.nl", stub.members)
        self.Sync._erase_email("privacy@example.nl")
        paths = [path for _method, path, _body in stub.requests]
        self.assertIn(f"/3.0/lists/aud123/members/{member_id('privacy@example.nl')}/actions/delete-permanent", paths)
        self.assertNotIn("privacy@example.nl", stub.members)
        self.assertFalse(subscription.exists())
        self.assertFalse(self.env["mailing.contact"].search([("email_normalized", "=", "privacy@example.nl")]))
        suppression = self.env["mph.newsletter.suppression"].search([])
        stored = " ".join(str(v) for v in suppression.read()[0].values())
        self.assertNotIn("privacy", stored.lower(), "no address is kept")
        # Never added again: not by a sync, a Mailchimp event or the coordinator's action.
        self.env["mailing.subscription"]._mph_mailchimp_event("subscribe", "privacy@example.nl")
        self.assertFalse(self.env["mailing.contact"].search([("email_normalized", "=", "privacy@example.nl")]))

    def test_objection_unsubscribes_everywhere(self):
        stub = self.start_stub()
        self.subscribe("nee@example.nl")
        self.Sync._cron_sync()
        self.Sync._object_email("nee@example.nl")
        self.Sync._cron_sync()
        self.assertEqual(stub.members["nee@example.nl"], "unsubscribed")
        self.assertTrue(self.env["mph.newsletter.suppression"]._is_suppressed("nee@example.nl"))

    def test_not_configured_does_nothing(self):
        self.subscribe("lid@example.nl")
        self.assertFalse(self.Sync._cron_sync())
        self.assertFalse(self.env["mph.mailchimp.log"].search([]))
