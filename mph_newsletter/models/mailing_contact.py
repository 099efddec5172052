from odoo import models


class MailingContact(models.Model):
    _inherit = "mailing.contact"

    def write(self, vals):
        res = super().write(vals)
        if "email" in vals:
            self.subscription_ids.filtered("list_id.is_mph_newsletter").sudo().mailchimp_dirty = True
        return res
