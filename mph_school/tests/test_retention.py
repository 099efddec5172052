from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import MphCommon


class RetentionCommon(MphCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Retention = cls.env["mph.retention"]
        cls.Log = cls.env["mph.retention.log"]

    def fail_anonymising(self, victim):
        """A patch under which anonymising ``victim`` fails (a disk full),
        and every other pupil goes through."""
        Erasure = type(self.env["mph.erasure"])
        original = Erasure._anonymise_partner

        def failing(erasure, partner, label):
            if partner == victim.partner_id:
                raise RuntimeError("disk full")
            return original(erasure, partner, label)

        return patch.object(Erasure, "_anonymise_partner", failing)

    def stopped_pupil(self, name, ended, **vals):
        """A pupil whose only enrolment stopped on ``ended``, with traces in
        the chatter: a message, an attachment, an activity, a follower."""
        student = self.create_student(name, "2005-03-04", email=f"{name.split()[0].lower()}@example.nl", **vals)
        self.enroll(student, self.piano, self.teacher, "stopped", date_start="2019-09-01", date_end=ended)
        student.message_post(body="Belde over de rekening", message_type="comment")
        self.env["ir.attachment"].create(
            {"name": "inschrijfformulier.txt", "raw": b"handtekening", "res_model": "mph.student", "res_id": student.id}
        )
        student.activity_schedule("mail.mail_activity_data_todo", summary="Terugbellen")
        student.message_subscribe(partner_ids=self.guardian.ids)
        student.partner_id.message_post(body="Adres gewijzigd", message_type="comment")
        return student

    def traces(self, student):
        env = self.env
        partner = student.partner_id
        return {
            "messages": env["mail.message"].search_count(
                [
                    "|",
                    "&",
                    ("model", "=", "mph.student"),
                    ("res_id", "=", student.id),
                    "&",
                    ("model", "=", "res.partner"),
                    ("res_id", "=", partner.id),
                ]
            ),
            "attachments": env["ir.attachment"].search_count(
                [("res_model", "=", "mph.student"), ("res_id", "=", student.id)]
            ),
            "activities": env["mail.activity"].search_count(
                [("res_model", "=", "mph.student"), ("res_id", "=", student.id)]
            ),
            "followers": env["mail.followers"].search_count(
                [("res_model", "=", "mph.student"), ("res_id", "=", student.id)]
            ),
        }

    def assert_anonymised(self, student, birth_year=2005, zip_area="3511"):
        student.invalidate_recordset()
        partner = student.partner_id
        self.assertEqual(student.state, "anonymised")
        self.assertFalse(student.active)
        self.assertNotIn("@", partner.name)
        self.assertTrue(partner.name.startswith("Anonymised pupil"), partner.name)
        for field in ("email", "phone", "mobile", "street", "street2", "zip", "city", "comment"):
            self.assertFalse(partner[field], f"partner {field} is cleared")
        for field in ("birthdate", "phone", "mobile", "guardian_id", "guardian_phone", "note"):
            self.assertFalse(student[field], f"pupil {field} is cleared")
        for field in ("privacy_accepted_date", "guardian_consent_date", "newsletter_consent"):
            self.assertFalse(student[field], f"consent {field} is cleared")
        self.assertEqual(student.birth_year, birth_year, "statistics keep the birth year")
        self.assertEqual(student.zip_area, zip_area, "statistics keep the postcode area")
        self.assertEqual(self.traces(student), dict.fromkeys(("messages", "attachments", "activities", "followers"), 0))
        self.assertFalse(self.env["mail.followers"].search_count([("partner_id", "=", partner.id)]))
        enrollment = student.enrollment_ids
        self.assertTrue(enrollment, "enrolments stay for statistics")
        self.assertEqual(enrollment.lesson_type_id, self.piano)
        self.assertTrue(enrollment.date_end)

    def assert_untouched(self, student, name, activities=1):
        student.invalidate_recordset()
        self.assertEqual(student.name, name)
        self.assertEqual(student.birthdate, date(2005, 3, 4))
        self.assertTrue(student.email)
        self.assertEqual(student.zip, "3511 AB")
        self.assertNotEqual(student.state, "anonymised")
        traces = self.traces(student)
        self.assertEqual(traces["attachments"], 1)
        self.assertEqual(traces["activities"], activities)
        self.assertGreaterEqual(traces["messages"], 2)


@tagged("post_install", "-at_install", "mph_retention")
class TestRetentionSettings(RetentionCommon):
    def test_defaults(self):
        self.assertEqual(
            self.Retention._get_settings(), {"archive_months": 24, "retention_years": 7, "batch_size": 200}
        )

    def test_settings_are_stored_as_parameters(self):
        settings = self.env["res.config.settings"].create(
            {"mph_archive_months": 12, "mph_retention_years": 10, "mph_retention_batch_size": 50}
        )
        settings.execute()
        self.assertEqual(
            self.Retention._get_settings(), {"archive_months": 12, "retention_years": 10, "batch_size": 50}
        )
        self.assertEqual(self.env["ir.config_parameter"].get_param("mph_school.retention_years"), "10")

    def test_invalid_settings_are_refused(self):
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create({"mph_archive_months": 0})
        self.env["ir.config_parameter"].set_param("mph_school.retention_years", "zeven")
        self.assertEqual(self.Retention._get_settings()["retention_years"], 7, "garbage falls back to the default")

    def test_cron_is_daily_and_not_updated(self):
        cron = self.env.ref("mph_school.ir_cron_mph_retention")
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "days"))
        self.assertTrue(cron.active)
        self.assertEqual(cron.code.strip(), "model._cron_run()")
        data = self.env["ir.model.data"].search([("module", "=", "mph_school"), ("name", "=", "ir_cron_mph_retention")])
        self.assertTrue(data.noupdate)


