import json
from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import MphCommon


@tagged("post_install", "-at_install", "mph_privacy_request")
class TestPrivacyRequest(MphCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Request = cls.env["mph.privacy.request"].with_user(cls.user_coordinator)

    def new_request(self, request_type, student=None, **vals):
        student = student or self.minor
        return self.Request.create(
            {"request_type": request_type, "student_id": student.id, "date_received": "2026-01-10", **vals}
        )

    def verified(self, request_type, student=None, **vals):
        request = self.new_request(request_type, student, identity_method="known_email", **vals)
        request.action_verify_identity()
        return request

    # ------------------------------------------------------------
    # Clock and steps
    # ------------------------------------------------------------

    def test_due_in_one_month_extendable_by_two_with_reason(self):
        request = self.new_request("access")
        self.assertTrue(request.name.startswith("AVG/"))
        self.assertEqual(request.partner_id, self.minor.partner_id, "the person defaults to the pupil")
        self.assertEqual(request.date_due, date(2026, 2, 10))
        with self.assertRaisesRegex(UserError, "reason"):
            request.action_extend()
        self.assertFalse(request.is_extended)
        with self.assertRaises(ValidationError):
            request.write({"is_extended": True, "extension_reason": " "})
        request.extension_reason = "Veel gegevens in het archief op te zoeken."
        request.action_extend()
        self.assertEqual(request.date_due, date(2026, 4, 10))
        with self.assertRaisesRegex(UserError, "already extended"):
            request.action_extend()

    def test_identity_check_comes_first(self):
        request = self.new_request("erasure")
        with self.assertRaisesRegex(UserError, "Verify the identity"):
            request.action_process()
        with self.assertRaisesRegex(UserError, "identity was checked"):
            request.action_verify_identity()
        self.assertEqual(request.state, "received")
        self.assertEqual(self.minor.name, "Daan de Vries", "nothing was erased")
        request.identity_method = "id_document"
        request.action_verify_identity()
        self.assertEqual(request.state, "verified")
        self.assertTrue(request.date_identity_verified)

    def test_person_must_be_pupil_or_guardian(self):
        self.assertEqual(self.new_request("access", partner_id=self.guardian.id).partner_id, self.guardian)
        with self.assertRaises(ValidationError):
            self.new_request("access", partner_id=self.adult.partner_id.id)

    def test_every_step_is_logged(self):
        request = self.verified("restriction").with_context(tracking_disable=False)
        # Tracking is written when the transaction commits (and skipped for a
        # record created in it): run those hooks as a commit would.
        self.env.flush_all()
        self.env.cr.precommit.run()
        request.action_done()
        self.env.flush_all()
        self.env.cr.precommit.run()
        tracked = (
            self.env["mail.tracking.value"]
            .sudo()
            .search([("mail_message_id.model", "=", request._name), ("mail_message_id.res_id", "=", request.id)])
        )
        self.assertIn("state", tracked.field_id.mapped("name"))
        self.assertEqual(request.state, "done")
        with self.assertRaisesRegex(UserError, "already closed"):
            request.action_reject()

    def test_reject_needs_a_reason(self):
        request = self.new_request("erasure")
        with self.assertRaisesRegex(UserError, "reason"):
            request.action_reject()
        request.response = "Geen leerling van MPH bekend onder deze gegevens."
        request.action_reject()
        self.assertEqual(request.state, "rejected")

    def test_deadline_highlighting_and_activities(self):
        request = self.new_request("access")
        with freeze_time("2026-01-20"):
            request.invalidate_recordset(["deadline_state"])
            self.assertEqual(request.deadline_state, "ok")
            self.env["mph.privacy.request"]._cron_deadline_activities()
            self.assertFalse(request.activity_ids)
        with freeze_time("2026-02-05"):
            request.invalidate_recordset(["deadline_state"])
            self.assertEqual(request.deadline_state, "soon")
            self.env["mph.privacy.request"]._cron_deadline_activities()
            self.env["mph.privacy.request"]._cron_deadline_activities()
            self.assertEqual(len(request.activity_ids), 1, "one activity, also when the cron runs twice")
            self.assertEqual(request.activity_ids.user_id, self.user_coordinator)
            self.assertEqual(request.activity_ids.date_deadline, date(2026, 2, 10))
        with freeze_time("2026-02-11"):
            request.invalidate_recordset(["deadline_state"])
            self.assertEqual(request.deadline_state, "overdue")
            overdue = self.Request.search([("state", "in", ("received", "verified")), ("date_due", "<", "2026-02-11")])
            self.assertIn(request, overdue)

    # ------------------------------------------------------------
    # What each type does
    # ------------------------------------------------------------

    def test_access_export_holds_every_personal_datum(self):
        self.minor.write({"phone": "030-2345678", "newsletter_consent": True})
        self.minor.message_post(body="Moeder belde: Daan heeft een gebroken pols.", message_type="comment")
        self.env["ir.attachment"].create(
            {"name": "toestemming-ouder.pdf", "raw": b"%PDF", "res_model": "mph.student", "res_id": self.minor.id}
        )
        request = self.verified("access")
        action = request.action_process()
        self.assertEqual(request.state, "done")
        attachment = request.export_attachment_id
        self.assertEqual(action["url"], f"/web/content/{attachment.id}?download=true")
        self.assertEqual((attachment.res_model, attachment.res_id), (request._name, request.id))
        data = json.loads(attachment.with_user(self.user_coordinator).raw)
        text = json.dumps(data, ensure_ascii=False)
        for value in (
            "Daan de Vries",
            "daan@example.nl",
            "2016-09-01",
            "030-2345678",
            "06-87654321",
            "Oudegracht 12",
            "3511 AB",
            "Esther de Vries",
            "esther@example.nl",
            "moeder belt liever na 17 uur",
            "Popkoor (test)",
            "Henk Jansen",
            "gebroken pols",
            "toestemming-ouder.pdf",
        ):
            self.assertIn(value, text)
        self.assertEqual(data["Pupil"]["Newsletter consent"], "Yes")
        readable = request.message_ids.attachment_ids.filtered(lambda a: a.name.endswith(".html"))
        self.assertEqual(len(readable), 1)
        page = readable.raw.decode()
        for value in ("Daan de Vries", "esther@example.nl", "gebroken pols", "Popkoor (test)"):
            self.assertIn(value, page)
        self.assertEqual(data["Parent/guardian"]["Email"], "esther@example.nl")
        self.assertEqual(len(data["Enrolments"]), 1)
        # The export is as private as the request.
        for user in (self.user_finance, self.user_artistic, self.user_teacher, self.user_employee):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                attachment.with_user(user).read(["raw"])

    def test_erasure_anonymises_now(self):
        request = self.verified("erasure", student=self.adult)
        request.action_process()
        self.assertEqual(request.state, "done")
        self.assertEqual(self.adult.state, "anonymised")
        self.assertFalse(self.adult.email)
        self.assertFalse(self.adult.birthdate)
        self.assertEqual(self.adult.birth_year, 1990)
        self.assertTrue(self.adult.partner_id.name.startswith("Anonymised pupil"))
        log = self.env["mph.retention.log"].search([("rule", "=", "erasure")])
        self.assertEqual(log.count, 1)

    def test_erasure_refused_under_legal_hold(self):
        self.adult.legal_hold = True
        request = self.verified("erasure", student=self.adult)
        with self.assertRaisesRegex(UserError, "legal hold"):
            request.action_process()
        self.assertEqual(self.adult.name, "Sanne Bakker")
        self.assertEqual(request.state, "verified")

    def test_objection_clears_newsletter_consent(self):
        self.adult.newsletter_consent = True
        request = self.verified("objection", student=self.adult)
        request.action_process()
        self.assertFalse(self.adult.newsletter_consent)
        self.assertEqual(request.state, "done")
        self.assertIn(request.name, self.adult.message_ids[0].body)

    def test_rectification_opens_the_pupil(self):
        request = self.verified("rectification", student=self.adult)
        action = request.action_process()
        self.assertEqual((action["res_model"], action["res_id"]), ("mph.student", self.adult.id))
        self.assertEqual(request.state, "verified", "the coordinator marks it answered after the change")

    # ------------------------------------------------------------
    # Access
    # ------------------------------------------------------------

    def test_coordinator_only(self):
        request = self.new_request("access")
        self.assertEqual(request.read(["name"])[0]["name"], request.name)
        request.write({"description": "Wil alles zien."})
        message = request.message_post(body="Kopie paspoort ontvangen.", message_type="comment")
        self.assertEqual(message.with_user(self.user_coordinator).read(["body"])[0]["id"], message.id)
        with self.assertRaises(AccessError):
            request.unlink()
        for role in ("finance", "artistic", "director", "employee", "teacher"):
            user = getattr(self, f"user_{role}")
            Request = self.env["mph.privacy.request"].with_user(user)
            with self.subTest(role=role, operation="read"), self.assertRaises(AccessError):
                request.with_user(user).read(["name"])
            with self.subTest(role=role, operation="search"), self.assertRaises(AccessError):
                Request.search([])
            with self.subTest(role=role, operation="create"), self.assertRaises(AccessError):
                Request.create({"request_type": "access", "partner_id": user.partner_id.id})
            with self.subTest(role=role, operation="write"), self.assertRaises(AccessError):
                request.with_user(user).write({"description": "x"})
            with self.subTest(role=role, operation="chatter"), self.assertRaises(AccessError):
                message.with_user(user).read(["body"])
        menu = self.env.ref("mph_school.menu_mph_privacy_request")
        self.assertIn(menu.id, self.env["ir.ui.menu"].with_user(self.user_coordinator)._visible_menu_ids())
        self.assertNotIn(menu.id, self.env["ir.ui.menu"].with_user(self.user_finance)._visible_menu_ids())


@tagged("post_install", "-at_install", "mph_privacy_request")
class TestPrivacyDutch(MphCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("nl_NL")
        cls.env["ir.module.module"]._load_module_terms(["mph_school"], ["nl_NL"], overwrite=True)

    def test_privacy_screens_and_errors_in_dutch(self):
        env = self.env(user=self.user_coordinator, context={"lang": "nl_NL"})
        self.assertEqual(env.ref("mph_school.menu_mph_student_archive").name, "Passief archief")
        self.assertEqual(env.ref("mph_school.menu_mph_student_read_log").name, "Wie heeft welke leerling bekeken")
        self.assertEqual(env.ref("mph_school.menu_mph_privacy_request").name, "Privacyverzoeken")
        request = env["mph.privacy.request"].create({"request_type": "access", "student_id": self.adult.id})
        with self.assertRaisesRegex(UserError, "Vul eerst de reden van de verlenging in"):
            request.action_extend()
        with self.assertRaisesRegex(UserError, "Controleer de identiteit"):
            request.action_process()
