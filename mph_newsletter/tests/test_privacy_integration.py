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
        self.env["mph.erasure"]._anonymise(self.student)
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

    def test_erasure_removes_the_newsletter_mail(self):
        """Erasing an address from the newsletter (on its own, or with a
        pupil's data): the confirmation mail (queued: no mail server) and its
        message, and the address on a mailing trace, go with the
        subscription; another address's mail and the trace's count stay."""
        Subscription = self.env["mailing.subscription"]
        mine = Subscription._mph_subscribe("sanne@example.nl")
        other = Subscription._mph_subscribe("marisanne@example.nl")
        Mail = self.env["mail.mail"].sudo()

        def confirmation(subscription):
            return Mail.search([("model", "=", "mailing.subscription"), ("res_id", "=", subscription.id)])

        mail, other_mail = confirmation(mine), confirmation(other)
        self.assertEqual((len(mail), len(other_mail)), (1, 1), "one confirmation mail each, queued")
        self.assertEqual(mail.email_to, "sanne@example.nl")
        message = mail.mail_message_id
        mailing = self.env["mailing.mailing"].create(
            {"subject": "Nieuwsbrief", "mailing_model_id": self.env.ref("mass_mailing.model_mailing_list").id}
        )
        trace = self.env["mailing.trace"].create(
            {
                "mass_mailing_id": mailing.id,
                "email": "sanne@example.nl",
                "model": "mailing.contact",
                "res_id": mine.contact_id.id,
            }
        )
        other_trace = self.env["mailing.trace"].create(
            {
                "mass_mailing_id": mailing.id,
                "email": "marisanne@example.nl",
                "model": "mailing.contact",
                "res_id": other.contact_id.id,
            }
        )
        self.Sync._erase_email("Sanne@Example.nl ")
        self.assertFalse(mail.exists())
        self.assertFalse(message.exists())
        self.assertFalse(Mail.search([("email_to", "=ilike", "sanne@example.nl")]))
        self.assertFalse(self.env["mail.message"].sudo().search([("body", "ilike", "sanne@example.nl")]))
        self.assertFalse(mine.exists())
        self.assertTrue(trace.exists(), "the mailing's statistics keep their count")
        self.assertFalse(trace.email)
        # Another address (containing this one) keeps its mail and trace.
        self.assertTrue(other_mail.exists() and other.exists())
        self.assertEqual(other_trace.email, "marisanne@example.nl")
        self.assertEqual(len(mailing.mailing_trace_ids), 2)

    def test_destruction_removes_the_newsletter_mail_too(self):
        self.env["mailing.subscription"]._mph_subscribe("sanne@example.nl")
        Mail = self.env["mail.mail"].sudo()
        self.assertTrue(Mail.search([("email_to", "=", "sanne@example.nl")]))
        self.env["mph.erasure"]._anonymise(self.student)
        self.assertFalse(Mail.search([("email_to", "ilike", "sanne@example.nl")]))
        self.assertFalse(self.env["mail.message"].sudo().search([("model", "=", "mailing.subscription")]))