@tagged("post_install", "-at_install", "mph_retention")
class TestRetentionLifecycle(RetentionCommon):
    def test_active_stopped_archived_destroyed(self):
        """Time travel through every transition with the default periods."""
        guardian = self.env["res.partner"].create({"name": "Karin Visser", "email": "karin@example.nl"})
        student = self.create_student("Noor Visser", "2005-03-04", email="noor@example.nl", guardian_id=guardian.id)
        student.note = "Wil later naar het conservatorium."
        with freeze_time("2024-09-01"):
            enrollment = self.enroll(student, self.piano, self.teacher, "active")
        self.assertEqual(student.state, "active")
        with freeze_time("2025-06-30"):
            enrollment.action_stop()
            self.assertEqual(
                self.Retention._run(), {"archived": 0, "destroyed": 0, "failed": 0, "held": 0, "fiscal_erased": 0}
            )
        self.assertEqual((student.state, student.date_lessons_ended), ("stopped", date(2025, 6, 30)))
        student.message_post(body="Stopt wegens verhuizing", message_type="comment")

        with freeze_time("2027-06-29"):
            self.Retention._run()
        self.assertEqual(student.state, "stopped", "one day before the 24 months nothing happens")
        self.assertTrue(student.active)
        with freeze_time("2027-06-30"):
            result = self.Retention._run()
        self.assertEqual(result["archived"], 1)
        self.assertEqual(student.state, "archived")
        self.assertFalse(student.active)
        self.assertFalse(student.partner_id.active, "the contact leaves Contacts too")
        self.assertEqual(student.name, "Noor Visser", "the archive keeps the data")
        self.assertIn(
            student, self.env["mph.student"].with_context(active_test=False).search([("state", "=", "archived")])
        )

        # Last enrolment ended in 2025: kept until the end of 2032.
        with freeze_time("2032-12-31"):
            result = self.Retention._run()
        self.assertEqual(result["destroyed"], 0)
        self.assertEqual(student.state, "archived")
        with freeze_time("2033-01-01"):
            result = self.Retention._run()
        self.assertEqual(result, {"archived": 0, "destroyed": 1, "failed": 0, "held": 0, "fiscal_erased": 0})
        self.assert_anonymised(student)
        self.assertEqual(student.enrollment_ids.date_end, date(2025, 6, 30), "dates are kept")
        # The guardian had no other pupil: anonymised as well.
        self.assertTrue(guardian.name.startswith("Anonymised guardian"), guardian.name)
        self.assertFalse(guardian.email)
        self.assertFalse(guardian.active)
        logs = self.Log.search([("rule", "in", ("archive", "destroy"))])
        self.assertEqual(sorted(logs.mapped("rule")), ["archive", "destroy"])
        self.assertEqual(logs.mapped("count"), [1, 1])

        with freeze_time("2033-01-02"):
            self.assertEqual(
                self.Retention._run(), {"archived": 0, "destroyed": 0, "failed": 0, "held": 0, "fiscal_erased": 0}
            )

    def test_running_and_waiting_pupils_are_never_touched(self):
        with freeze_time("2040-01-01"):
            result = self.Retention._run()
        self.assertEqual(result, {"archived": 0, "destroyed": 0, "failed": 0, "held": 0, "fiscal_erased": 0})
        self.assertEqual((self.adult.state, self.minor.state), ("active", "active"))
        self.assertFalse(self.Log.search([]), "a run with nothing due writes no log")

    def test_guardian_with_another_pupil_is_kept(self):
        first = self.stopped_pupil("Bram de Vries", "2020-06-30", guardian_id=self.guardian.id)
        self.create_student("Fenna de Vries", "2014-01-01", guardian_id=self.guardian.id)
        with freeze_time("2028-02-01"):
            self.Retention._run()
        self.assert_anonymised(first)
        self.assertEqual(self.guardian.name, "Esther de Vries", "the guardian of a remaining pupil stays")
        self.assertEqual(self.guardian.email, "esther@example.nl")

    def test_siblings_in_one_batch_take_their_guardian_along(self):
        parent = self.env["res.partner"].create({"name": "Ruud Kok", "email": "ruud@example.nl"})
        siblings = [self.stopped_pupil(f"{first} Kok", "2020-06-30", guardian_id=parent.id) for first in ("Tim", "Eva")]
        with freeze_time("2028-02-01"):
            self.assertEqual(self.Retention._run()["destroyed"], 2)
        for sibling in siblings:
            self.assert_anonymised(sibling)
        self.assertTrue(parent.name.startswith("Anonymised guardian"), parent.name)
        self.assertFalse(parent.email)

    def test_legal_hold_skips_lists_and_releases(self):
        held = self.stopped_pupil("Joris Mulder", "2020-06-30", legal_hold=True)
        free = self.stopped_pupil("Iris Mulder", "2020-06-30")
        with freeze_time("2028-02-01"):
            result = self.Retention._run()
            self.assertEqual((result["destroyed"], result["held"]), (1, 1))
            self.assert_anonymised(free)
            # Archiving closes open activities (Odoo does so for every archived record).
            self.assert_untouched(held, "Joris Mulder", activities=0)
            self.assertEqual(held.state, "archived", "a held pupil still goes to the passive archive")
            hold_log = self.Log.search([("rule", "=", "hold")])
            self.assertEqual(hold_log.count, 1)
            action = self.Retention.with_user(self.user_coordinator).action_open_legal_hold()
            listed = self.env["mph.student"].with_context(active_test=False).search(action["domain"])
            self.assertEqual(listed, held, "the coordinator gets the held pupil listed")
            with self.assertRaises(AccessError):
                self.Retention.with_user(self.user_finance).action_open_legal_hold()

            held.legal_hold = False
            result = self.Retention._run()
        self.assertEqual((result["destroyed"], result["held"]), (1, 0))
        self.assert_anonymised(held)


