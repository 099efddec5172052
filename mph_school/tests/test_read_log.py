from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import MphCommon


@tagged("post_install", "-at_install", "mph_read_log")
class TestReadLog(MphCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Log = cls.env["mph.student.read.log"]

    def rows(self, student=None):
        domain = [("student_id", "=", student.id)] if student else []
        return self.Log.search(domain)

    def test_coordinator_read_is_logged(self):
        self.adult.with_user(self.user_coordinator).read(["name", "birthdate"])
        row = self.rows(self.adult)
        self.assertEqual(len(row), 1)
        self.assertEqual((row.user_id, row.channel), (self.user_coordinator, "backoffice"))
        self.assertFalse(self.rows(self.minor), "only the pupil that was read")

    def test_list_and_form_reads_are_logged(self):
        Student = self.env["mph.student"].with_user(self.user_coordinator)
        found = Student.search_read([("id", "in", (self.adult | self.minor).ids)], ["name", "email"])
        self.assertEqual(len(found), 2)
        self.adult.with_user(self.user_coordinator).web_read({"name": {}, "phone": {}})
        self.assertEqual(len(self.rows(self.adult)), 2)
        self.assertEqual(len(self.rows(self.minor)), 1)

    def test_teacher_read_on_the_portal_is_logged(self):
        self.minor.with_user(self.user_teacher).read(["name", "birthdate", "guardian_phone"])
        row = self.rows(self.minor)
        self.assertEqual((row.user_id, row.channel), (self.user_teacher, "portal"))

    def test_denied_aggregated_and_system_reads_are_not_logged(self):
        with self.assertRaises(AccessError):
            self.other_pupil.with_user(self.user_teacher).read(["name"])
        with self.assertRaises(AccessError):
            self.adult.with_user(self.user_artistic).read(["name"])
        groups = self.env["mph.student"].with_user(self.user_coordinator).read_group([], ["state"], ["state"])
        self.assertTrue(groups)
        self.adult.with_user(self.user_coordinator).read(["state", "active"])
        self.adult.sudo().read(["name", "birthdate"])
        self.assertEqual(self.adult.with_user(self.user_coordinator).name, "Sanne Bakker")
        self.assertFalse(self.rows(), "no rows for denied, aggregated, non-personal or system reads")

    def test_append_only_and_coordinator_only(self):
        self.adult.with_user(self.user_coordinator).read(["name"])
        row = self.rows(self.adult)
        self.assertEqual(row.with_user(self.user_coordinator).read(["channel"])[0]["channel"], "backoffice")
        for user in (self.user_coordinator, self.env.user):
            with self.assertRaises(AccessError):
                row.with_user(user).write({"channel": "portal"})
            with self.assertRaises(AccessError):
                row.with_user(user).unlink()
        with self.assertRaises(AccessError):
            self.Log.with_user(self.user_coordinator).create(
                {"user_id": self.user_coordinator.id, "student_id": self.adult.id, "channel": "portal"}
            )
        for role in ("finance", "artistic", "director", "employee", "teacher"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                row.with_user(getattr(self, f"user_{role}")).read(["channel"])
        self.assertTrue(row.exists())

    def test_purge_after_the_configured_period(self):
        self.env["ir.config_parameter"].set_param("mph_school.read_log_days", "30")
        with freeze_time("2026-01-01 10:00:00"):
            self.adult.with_user(self.user_coordinator).read(["name"])
        with freeze_time("2026-01-25 10:00:00"):
            self.minor.with_user(self.user_coordinator).read(["name"])
        with freeze_time("2026-02-05 10:00:00"):
            self.Log._cron_purge()
        self.assertFalse(self.rows(self.adult), "older than 30 days: purged")
        self.assertTrue(self.rows(self.minor), "younger: kept")
