from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import MphCommon

# Which operations each role may perform on each model (r, w, c, u = read,
# write, create, unlink); every other cell must raise AccessError.
MATRIX = {
    "mph.student": {"coordinator": "rwc", "finance": "r", "teacher": "r"},
    "mph.enrollment": {"coordinator": "rwcu", "teacher": "r"},
    "mph.teacher": {"coordinator": "rwcu", "teacher": "r"},
    "mph.lesson.type": {"coordinator": "rwcu", "finance": "r", "artistic": "r", "director": "r", "teacher": "r"},
}
ROLES = ("coordinator", "finance", "artistic", "director", "teacher", "employee")


@tagged("post_install", "-at_install", "mph_access")
class TestAccessMatrix(MphCommon):
    def _sample(self, model):
        """A record the role's read right is judged on (the teacher's own where rules apply)."""
        return {
            "mph.student": self.adult,
            "mph.enrollment": self.enrollment_adult,
            "mph.teacher": self.teacher,
            "mph.lesson.type": self.piano,
        }[model]

    def _throwaway(self, model):
        if model == "mph.student":
            return self.create_student("Weg Gooi", "1980-01-01")
        if model == "mph.enrollment":
            return self.enroll(self.adult, self.koor, self.teacher, "active")
        if model == "mph.teacher":
            return self.env["mph.teacher"].create({"name": "Tijdelijke docent"})
        return self.env["mph.lesson.type"].create({"name": "Tijdelijk"})

    def _create_vals(self, model):
        return {
            "mph.student": {"name": "Nieuwe Leerling", "email": "nieuw@example.nl"},
            "mph.enrollment": {"student_id": self.other_pupil.id, "lesson_type_id": self.piano.id},
            "mph.teacher": {"name": "Nieuwe Docent"},
            "mph.lesson.type": {"name": "Nieuwe lessoort"},
        }[model]

    def _write_vals(self, model):
        return {
            "mph.student": {"name": "Sanne Bakker-Jansen"},
            "mph.enrollment": {"preferred_times": "do-avond"},
            "mph.teacher": {"phone": "030-1234567"},
            "mph.lesson.type": {"duration": 45},
        }[model]

    def _run(self, user, model, operation):
        if operation == "r":
            record = self._sample(model).with_user(user)
            self.assertEqual(record.read(["display_name"])[0]["id"], record.id)
        elif operation == "w":
            record = self._sample(model).with_user(user)
            vals = self._write_vals(model)
            record.write(vals)
            field = next(iter(vals))
            self.assertEqual(record.sudo()[field], vals[field])
        elif operation == "c":
            record = self.env[model].with_user(user).create(self._create_vals(model))
            self.assertTrue(record.exists())
        else:
            record = self._throwaway(model)
            record.with_user(user).unlink()
            self.assertFalse(record.exists())

    def test_access_matrix(self):
        """Every (role, mph model, operation) cell: allowed, or AccessError."""
        cells = 0
        for model, allowed_by_role in MATRIX.items():
            for role in ROLES:
                user = getattr(self, f"user_{role}")
                for operation in "rwcu":
                    allowed = operation in allowed_by_role.get(role, "")
                    with self.subTest(model=model, role=role, operation=operation, allowed=allowed):
                        cells += 1
                        with self.env.cr.savepoint():
                            if allowed:
                                self._run(user, model, operation)
                            else:
                                with self.assertRaises(AccessError):
                                    self._run(user, model, operation)
        self.assertEqual(cells, len(MATRIX) * len(ROLES) * 4)


