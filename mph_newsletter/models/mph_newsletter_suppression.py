from odoo import api, fields, models
from odoo.tools import email_normalize
from odoo.tools.misc import hmac as hmac_tool

HASH_SCOPE = "mph_newsletter-suppression"


class MphNewsletterSuppression(models.Model):
    """Addresses that must never be (re)added to the newsletter, kept only as
    a keyed hash: after an erasure the school keeps no address, yet a sync or
    an import cannot bring the person back."""

    _name = "mph.newsletter.suppression"
    _description = "Newsletter Suppression"
    _order = "id desc"

    email_hash = fields.Char(required=True, index=True, readonly=True)
    reason = fields.Selection(
        [("erased", "Erased on request"), ("objection", "Objected to the newsletter")],
        required=True,
        readonly=True,
    )
    mailchimp_deleted = fields.Boolean(
        string="Deleted in Mailchimp",
        readonly=True,
        help="Until set, every sync retries the permanent deletion in Mailchimp.",
    )
    mailchimp_subscriber_hash = fields.Char(
        readonly=True,
        help="Mailchimp's own member id (MD5 of the address), needed for the deletion; "
        "cleared once Mailchimp confirmed it.",
    )

    @api.model
    def _hash(self, email):
        return hmac_tool(self.env(su=True), HASH_SCOPE, email_normalize(email) or email.strip().lower())

    @api.model
    def _find(self, email):
        return self.search([("email_hash", "=", self._hash(email))]) if email else self.browse()

    @api.model
    def _is_suppressed(self, email):
        return bool(self._find(email))

    @api.model
    def _suppressed_emails(self, emails):
        """The subset of ``emails`` that is suppressed, in one query."""
        by_hash = {self._hash(email): email for email in emails if email}
        found = self.search([("email_hash", "in", list(by_hash))]).mapped("email_hash")
        return {by_hash[h] for h in found}
