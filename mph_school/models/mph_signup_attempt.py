from datetime import timedelta

from odoo import api, fields, models
from odoo.tools.misc import hmac as hmac_tool

HASH_SCOPE = "mph_school-signup-ip"


class MphSignupAttempt(models.Model):
    """One post of the public sign-up form, for the per-address rate limit.
    Only a keyed hash of the IP address is kept, never the address itself,
    and rows older than the window are removed by the sign-up cron."""

    _name = "mph.signup.attempt"
    _description = "Sign-up Attempt"
    _log_access = False

    ip_hash = fields.Char(required=True, index=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)

    @api.model
    def _hash_ip(self, ip):
        return hmac_tool(self.env(su=True), HASH_SCOPE, ip or "")

    @api.model
    def _mph_limits(self):
        params = self.env["ir.config_parameter"].sudo()
        return (
            int(params.get_param("mph_school.signup_rate_limit", 5)),
            int(params.get_param("mph_school.signup_rate_window_minutes", 60)),
        )

    @api.model
    def _mph_register(self, ip):
        """Count this post; False when the address is over the limit."""
        limit, minutes = self._mph_limits()
        ip_hash = self._hash_ip(ip)
        since = fields.Datetime.now() - timedelta(minutes=minutes)
        recent = self.sudo().search_count([("ip_hash", "=", ip_hash), ("date", ">=", since)])
        if limit and recent >= limit:
            return False
        self.sudo().create({"ip_hash": ip_hash})
        return True

    @api.model
    def _mph_purge(self):
        _limit, minutes = self._mph_limits()
        self.sudo().search([("date", "<", fields.Datetime.now() - timedelta(minutes=minutes))]).unlink()
