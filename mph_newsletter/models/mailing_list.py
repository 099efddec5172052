from odoo import api, fields, models


class MailingList(models.Model):
    _inherit = "mailing.list"

    is_mph_newsletter = fields.Boolean(
        string="School newsletter",
        readonly=True,
        help="The Muziekpakhuis newsletter: double opt-in, synchronised with Mailchimp, "
        "the only list newsletter volunteers can see.",
    )

    @api.model
    def _mph_newsletter(self):
        return self.sudo().with_context(active_test=False).search([("is_mph_newsletter", "=", True)], limit=1)

    @api.depends("name", "contact_count")
    def _compute_display_name(self):
        res = super()._compute_display_name()
        # A list without a name yet (a new one) has no display name, so the
        # breadcrumb says "New" instead of "False (0)".
        for mailing_list in self.filtered(lambda m: not m.name):
            mailing_list.display_name = False
        return res
