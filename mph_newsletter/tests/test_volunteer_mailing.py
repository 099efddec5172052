from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import NewsletterCommon


@tagged("post_install", "-at_install")
class TestVolunteerMailing(NewsletterCommon):
    """A volunteer's mailing reaches the school newsletter's subscribers
    only, whatever recipients filter is saved (issue 13, point 8)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reader = cls.subscribe("lezer@example.nl")
        cls.waiting = cls.subscribe("wacht@example.nl", state="pending")
        cls.outsider = cls.env["mailing.contact"].create(
            {"email": "bestuur@example.nl", "list_ids": [(6, 0, cls.other_list.ids)]}
        )
        cls.list_model = cls.env.ref("mass_mailing.model_mailing_list")

    @classmethod
    def subscribe(cls, email, state="confirmed"):
        contact = cls.env["mailing.contact"].create({"email": email})
        cls.env["mailing.subscription"].create(
            {"contact_id": contact.id, "list_id": cls.newsletter.id, "mph_state": state}
        )
        return contact

    def _compose(self, **vals):
        return (
            self.env["mailing.mailing"]
            .with_user(self.user_volunteer)
            .create(
                {
                    "subject": "Nieuwsbrief",
                    "body_html": "<p>Concert</p>",
                    "mailing_model_id": self.list_model.id,
                    "contact_list_ids": [(6, 0, self.newsletter.ids)],
                    **vals,
                }
            )
        )

    def _sent_to(self, mailing):
        mailing.sudo().action_send_mail()
        traces = self.env["mailing.trace"].search([("mass_mailing_id", "=", mailing.id)])
        return set(traces.filtered(lambda t: t.trace_status != "cancel").mapped("email"))

    def test_volunteer_mailing_goes_to_the_newsletter(self):
        mailing = self._compose()
        self.assertTrue(mailing.mph_by_volunteer)
        self.assertEqual(self._sent_to(mailing), {"lezer@example.nl"})

    def test_domain_reaching_others_is_refused_on_save(self):
        reach_all = f"['|', ('list_ids', 'in', {self.newsletter.ids}), ('id', '!=', 0)]"
        with self.assertRaises(ValidationError):
            self._compose(mailing_domain=reach_all)
        mailing = self._compose()
        with self.assertRaises(ValidationError):
            mailing.with_user(self.user_volunteer).write({"mailing_domain": "[('email', 'ilike', 'bestuur')]"})
        # A narrower filter inside the list is allowed.
        mailing.with_user(self.user_volunteer).write({"mailing_domain": "[('email', 'ilike', 'lezer')]"})
        self.assertEqual(self._sent_to(mailing), {"lezer@example.nl"})

    def test_domain_changed_behind_the_check_is_narrowed_when_sent(self):
        mailing = self._compose()
        # Saved past the check (e.g. a direct SQL edit, or a subscriber who
        # left the list after saving): the sending still stays in the list.
        self.env.cr.execute(
            "UPDATE mailing_mailing SET mailing_domain = %s WHERE id = %s", ["[('id', '!=', 0)]", mailing.id]
        )
        mailing.invalidate_recordset()
        self.assertEqual(self._sent_to(mailing), {"lezer@example.nl"})

    def test_coordinator_mailing_keeps_its_filter(self):
        mailing = (
            self.env["mailing.mailing"]
            .with_user(self.user_coordinator)
            .sudo()
            .create(
                {
                    "subject": "Bestuur",
                    "body_html": "<p>Vergadering</p>",
                    "mailing_model_id": self.list_model.id,
                    "contact_list_ids": [(6, 0, self.other_list.ids)],
                }
            )
        )
        self.assertFalse(mailing.mph_by_volunteer)
        self.assertEqual(self._sent_to(mailing), {"bestuur@example.nl"})
