from odoo import api, models

from odoo.addons.mph_school.models.mph_settings import Setting

from .mph_mailchimp_sync import BACKOFF


class MphSettings(models.AbstractModel):
    _inherit = "mph.settings"

    @api.model
    def _mph_settings(self):
        return {
            **super()._mph_settings(),
            # Days a subscriber has to confirm the address (double opt-in)
            "mph_newsletter.confirm_days": Setting(int, 30, 1),
            # Mailchimp: without a key and an audience nothing is synchronised
            "mph_newsletter.mailchimp_api_key": Setting(str, ""),
            "mph_newsletter.mailchimp_audience_id": Setting(str, ""),
            # Empty: taken from the key ("...-us21")
            "mph_newsletter.mailchimp_server_prefix": Setting(str, ""),
            # Empty: Mailchimp's own address for the server prefix
            "mph_newsletter.mailchimp_base_url": Setting(str, ""),
            # Seconds to wait before retrying a request Mailchimp throttled
            "mph_newsletter.mailchimp_backoff": Setting(float, BACKOFF, 0),
            # The secret in the webhook's URL, made when Settings are saved
            "mph_newsletter.webhook_secret": Setting(str, ""),
        }
