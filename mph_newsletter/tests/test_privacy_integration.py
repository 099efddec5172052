from odoo.tests import tagged

from .common import NewsletterCommon
from .mailchimp_stub import member_id


@tagged("post_install", "-at_install")
class TestPrivacyReachesTheNewsletter(NewsletterCommon):
    """Erasure and objection in the privacy lifecycle end the newsletter too,
    in Mailchimp as well."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.student = cls.env["mph.student"].create({"name": "Sanne Bakker", "email": "sanne@example.nl"})

    def test_destruction_deletes_the_member_permanently(self):
        stub = self.start_stub()
        self.subscribe("sanne@example.nl")
        self.Sync._cron_sync()
        self.assertIn("sanne@example.nl", stub.members)
        self.env["mph.retention"]._anonymise(self.student)
        self.assertEqual(self.student.state, "anonymised")
        self.assertNotIn("sanne@example.nl", stub.members)
        paths = [path for _method, path, _body in stub.requests]
        self.assertIn(f"/3.0/lists/aud123/members/{member_id('sanne@example.nl')}/actions/delete-permanent", paths)
        self.assertFalse(self.env["mailing.contact"].search([("email_normalized", "=", "sanne@example.nl")]))
        self.assertTrue(self.env["mph.newsletter.suppression"]._is_suppressed("sanne@example.nl"))
        # A later action of the coordinator does not bring the address back.
        other = self.env["mph.student"].create({"name": "Nieuw", "email": "sanne@example.nl"})
        result = other.with_user(self.user_coordinator).action_add_to_newsletter()
        self.assertIn("0 address(es) added", result["params"]["message"])

    def test_objection_request_unsubscribes(self):
        stub = self.start_stub()
        subscription = self.subscribe("sanne@example.nl")
        self.Sync._cron_sync()
        request = (
            self.env["mph.privacy.request"]
            .with_user(self.user_coordinator)
            .create({"request_type": "objection", "student_id": self.student.id, "identity_method": "known_email"})
        )
        request.action_verify_identity()
        request.action_process()
        self.assertTrue(subscription.opt_out)
        self.Sync._cron_sync()
        self.assertEqual(stub.members["sanne@example.nl"], "unsubscribed")
        self.assertTrue(self.env["mph.newsletter.suppression"]._is_suppressed("sanne@example.nl"))
