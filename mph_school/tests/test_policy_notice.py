from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import MphCommon


@tagged("post_install", "-at_install")
class TestPolicyChangeNotice(MphCommon):
    """A material change of the privacy policy is announced to every current
    pupil and guardian, once, and who was told is recorded."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stopped_pupil = cls.create_student("Oud Leerling", "1980-05-05", email="oud@example.nl")
        cls.enroll(cls.stopped_pupil, cls.koor, cls.teacher, "stopped")
        cls.policy = cls.env["mph.privacy.policy"].create(
            {
                "name": "2026-12",
                "published": True,
                "material_change": True,
                "change_summary": "Wij bewaren inschrijvingen voortaan in Odoo.",
                "body": "<p>Nieuwe tekst</p>",
            }
        )

    def test_every_current_pupil_and_guardian_once(self):
        self.policy.with_user(self.user_coordinator).action_send_change_notice()
        told = self.policy.notice_ids.partner_id
        expected = self.adult.partner_id | self.minor.partner_id | self.guardian | self.other_pupil.partner_id
        self.assertEqual(told, expected)
        self.assertNotIn(self.stopped_pupil.partner_id, told, "a pupil who stopped is not current")
        mails = self.env["mail.mail"].search(
            [("model", "=", "mph.privacy.policy.notice"), ("res_id", "in", self.policy.notice_ids.ids)]
        )
        self.assertEqual(len(mails), len(told), "one queued mail each")
        self.assertTrue(all(mail.state == "outgoing" for mail in mails))
        self.assertIn("Wij bewaren inschrijvingen voortaan in Odoo.", mails[0].body_html)
        self.assertIn("/muziekles/privacybeleid", mails[0].body_html)
        self.assertTrue(self.policy.notified_on)
        with self.assertRaisesRegex(UserError, "already sent"):
            self.policy.with_user(self.user_coordinator).action_send_change_notice()

    def test_refused_without_material_change_or_summary(self):
        self.policy.material_change = False
        with self.assertRaisesRegex(UserError, "material change"):
            self.policy.with_user(self.user_coordinator).action_send_change_notice()
        self.policy.write({"material_change": True, "change_summary": " "})
        with self.assertRaisesRegex(UserError, "summary"):
            self.policy.with_user(self.user_coordinator).action_send_change_notice()
        self.assertFalse(self.policy.notice_ids)

    def test_only_the_coordinator_sends_and_reads_notices(self):
        for user in (self.user_finance, self.user_director, self.user_teacher, self.user_employee):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.policy.with_user(user).action_send_change_notice()
        self.assertFalse(self.policy.notice_ids)
        self.policy.with_user(self.user_coordinator).action_send_change_notice()
        notice = self.policy.notice_ids[:1]
        self.assertTrue(notice.with_user(self.user_coordinator).read(["partner_id"]))
        for user in (self.user_finance, self.user_artistic, self.user_teacher):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                notice.with_user(user).read(["partner_id"])