@tagged("post_install", "-at_install", "mph_retention")
class TestRetentionBatches(RetentionCommon):
    def test_failure_mid_batch_skips_only_that_pupil_then_rerun_completes(self):
        """A pupil whose anonymisation raises halfway (after its own record was
        already written) is rolled back completely; the others in its batch
        and the next batches are done; a rerun finishes the job."""
        names = [f"Pupil{i} Test" for i in range(5)]
        pupils = [self.stopped_pupil(name, "2020-06-30") for name in names]
        victim = pupils[2]
        self.env["ir.config_parameter"].set_param("mph_school.retention_batch_size", "2")

        with freeze_time("2028-02-01"):
            with (
                self.fail_anonymising(victim),
                self.assertLogs("odoo.addons.mph_school.models.mph_retention", "ERROR"),
            ):
                result = self.Retention._run()
            self.assertEqual(result, {"archived": 0, "destroyed": 4, "failed": 1, "held": 0, "fiscal_erased": 0})
            for pupil in pupils:
                if pupil == victim:
                    self.assert_untouched(pupil, names[2])
                    self.assertEqual(pupil.state, "stopped", "its write was rolled back too")
                else:
                    self.assert_anonymised(pupil)
            logs = self.Log.search([("rule", "=", "destroy")], order="batch")
            self.assertEqual(logs.mapped("count"), [2, 1, 1])
            self.assertEqual(logs.mapped("failed_count"), [0, 1, 0])

            result = self.Retention._run()
        self.assertEqual(result, {"archived": 0, "destroyed": 1, "failed": 0, "held": 0, "fiscal_erased": 0})
        self.assert_anonymised(victim)

    def test_batches_report_progress(self):
        for i in range(3):
            self.stopped_pupil(f"Voortgang{i} Test", "2024-06-30")
        self.env["ir.config_parameter"].set_param("mph_school.retention_batch_size", "2")
        cron = self.env.ref("mph_school.ir_cron_mph_retention")
        progress = self.env["ir.cron.progress"].create({"cron_id": cron.id, "remaining": 0, "done": 0})
        with freeze_time("2026-07-01"):
            self.Retention.with_context(ir_cron_progress_id=progress.id)._run()
        self.assertEqual((progress.done, progress.remaining), (3, 0))
        self.assertEqual(self.Log.search([("rule", "=", "archive")]).mapped("count"), [1, 2])