@tagged("post_install", "-at_install", "mph_access")
class TestAggregatedRoles(MphCommon):
    """The artistic manager and the director never reach a person."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.supplier = cls.env["res.partner"].create({"name": "Muziekhandel Utrecht BV", "is_company": True})
        cls.personal_partners = cls.adult.partner_id | cls.minor.partner_id | cls.guardian
        cls.message = cls.adult.message_post(body="Belde over lestijden", message_type="comment")
        cls.partner_message = cls.guardian.message_post(body="Adreswijziging doorgegeven", message_type="comment")
        cls.attachments = cls.env["ir.attachment"].create(
            [
                {"name": "inschrijving.pdf", "raw": b"%PDF-1.4", "res_model": "mph.student", "res_id": cls.adult.id},
                {"name": "machtiging.pdf", "raw": b"%PDF-1.4", "res_model": "res.partner", "res_id": cls.guardian.id},
            ]
        )

    def _aggregated_users(self):
        # Even with the right to export, the record rules keep persons out.
        users = self.user_artistic | self.user_director
        users.groups_id = [(4, self.env.ref("base.group_allow_export").id)]
        return users

    def test_no_student_or_enrollment_model(self):
        for user in self._aggregated_users():
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self.env["mph.student"].with_user(user).search([])
                with self.assertRaises(AccessError):
                    self.env["mph.enrollment"].with_user(user).search_read([], ["state"])
                with self.assertRaises(AccessError):
                    self.env["mph.student"].with_user(user).name_search("Sanne")
                with self.assertRaises(AccessError):
                    self.env["mph.enrollment"].with_user(user).read_group([], ["state"], ["state"])
                # What they may see: lesson types, which carry no person.
                self.assertIn(self.piano, self.env["mph.lesson.type"].with_user(user).search([]))

    def test_no_student_or_guardian_partner(self):
        ids = self.personal_partners.ids
        for user in self._aggregated_users():
            Partner = self.env["res.partner"].with_user(user)
            with self.subTest(user=user.login):
                self.assertFalse(Partner.search([("id", "in", ids)]))
                self.assertFalse(Partner.search([("name", "ilike", "de Vries")]))
                names = [name for _id, name in Partner.name_search("Bakker")]
                self.assertNotIn("Sanne Bakker", names)
                groups = Partner.read_group([("id", "in", ids)], ["id:count"], [])
                self.assertEqual(groups[0]["__count"], 0)
                for partner in self.personal_partners:
                    with self.assertRaises(AccessError):
                        Partner.browse(partner.id).read(["name"])
                    with self.assertRaises(AccessError):
                        Partner.browse(partner.id).export_data(["name", "email"])
                # Other contacts stay reachable for them.
                self.assertEqual(Partner.search([("id", "=", self.supplier.id)]), self.supplier)
                self.assertEqual(Partner.browse(user.partner_id.id).read(["name"])[0]["name"], user.name)

    def test_archived_pupil_stays_out_of_reach(self):
        self.adult.action_archive()
        for user in self._aggregated_users():
            with self.subTest(user=user.login):
                Partner = self.env["res.partner"].with_user(user)
                self.assertFalse(Partner.search([("id", "=", self.adult.partner_id.id)]))

    def test_no_chatter_or_attachments(self):
        for user in self._aggregated_users():
            with self.subTest(user=user.login):
                Message = self.env["mail.message"].with_user(user)
                found = Message.search([("id", "in", (self.message | self.partner_message).ids)])
                self.assertFalse(found)
                for message in self.message | self.partner_message:
                    with self.assertRaises(AccessError):
                        Message.browse(message.id).read(["body"])
                Attachment = self.env["ir.attachment"].with_user(user)
                self.assertFalse(Attachment.search([("id", "in", self.attachments.ids)]))
                for attachment in self.attachments:
                    with self.assertRaises(AccessError):
                        Attachment.browse(attachment.id).read(["datas"])
        # The coordinator does reach them: the denial above is the rules, not a broken fixture.
        Message = self.env["mail.message"].with_user(self.user_coordinator)
        self.assertEqual(Message.search([("id", "=", self.message.id)]), self.message)
        Attachment = self.env["ir.attachment"].with_user(self.user_coordinator)
        self.assertEqual(Attachment.search([("id", "in", self.attachments.ids)]), self.attachments)

    def test_no_invoices_or_journal_items(self):
        """Accounting opens no new path to persons for the aggregated roles."""
        for user in self._aggregated_users() | self.user_employee:
            for model in ("account.move", "account.move.line", "mph.contribution.invoice.wizard"):
                with self.subTest(user=user.login, model=model), self.assertRaises(AccessError):
                    self.env[model].with_user(user).search_read([], ["display_name"])
        # Finance does read invoices: the denial is the access list, not a missing model.
        for model in ("account.move", "account.move.line", "mph.contribution.invoice.wizard"):
            self.assertTrue(self.env[model].with_user(self.user_finance).has_access("read"), model)

    def test_combined_role_keeps_the_wider_view(self):
        """A coordinator who is also director still manages contacts."""
        self.user_coordinator.groups_id = [(4, self.env.ref("mph_school.group_director").id)]
        Partner = self.env["res.partner"].with_user(self.user_coordinator)
        self.assertEqual(Partner.search([("id", "in", self.personal_partners.ids)]), self.personal_partners)


@tagged("post_install", "-at_install", "mph_access")
class TestFinanceAccess(MphCommon):
    INVOICE_FIELDS = ["name", "street", "zip", "city", "country_id", "email", "payer_id", "is_minor"]
    PRIVATE_FIELDS = [
        "birthdate",
        "age",
        "phone",
        "mobile",
        "note",
        "guardian_id",
        "guardian_phone",
        "guardian_email",
        "enrollment_ids",
        "comment",
        "message_ids",
        "activity_ids",
        "privacy_accepted_date",
    ]

    def test_reads_what_an_invoice_needs(self):
        minor = self.minor.with_user(self.user_finance)
        values = minor.read(self.INVOICE_FIELDS)[0]
        self.assertEqual(values["name"], "Daan de Vries")
        self.assertEqual(values["zip"], "3511 AB")
        self.assertEqual(values["payer_id"][0], self.guardian.id, "a minor's guardian pays")
        adult = self.adult.with_user(self.user_finance)
        self.assertEqual(adult.payer_id, self.adult.partner_id, "an adult pays for themself")

    def test_cannot_read_anything_more_personal(self):
        for field in self.PRIVATE_FIELDS:
            with self.subTest(field=field):
                with self.assertRaises(AccessError):
                    self.minor.with_user(self.user_finance).read([field])
                # The coordinator can: the field exists and is readable.
                self.assertTrue(self.minor.with_user(self.user_coordinator).read([field]))

    def test_no_enrollments_nor_chatter(self):
        with self.assertRaises(AccessError):
            self.env["mph.enrollment"].with_user(self.user_finance).search([])
        message = self.minor.message_post(body="Moeder belt liever na 17 uur", message_type="comment")
        with self.assertRaises(AccessError):
            self.env["mail.message"].with_user(self.user_finance).browse(message.id).read(["body"])
        self.assertFalse(self.env["mail.message"].with_user(self.user_finance).search([("id", "=", message.id)]))
        fields_seen = self.env["mph.student"].with_user(self.user_finance).fields_get()
        self.assertNotIn("birthdate", fields_seen)
        self.assertIn("payer_id", fields_seen)


@tagged("post_install", "-at_install", "mph_access")
class TestTeacherAccess(MphCommon):
    TEACHER_FIELDS = [
        "name",
        "street",
        "zip",
        "city",
        "email",
        "phone",
        "mobile",
        "birthdate",
        "age",
        "guardian_id",
        "guardian_email",
        "guardian_phone",
        "enrollment_ids",
    ]

    def test_sees_exactly_own_students(self):
        Student = self.env["mph.student"].with_user(self.user_teacher)
        self.assertEqual(Student.search([]), self.adult | self.minor)
        other = self.env["mph.student"].with_user(self.user_teacher_other)
        self.assertEqual(other.search([]), self.other_pupil)
        with self.assertRaises(AccessError):
            Student.browse(self.other_pupil.id).read(["name"])

    def test_reads_what_the_policy_gives_a_teacher(self):
        values = self.minor.with_user(self.user_teacher).read(self.TEACHER_FIELDS)[0]
        self.assertEqual(values["guardian_email"], "esther@example.nl")
        self.assertEqual(values["guardian_phone"], "06-87654321")
        self.assertEqual(values["enrollment_ids"], self.enrollment_minor.ids)
        for field in ("note", "comment", "legal_hold", "state", "message_ids", "privacy_accepted_date", "payer_id"):
            with self.subTest(field=field), self.assertRaises(AccessError):
                self.minor.with_user(self.user_teacher).read([field])

    def test_own_enrollments_only(self):
        Enrollment = self.env["mph.enrollment"].with_user(self.user_teacher)
        self.assertEqual(Enrollment.search([]), self.enrollment_adult | self.enrollment_minor)
        with self.assertRaises(AccessError):
            Enrollment.browse(self.enrollment_other.id).read(["state"])

    def test_enrollment_note_is_for_the_coordinator_only(self):
        self.enrollment_minor.note = "Moeder twijfelt over doorgaan na de proefles."
        note = self.enrollment_minor.with_user(self.user_coordinator).read(["note"])[0]["note"]
        self.assertEqual(note, "Moeder twijfelt over doorgaan na de proefles.")
        enrollment = self.enrollment_minor.with_user(self.user_teacher)
        self.assertEqual(enrollment.read(["state"])[0]["state"], "trial", "the enrolment itself stays readable")
        with self.assertRaises(AccessError):
            enrollment.read(["note"])
        with self.assertRaises(AccessError):
            enrollment.search_read([("id", "=", enrollment.id)], ["note"])
        with self.assertRaises(AccessError):
            enrollment.search([("note", "ilike", "twijfelt")])
        self.assertNotIn("note", enrollment.fields_get())

    def test_stopped_or_moved_students_disappear(self):
        Student = self.env["mph.student"].with_user(self.user_teacher)
        self.enrollment_adult.action_stop()
        self.assertEqual(Student.search([]), self.minor)
        self.enrollment_minor.teacher_id = self.teacher_other
        self.assertFalse(Student.search([]))
        self.assertIn(self.minor, self.env["mph.student"].with_user(self.user_teacher_other).search([]))

    def test_partner_only_of_own_pupils(self):
        Partner = self.env["res.partner"].with_user(self.user_teacher)
        self.assertEqual(Partner.browse(self.adult.partner_id.id).read(["name"])[0]["name"], "Sanne Bakker")
        with self.assertRaises(AccessError):
            Partner.browse(self.other_pupil.partner_id.id).read(["name"])
        with self.assertRaises(AccessError):
            Partner.browse(self.adult.partner_id.id).write({"name": "Gewijzigd"})
        self.assertFalse(Partner.search([("id", "=", self.other_pupil.partner_id.id)]))

    def test_no_chatter_or_write(self):
        message = self.adult.message_post(body="Interne notitie", message_type="comment")
        partner_message = self.adult.partner_id.message_post(body="Notitie op contact", message_type="comment")
        Message = self.env["mail.message"].with_user(self.user_teacher)
        for msg in message | partner_message:
            with self.assertRaises(AccessError):
                Message.browse(msg.id).read(["body"])
        self.assertFalse(Message.search([("id", "in", (message | partner_message).ids)]))
        with self.assertRaises(AccessError):
            self.adult.with_user(self.user_teacher).write({"mobile": "06-00000000"})
