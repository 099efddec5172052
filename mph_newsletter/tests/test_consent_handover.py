from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import tagged

from .common import NewsletterCommon


@tagged("post_install", "-at_install", "mph_consent_handover")
class TestConsentHandoverNewsletter(NewsletterCommon):
    """At 16 the newsletter based on the guardian's consent stops for the
    pupil's own address, and comes back with the pupil's own consent."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.guardian = cls.env["res.partner"].create({"name": "Karin Visser", "email": "karin@example.nl"})
        cls.teen = cls.env["mph.student"].create(
            {
                "name": "Noor Visser",
                "email": "noor@example.nl",
                "birthdate": date.today() - relativedelta(years=16),
                "guardian_id": cls.guardian.id,
                "guardian_consent_date": fields.Datetime.now() - timedelta(days=300),
                "newsletter_consent": True,
                "state": "active",
            }
        )

    def test_lapse_stops_the_pupils_address_and_own_consent_restores_it(self):
        own = self.subscribe("noor@example.nl", dirty=False)
        guardians = self.subscribe("karin@example.nl", state="soft_opt_in", dirty=False)
        self.assertEqual(self.env["mph.consent"]._cron_consent_handover(), (1, 0))
        self.assertTrue(own.opt_out, "the pupil's address leaves the newsletter")
        self.assertTrue(own.mailchimp_dirty, "and Mailchimp hears of it on the next push")
        self.assertFalse(guardians.opt_out, "the guardian's own subscription is the guardian's")
        # The coordinator's soft opt-in no longer adds the pupil on the guardian's consent.
        result = self.teen.with_user(self.user_coordinator).action_add_to_newsletter()
        self.assertIn("16 or older without own consent", result["params"]["message"])
        self.assertTrue(own.opt_out)

        self.env["mph.consent"]._mph_answer_own_consent(self.teen, True, {})
        self.assertFalse(own.opt_out)
        self.assertEqual(own.mph_state, "confirmed")
        self.assertTrue(own.mph_confirmed_on)

    def test_own_consent_without_subscription_subscribes_and_refusal_does_not(self):
        self.env["mph.consent"]._cron_consent_handover()
        self.env["mph.consent"]._mph_answer_own_consent(self.teen, False, {})
        Subscription = self.env["mailing.subscription"]
        domain = [("list_id", "=", self.newsletter.id), ("contact_id.email_normalized", "=", "noor@example.nl")]
        self.assertFalse(Subscription.search(domain))
        self.teen.own_consent_state = "requested"  # asked again
        self.env["mph.consent"]._mph_answer_own_consent(self.teen, True, {})
        subscription = Subscription.search(domain)
        self.assertEqual(len(subscription), 1)
        self.assertEqual((subscription.mph_state, subscription.opt_out), ("confirmed", False))
