from datetime import date

from dateutil.relativedelta import relativedelta

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import MphCommon


@tagged("post_install", "-at_install")
class TestDutch(MphCommon):
    """The school works in Dutch: errors, menus and labels come out translated."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("nl_NL")
        cls.env["ir.module.module"]._load_module_terms(["mph_school"], ["nl_NL"], overwrite=True)

    def test_validation_errors_in_dutch(self):
        env = self.env(user=self.user_coordinator, context={"lang": "nl_NL"})
        self.assertEqual(env.lang, "nl_NL")
        with self.assertRaisesRegex(ValidationError, "De geboortedatum van Toekomst kan niet in de toekomst liggen"):
            env["mph.student"].create({"name": "Toekomst", "birthdate": date.today() + relativedelta(days=3)})
        with self.assertRaisesRegex(ValidationError, "postcode"):
            env["mph.student"].create({"name": "Postcode", "zip": "12", "country_id": self.nl.id})
        enrollment = self.enroll(self.pupil_for_dutch(), self.koor, self.teacher).with_env(env)
        with self.assertRaisesRegex(UserError, "niet mogelijk"):
            enrollment.action_stop()

    def pupil_for_dutch(self):
        return self.create_student("Nederlands Sprekend", "1985-03-03")

    def test_labels_and_menus_in_dutch(self):
        env = self.env(user=self.user_coordinator, context={"lang": "nl_NL"})
        fields_nl = env["mph.student"].fields_get(["birthdate", "guardian_id"])
        self.assertEqual(fields_nl["birthdate"]["string"], "Geboortedatum")
        self.assertNotEqual(fields_nl["guardian_id"]["string"], "Parent/guardian")
        menu = env.ref("mph_school.menu_mph_student")
        self.assertEqual(menu.name, "Leerlingen")
        states = dict(env["mph.enrollment"]._fields["state"]._description_selection(env))
        self.assertEqual(states["waiting"], "Wachtlijst")
        # The English source is still there for an English user.
        self.assertEqual(self.env.ref("mph_school.menu_mph_student").with_context(lang="en_US").name, "Pupils")

    def test_assignment_notice_in_dutch(self):
        self.user_teacher_other.lang = "nl_NL"
        self.enrollment_minor.with_user(self.user_coordinator).teacher_id = self.teacher_other
        mail = self.env["mail.mail"].search(
            [("model", "=", "mph.enrollment"), ("res_id", "=", self.enrollment_minor.id)], order="id desc", limit=1
        )
        self.assertEqual(mail.recipient_ids, self.user_teacher_other.partner_id)
        self.assertEqual(mail.subject, "Nieuwe leerling: Daan de Vries")
        self.assertIn("is aan je toegewezen voor", mail.body_html)
        self.assertIn("Je vindt de gegevens", mail.body_html)
        self.assertIn("Leerling bekijken", mail.body_html)
        self.assertNotIn("has been assigned", mail.body_html)
