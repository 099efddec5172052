import secrets

from odoo import api, fields, models

from odoo.addons.mph_school.models.mph_settings import setting_default


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    mph_mailchimp_server_prefix = fields.Char(
        string="Mailchimp server prefix", config_parameter="mph_newsletter.mailchimp_server_prefix"
    )
    mph_mailchimp_audience_id = fields.Char(
        string="Mailchimp audience id", config_parameter="mph_newsletter.mailchimp_audience_id"
    )
    mph_mailchimp_api_key_hint = fields.Char(
        string="Mailchimp API key",
        compute="_compute_mph_mailchimp_api_key_hint",
        help="Only the last characters of the stored key are shown.",
    )
    mph_mailchimp_api_key_new = fields.Char(
        string="New Mailchimp API key", help="Write-only: the key is stored and never shown back in full."
    )
    mph_newsletter_confirm_days = fields.Integer(
        string="Days to confirm a subscription",
        config_parameter="mph_newsletter.confirm_days",
        default=setting_default("mph_newsletter.confirm_days"),
    )
    mph_mailchimp_webhook_url = fields.Char(string="Mailchimp webhook URL", compute="_compute_mph_webhook_url")

    @api.depends("mph_mailchimp_api_key_new")
    def _compute_mph_mailchimp_api_key_hint(self):
        key = self.env["mph.settings"]._get("mph_newsletter.mailchimp_api_key")
        for settings in self:
            settings.mph_mailchimp_api_key_hint = f"…{key[-4:]}" if key else False

    def _compute_mph_webhook_url(self):
        secret = self.env["mph.settings"]._get("mph_newsletter.webhook_secret")
        for settings in self:
            settings.mph_mailchimp_webhook_url = (
                f"{settings.get_base_url()}/mph/mailchimp/webhook/{secret}" if secret else False
            )

    def set_values(self):
        res = super().set_values()
        settings = self.env["mph.settings"]
        if self.mph_mailchimp_api_key_new:
            settings._set("mph_newsletter.mailchimp_api_key", self.mph_mailchimp_api_key_new.strip())
        if not settings._get("mph_newsletter.webhook_secret"):
            settings._set("mph_newsletter.webhook_secret", secrets.token_urlsafe(24))
        return res
