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
        self.assertEqual(len(self.rows(self.adult)), 1, "one row per user and pupil per request")
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

    def logged(self):
        """(pupil, guardian) of every row, as the coordinator's audit shows them."""
        return sorted((row.student_id.id, row.guardian_id.id) for row in self.rows())

    def test_every_pupil_read_path_is_logged(self):
        Student = self.env["mph.student"].with_user(self.user_coordinator)
        self.user_coordinator.groups_id = [(4, self.env.ref("base.group_allow_export").id)]
        paths = {
            "read": lambda: self.adult.with_user(self.user_coordinator).read(["name"]),
            "search_read": lambda: Student.search_read([("id", "=", self.adult.id)], ["email"]),
            "web_read": lambda: self.adult.with_user(self.user_coordinator).web_read({"name": {}}),
            "web_search_read": lambda: Student.web_search_read([("id", "=", self.adult.id)], {"name": {}}),
            "name_search": lambda: Student.name_search("Sanne Bakker", operator="="),
            "export_data": lambda: self.adult.with_user(self.user_coordinator).export_data(["name", "email"]),
        }
        for path, read in paths.items():
            with self.subTest(path=path), self.env.cr.savepoint() as savepoint:
                self.assertTrue(read())
                self.assertEqual(self.logged(), [(self.adult.id, False)])
                self.assertEqual(self.rows().user_id, self.user_coordinator)
                savepoint.rollback()

    def test_every_contact_read_path_is_logged(self):
        """The contact of a pupil and of a guardian read through res.partner
        (Contacts, a many2one, an export) is a read of the pupil's data."""
        Partner = self.env["res.partner"].with_user(self.user_coordinator)
        self.user_coordinator.groups_id = [(4, self.env.ref("base.group_allow_export").id)]
        contacts = self.adult.partner_id | self.guardian
        expected = [(self.adult.id, False), (self.minor.id, self.guardian.id)]
        domain = [("id", "in", contacts.ids)]
        paths = {
            "read": lambda: contacts.with_user(self.user_coordinator).read(["name", "email"]),
            "search_read": lambda: Partner.search_read(domain, ["email"]),
            "web_read": lambda: contacts.with_user(self.user_coordinator).web_read({"display_name": {}}),
            "web_search_read": lambda: Partner.web_search_read(domain, {"name": {}}),
            "name_search": lambda: Partner.name_search("", domain),
            "export_data": lambda: contacts.with_user(self.user_coordinator).export_data(["name", "phone"]),
        }
        for path, read in paths.items():
            with self.subTest(path=path), self.env.cr.savepoint() as savepoint:
                self.assertTrue(read())
                self.assertEqual(self.logged(), expected)
                self.assertEqual(set(self.rows().mapped("channel")), {"backoffice"})
                savepoint.rollback()

    def test_teacher_contact_read_on_the_portal_is_logged(self):
        self.minor.partner_id.with_user(self.user_teacher).read(["name", "email"])
        row = self.rows(self.minor)
        self.assertEqual((row.user_id, row.channel), (self.user_teacher, "portal"))
        self.assertFalse(row.guardian_id, "the pupil's own contact")

    def test_system_and_unrelated_reads_are_not_logged(self):
        """The system reads pupils all the time (crons, mail, sudo): none of it
        is logged, nor are contacts that are neither pupil nor guardian."""
        contacts = self.adult.partner_id | self.guardian
        self.adult.sudo().read(["name"])
        self.env["mph.student"].sudo().name_search("Sanne")
        self.env["mph.student"].search_read([], ["name"])
        contacts.sudo().read(["name", "email"])
        self.env["res.partner"].name_search("Esther")
        contacts.export_data(["name"])
        self.user_employee.partner_id.with_user(self.user_coordinator).read(["name", "email"])
        self.env["res.partner"].with_user(self.user_coordinator).name_search(self.user_employee.name)
        contacts.with_user(self.user_coordinator).read(["active"])
        self.assertFalse(self.rows())
        # Both ways: the same contacts read by a user are logged.
        contacts.with_user(self.user_coordinator).read(["name"])
        self.assertEqual(len(self.rows()), 2)

    def test_one_row_per_user_and_pupil_per_request_in_one_insert(self):
        students = self.adult | self.minor | self.other_pupil
        coordinator = students.with_user(self.user_coordinator)
        coordinator.read(["name"])
        coordinator.search_read([("id", "in", students.ids)], ["email"])
        coordinator.name_search("", [("id", "in", students.ids)])
        self.minor.with_user(self.user_teacher).read(["name"])
        before = self.env.cr.sql_log_count
        self.env["mph.student.read.log"]._write_pending()
        self.assertEqual(self.env.cr.sql_log_count - before, 1, "all rows of a request in one statement")
        self.assertEqual(len(self.rows()), 4, "three pupils for the coordinator, one for the teacher")
        # The next request (after the commit) is logged again.
        self.env.cr.flush()
        coordinator.read(["name"])
        self.assertEqual(len(self.rows()), 7)

    def test_pupil_deleted_in_the_same_request_does_not_break_the_commit(self):
        pupil = self.create_student("Tijdelijk Leerling", "2000-01-01")
        pupil.with_user(self.user_coordinator).read(["name"])
        pupil.unlink()
        self.env.cr.flush()
        self.adult.with_user(self.user_coordinator).read(["name"])
        self.assertEqual(self.rows().student_id, self.adult)

    def test_erased_pupil_leaves_no_number_in_the_log(self):
        pupil = self.create_student("Tijdelijk Leerling", "2000-01-01")
        pupil_id = pupil.id
        (pupil | self.adult).with_user(self.user_coordinator).read(["name"])
        self.env.cr.flush()  # the request ends: its batch is written
        self.assertEqual(sorted(self.rows().student_id.ids), sorted([pupil_id, self.adult.id]))

        def numbers():
            self.env.cr.execute("SELECT student_ids FROM mph_student_read_batch")
            return [number for (ids,) in self.env.cr.fetchall() for number in ids]

        self.assertIn(pupil_id, numbers())
        pupil.unlink()
        self.assertNotIn(pupil_id, numbers())
        self.assertIn(self.adult.id, numbers())
        self.assertEqual(self.rows().student_id, self.adult)

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
