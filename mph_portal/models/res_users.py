from odoo import models


class ResUsers(models.Model):
    _inherit = "res.users"

    def _mph_newsletter_subscriptions(self):
        """The user's own address on the school newsletter (when the newsletter
        addon is installed), still subscribed."""
        self.ensure_one()
        List = self.env["mailing.list"] if "mailing.list" in self.env else None
        email = self.partner_id.email_normalized
        if List is None or not hasattr(List, "_mph_newsletter") or not email:
            return None
        newsletter = List._mph_newsletter()
        if not newsletter:
            return None
        return (
            self.env["mailing.subscription"]
            .sudo()
            .search(
                [("list_id", "=", newsletter.id), ("contact_id.email_normalized", "=", email), ("opt_out", "=", False)]
            )
        )

    def _mph_newsletter_unsubscribe(self):
        """Unsubscribe the user's own address from the newsletter, as the
        unsubscribe link in every mailing does (the next Mailchimp push
        follows). Returns whether anything changed."""
        subscriptions = self._mph_newsletter_subscriptions()
        if not subscriptions:
            return False
        subscriptions.write({"opt_out": True})
        return True
