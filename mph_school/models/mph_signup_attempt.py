import hashlib
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools.misc import hmac as hmac_tool

HASH_SCOPE = "mph_school-signup-ip"
# Sign-ups are serialised per e-mail address over this many lock rows; two
# addresses sharing a row only cost one of them a retry.
LOCK_BUCKETS = 256


class MphSignupAttempt(models.Model):
    """One post of the public sign-up form, for the per-address rate limit.
    Only a keyed hash of the IP address is kept, never the address itself,
    and rows older than the window are removed by the sign-up cron."""

    _name = "mph.signup.attempt"
    _description = "Sign-up Attempt"
    _log_access = False

    ip_hash = fields.Char(required=True, index=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)

    def init(self):
        res = super().init()
        # Lock rows for _mph_serialise: numbers only, never personal data.
        self.env.cr.execute("CREATE TABLE IF NOT EXISTS mph_signup_lock (bucket integer PRIMARY KEY)")
        self.env.cr.execute(
            "INSERT INTO mph_signup_lock (bucket) SELECT generate_series(0, %s) ON CONFLICT DO NOTHING",
            [LOCK_BUCKETS - 1],
        )
        return res

    @api.model
    def _mph_serialise(self, *emails):
        """Make simultaneous sign-ups with the same e-mail address run one
        after the other, so the second one finds the pupil (or guardian) the
        first one created instead of making a duplicate.

        Updating the address's lock row waits for a transaction that holds
        it; once that one commits, PostgreSQL refuses the update under
        Odoo's repeatable-read isolation ("could not serialize access"), and
        Odoo runs the whole request again on a fresh snapshot."""
        buckets = sorted(
            {
                int.from_bytes(hashlib.sha256(email.strip().lower().encode()).digest()[:4], "big") % LOCK_BUCKETS
                for email in emails
                if email
            }
        )
        for bucket in buckets:
            # A real update (not SELECT FOR UPDATE): only a concurrent update
            # makes PostgreSQL raise the serialisation failure.
            self.env.cr.execute("UPDATE mph_signup_lock SET bucket = bucket WHERE bucket = %s", [bucket])

    @api.model
    def _hash_ip(self, ip):
        return hmac_tool(self.env(su=True), HASH_SCOPE, ip or "")

    @api.model
    def _mph_limits(self):
        settings = self.env["mph.settings"]
        return (
            settings._get("mph_school.signup_rate_limit"),
            settings._get("mph_school.signup_rate_window_minutes"),
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