@tagged("post_install", "-at_install", "mph_retention")
class TestRetentionAccess(RetentionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.archived = cls.create_student("Gijs Archief", "1999-01-01", email="gijs@example.nl")
        cls.enroll(cls.archived, cls.piano, cls.teacher, "stopped", date_start="2021-09-01", date_end="2022-06-30")
        cls.stopped = cls.create_student("Mila Gestopt", "1999-01-01", email="mila@example.nl")
        cls.enroll(cls.stopped, cls.koor, cls.teacher, "stopped", date_start="2023-09-01", date_end="2024-06-30")
        with freeze_time("2025-01-01"):
            cls.env["mph.retention"]._run()

    def test_archived_pupil_only_for_the_coordinator(self):
        self.assertEqual(self.archived.state, "archived")
        Student = self.env["mph.student"].with_context(active_test=False)
        domain = [("name", "in", ("Gijs Archief", "Mila Gestopt"))]
        self.assertEqual(Student.with_user(self.user_coordinator).search(domain), self.archived | self.stopped)
        self.assertEqual(Student.with_user(self.user_finance).search(domain), self.stopped, "finance: not archived")
        with self.assertRaises(AccessError):
            self.archived.with_user(self.user_finance).read(["name"])
        self.assertEqual(self.stopped.with_user(self.user_finance).read(["name"])[0]["name"], "Mila Gestopt")
        for role in ("artistic", "director", "employee", "teacher"):
            user = getattr(self, f"user_{role}")
            with self.subTest(role=role):
                try:
                    found = Student.with_user(user).search(domain)
                except AccessError:
                    found = Student.browse()
                self.assertFalse(found)

    def test_finance_sees_a_held_archived_pupil(self):
        self.archived.legal_hold = True
        self.assertEqual(self.archived.with_user(self.user_finance).read(["name"])[0]["name"], "Gijs Archief")
        Partner = self.env["res.partner"].with_user(self.user_finance).with_context(active_test=False)
        self.assertEqual(Partner.search([("name", "=", "Gijs Archief")]), self.archived.partner_id)

    def test_finance_does_not_find_archived_pupils_in_contacts(self):
        Partner = self.env["res.partner"].with_user(self.user_finance).with_context(active_test=False)
        self.assertFalse(Partner.search([("name", "=", "Gijs Archief")]))
        self.assertFalse(Partner.name_search("Gijs"))
        with self.assertRaises(AccessError):
            self.archived.partner_id.with_user(self.user_finance).read(["email"])
        self.assertEqual(Partner.search([("name", "=", "Mila Gestopt")]), self.stopped.partner_id)
        self.assertIn(self.guardian, Partner.search([("email", "=", "esther@example.nl")]), "other contacts stay")
        coordinator = self.env["res.partner"].with_user(self.user_coordinator).with_context(active_test=False)
        self.assertEqual(coordinator.search([("name", "=", "Gijs Archief")]), self.archived.partner_id)

    def test_coordinator_who_is_also_finance_keeps_the_archive(self):
        self.user_coordinator.groups_id += self.env.ref("mph_school.group_finance")
        self.assertEqual(self.archived.with_user(self.user_coordinator).read(["name"])[0]["name"], "Gijs Archief")

    def test_menus(self):
        menus = ("menu_mph_student_archive", "menu_mph_student_legal_hold", "menu_mph_retention_log")
        for role in ("coordinator", "finance", "artistic", "director", "employee", "teacher"):
            try:
                visible = self.env["ir.ui.menu"].with_user(getattr(self, f"user_{role}"))._visible_menu_ids()
            except AccessError:  # portal users cannot read menus at all
                visible = set()
            for menu in menus:
                with self.subTest(role=role, menu=menu):
                    self.assertEqual(self.env.ref(f"mph_school.{menu}").id in visible, role == "coordinator")

    def test_log_is_read_only_for_the_coordinator_and_closed_to_others(self):
        log = self.env["mph.retention.log"].search([], limit=1)
        self.assertTrue(log)
        self.assertEqual(log.with_user(self.user_coordinator).read(["count"])[0]["count"], 1)
        with self.assertRaises(AccessError):
            log.with_user(self.user_coordinator).write({"count": 99})
        with self.assertRaises(AccessError):
            log.with_user(self.user_coordinator).unlink()
        with self.assertRaises(AccessError):
            self.env["mph.retention.log"].with_user(self.user_coordinator).create(
                {"run_reference": "x", "rule": "archive"}
            )
        for role in ("finance", "artistic", "director", "employee", "teacher"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                log.with_user(getattr(self, f"user_{role}")).read(["count"])

    def test_log_holds_no_personal_data(self):
        Log = self.env["mph.retention.log"]
        links = [
            name for name, field in Log._fields.items() if field.relational and name not in ("create_uid", "write_uid")
        ]
        self.assertEqual(links, [], "the log points to no pupil or contact")
        values = " ".join(str(v) for row in Log.search_read([]) for v in row.values())
        for word in ("Gijs", "Archief", "gijs@example.nl", "1999"):
            self.assertNotIn(word, values)
