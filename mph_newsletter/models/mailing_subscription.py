import time

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import consteq
from odoo.tools.misc import hmac as hmac_tool

TOKEN_SCOPE = "mph_newsletter-confirm"
# Context key of the flows that record a subscriber's own consent (the
# confirmation link, Mailchimp's webhook): only they put an address that is
# opted out back on the school newsletter.
CONSENT_CONTEXT = "mph_newsletter_consent"


class MailingSubscription(models.Model):
    _inherit = "mailing.subscription"

    mph_state = fields.Selection(
        [
            ("pending", "Waiting for confirmation"),
            ("confirmed", "Confirmed (double opt-in)"),
            ("soft_opt_in", "Existing pupil (soft opt-in)"),
            ("mailchimp", "Subscribed in Mailchimp"),
        ],
        string="Newsletter consent",
        index=True,
        help="How this address came on the school newsletter. Waiting addresses are never mailed.",
    )
    mph_requested_on = fields.Datetime(string="Requested on")
    mph_confirmed_on = fields.Datetime(string="Confirmed on")
    mailchimp_dirty = fields.Boolean(
        string="To synchronise",
        default=True,
        index=True,
        help="Changed since the last push to Mailchimp.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # An address waiting for its confirmation is opted out, so Odoo's
            # own sending logic never mails it.
            if vals.get("mph_state") == "pending":
                vals["opt_out"] = True
        subscriptions = super().create(vals_list)
        subscriptions._mph_require_consent()
        return subscriptions

    def write(self, vals):
        if "opt_out" in vals and not vals["opt_out"] and not self.env.context.get(CONSENT_CONTEXT):
            if any(s.opt_out and s.list_id.is_mph_newsletter for s in self.sudo()):
                self.check_access("write")  # who may not write at all is told so first
                raise UserError(
                    self.env._(
                        "An address that unsubscribed, was erased or has not confirmed yet only comes back "
                        "on the school newsletter by confirming the link mailed to it."
                    )
                )
        if "opt_out" in vals and "mailchimp_dirty" not in vals:
            vals = dict(vals, mailchimp_dirty=True)
        return super().write(vals)

    def _mph_require_consent(self):
        """Subscriptions to the school newsletter that record no consent
        (made by Odoo's own paths: the website block, forms, the list
        settings page, an import) become a double opt-in: opted out until the
        address owner confirms the link mailed now."""
        unconsented = self.sudo().filtered(lambda s: s.list_id.is_mph_newsletter and not s.mph_state and not s.opt_out)
        for subscription in unconsented:
            subscription._mph_start_double_opt_in()

    # ------------------------------------------------------------
    # Double opt-in
    # ------------------------------------------------------------

    def _mph_token(self, expires):
        self.ensure_one()
        message = f"{self.id}:{self.contact_id.email_normalized}:{int(expires)}"
        return hmac_tool(self.env(su=True), TOKEN_SCOPE, message)

    def _mph_confirmation_url(self):
        self.ensure_one()
        days = self.env["mph.settings"]._get("mph_newsletter.confirm_days")
        expires = int(time.time()) + days * 86400
        return f"{self.get_base_url()}/nieuwsbrief/bevestigen/{self.id}?exp={expires}&token={self._mph_token(expires)}"

    def _mph_check_token(self, expires, token):
        """True when ``token`` is this pending subscription's, unexpired."""
        self.ensure_one()
        try:
            expires = int(expires)
        except (TypeError, ValueError):
            return False
        if expires < time.time() or self.mph_state != "pending":
            return False
        return consteq(self._mph_token(expires), token or "")

    def _mph_confirm(self):
        self.ensure_one()
        self.with_context(**{CONSENT_CONTEXT: True}).write(
            {"mph_state": "confirmed", "opt_out": False, "mph_confirmed_on": fields.Datetime.now()}
        )
        suppressions = self.env["mph.newsletter.suppression"].sudo()._find(self.contact_id.email_normalized)
        # The person asked again themselves: a former erasure no longer blocks.
        suppressions.filtered(lambda s: s.mailchimp_deleted).unlink()

    @api.model
    def _mph_subscribe(self, email):
        """Start a double opt-in for ``email`` on the school newsletter and
        mail the confirmation link. Returns the subscription."""
        newsletter = self.env["mailing.list"]._mph_newsletter()
        Contact = self.env["mailing.contact"].sudo()
        contact = Contact.search([("email_normalized", "=", email), ("list_ids", "in", newsletter.ids)], limit=1)
        subscription = contact.subscription_ids.filtered(lambda s: s.list_id == newsletter)
        if subscription and subscription.mph_state != "pending" and not subscription.opt_out:
            return subscription  # already subscribed: say nothing more
        if not contact:
            contact = Contact.create({"email": email})
        if not subscription:
            subscription = self.sudo().create(
                {"contact_id": contact.id, "list_id": newsletter.id, "mph_state": "pending"}
            )
        subscription._mph_start_double_opt_in()
        return subscription

    def _mph_start_double_opt_in(self):
        """Opt the address out until its owner confirms, and mail the link."""
        self.ensure_one()
        self.sudo().write({"mph_state": "pending", "opt_out": True, "mph_requested_on": fields.Datetime.now()})
        email = self.contact_id.email_normalized
        if email:
            template = self.env.ref("mph_newsletter.mail_template_newsletter_confirm").sudo()
            template.send_mail(self.id, email_values={"email_to": email}, force_send=False)

    @api.model
    def _cron_purge_unconfirmed(self):
        """Remove addresses that were never confirmed within the period."""
        days = self.env["mph.settings"]._get("mph_newsletter.confirm_days")
        limit = fields.Datetime.subtract(fields.Datetime.now(), days=days)
        stale = self.sudo().search([("mph_state", "=", "pending"), ("mph_requested_on", "<", limit)])
        contacts = stale.contact_id
        stale.unlink()
        contacts.filtered(lambda c: not c.subscription_ids).unlink()
        return len(stale)

    # ------------------------------------------------------------
    # Changes made in Mailchimp (webhook)
    # ------------------------------------------------------------

    @api.model
    def _mph_mailchimp_event(self, event, email, new_email=None):
        """Apply an event from Mailchimp. Nothing here marks the subscription
        for a push back: Mailchimp already knows."""
        newsletter = self.env["mailing.list"]._mph_newsletter()
        subscriptions = self.sudo().search(
            [("list_id", "=", newsletter.id), ("contact_id.email_normalized", "=", email)]
        )
        if event in ("unsubscribe", "cleaned"):
            subscriptions.write({"opt_out": True, "mailchimp_dirty": False})
            if event == "cleaned":
                self.env["mail.blacklist"].sudo()._add(email, message=self.env._("Cleaned in Mailchimp"))
        elif event == "upemail" and new_email:
            subscriptions.contact_id.write({"email": new_email})
            subscriptions.write({"mailchimp_dirty": False})
        elif event == "subscribe":
            if self.env["mph.newsletter.suppression"].sudo()._is_suppressed(email):
                return subscriptions
            if subscriptions:
                # Mailchimp's own sign-up form asked the subscriber's consent.
                subscriptions.with_context(**{CONSENT_CONTEXT: True}).write(
                    {"opt_out": False, "mailchimp_dirty": False}
                )
            else:
                contact = self.env["mailing.contact"].sudo().create({"email": email})
                subscriptions = self.sudo().create(
                    {
                        "contact_id": contact.id,
                        "list_id": newsletter.id,
                        "mph_state": "mailchimp",
                        "mailchimp_dirty": False,
                    }
                )
        # "profile": merge fields (names) are not kept here; nothing to apply.
        return subscriptions
