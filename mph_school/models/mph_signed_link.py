"""The one implementation of the signed links the school hands out: the
guardian's consent, the pupil's own consent at 16, the newsletter
confirmation, the confirmation of a held sign-up and the teacher's calendar
feed. A link is Odoo's ``hash_sign`` token (HMAC-SHA256 with the database
secret over a scope, a JSON payload and the expiry, carried in the token);
each use has its own scope, so a link of one use never opens another."""

import binascii
import datetime
import re
import time

from odoo import api, models
from odoo.tools import consteq, hash_sign, verify_hash_signed
from odoo.tools.misc import hmac as hmac_tool

# A token is URL-safe base64; the length bounds what is decoded at all.
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,1000}")
# The legacy form's parameters (see _verify_legacy).
LEGACY_EXPIRY_RE = re.compile(r"[0-9]{1,12}")
LEGACY_TOKEN_RE = re.compile(r"[0-9a-f]{16,128}")


class MphSignedLink(models.AbstractModel):
    _name = "mph.signed.link"
    _description = "Signed Link"

    @api.model
    def _sign(self, scope, payload, days=None):
        """A token for ``payload`` (JSON data) in ``scope``, valid for ``days``
        days from now; without ``days`` it does not expire."""
        expiration = None
        if days is not None:
            expiration = datetime.datetime.now() + datetime.timedelta(days=days)
        return hash_sign(self.env(su=True), scope, payload, expiration=expiration)

    @api.model
    def _verify(self, scope, token):
        """The payload of a valid, unexpired ``token`` of ``scope``; None for
        anything else (tampered, expired, of another scope, malformed)."""
        if not isinstance(token, str) or not TOKEN_RE.fullmatch(token):
            return None
        try:
            return verify_hash_signed(self.env(su=True), scope, token)
        except (ValueError, TypeError, UnicodeDecodeError, binascii.Error):
            return None

    @api.model
    def _check(self, scope, expected, token, exp=None):
        """Whether ``token`` is a valid, unexpired link of ``scope`` signed
        over exactly ``expected`` (a list). With ``exp`` the link is of the
        legacy form ``?exp=&token=``."""
        if exp:
            return self._verify_legacy(scope, expected, exp, token)
        return self._verify(scope, token) == expected

    # LEGACY: links mailed before the signed links moved to hash_sign carry
    # ``?exp=<unix time>&token=<hex>``: an HMAC-SHA256 with the database secret
    # over the payload's values and the expiry joined by ":". They stay valid
    # until they expire. Delete this function, the ``exp`` argument of
    # _check and the LEGACY_* patterns once the longest term given out has
    # passed (the sign-up, own-consent and newsletter terms: 30 days by
    # default, see their settings) after this change was deployed.
    @api.model
    def _verify_legacy(self, scope, expected, exp, token):
        if not isinstance(exp, str) or not LEGACY_EXPIRY_RE.fullmatch(exp):
            return False
        if not isinstance(token, str) or not LEGACY_TOKEN_RE.fullmatch(token):
            return False
        expires = int(exp)
        if expires < time.time():
            return False
        message = ":".join([*(str(value) for value in expected), str(expires)])
        return consteq(hmac_tool(self.env(su=True), scope, message), token)
