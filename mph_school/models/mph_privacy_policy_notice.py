from odoo import fields, models


class MphPrivacyPolicyNotice(models.Model):
    """Who was told of a material change of the privacy policy, and when."""

    _name = "mph.privacy.policy.notice"
    _description = "Privacy Policy Change Notice"
    _order = "id desc"

    policy_id = fields.Many2one("mph.privacy.policy", required=True, ondelete="cascade", index=True, readonly=True)
    partner_id = fields.Many2one("res.partner", string="Sent to", required=True, ondelete="cascade", readonly=True)
    email = fields.Char(related="partner_id.email")
