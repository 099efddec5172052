from odoo import api, models


class MailingContact(models.Model):
    _inherit = "mailing.contact"

    @api.model_create_multi
    def create(self, vals_list):
        contacts = super().create(vals_list)
        # ``list_ids`` writes the subscription rows directly, past
        # mailing.subscription's create: the newsletter's consent rule again.
        if any("list_ids" in vals for vals in vals_list):
            contacts._mph_require_consent()
        return contacts

    def write(self, vals):
        res = super().write(vals)
        if "email" in vals:
            self.subscription_ids.filtered("list_id.is_mph_newsletter").sudo().mailchimp_dirty = True
        if "list_ids" in vals:
            self._mph_require_consent()
        return res

    def _mph_require_consent(self):
        # The rows were written in SQL: read them fresh, not from the cache.
        self.env["mailing.subscription"].invalidate_model()
        self.invalidate_recordset(["subscription_ids"])
        self.env["mailing.subscription"].sudo().search(
            [("contact_id", "in", self.ids), ("list_id.is_mph_newsletter", "=", True), ("mph_state", "=", False)]
        )._mph_require_consent()
