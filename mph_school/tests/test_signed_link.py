import time
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import TransactionCase, tagged

from .common import legacy_link_token

SCOPE = "mph_school-test-link"
OTHER_SCOPE = "mph_school-test-other-link"


@tagged("post_install", "-at_install", "mph_signup", "mph_signed_link")
class TestSignedLink(TransactionCase):
    """The one implementation of the school's signed links, both ways: a new
    link (hash_sign) and a link mailed in the legacy form (?exp=&token=)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Link = cls.env["mph.signed.link"]
        cls.payload = [42, "ouder@example.nl"]

    def test_new_link_works_until_it_expires(self):
        token = self.Link._sign(SCOPE, self.payload, days=30)
        self.assertEqual(self.Link._verify(SCOPE, token), self.payload)
        self.assertTrue(self.Link._check(SCOPE, self.payload, token))
        with freeze_time(datetime.now() + timedelta(days=29)):
            self.assertTrue(self.Link._check(SCOPE, self.payload, token))
        with freeze_time(datetime.now() + timedelta(days=31)):
            self.assertIsNone(self.Link._verify(SCOPE, token))
            self.assertFalse(self.Link._check(SCOPE, self.payload, token))
        self.assertFalse(self.Link._check(SCOPE, self.payload, self.Link._sign(SCOPE, self.payload, days=0)))

    def test_link_without_expiry(self):
        token = self.Link._sign(SCOPE, self.payload)
        with freeze_time(datetime.now() + timedelta(days=3650)):
            self.assertEqual(self.Link._verify(SCOPE, token), self.payload)

    def test_tampered_foreign_or_malformed_new_link_fails(self):
        token = self.Link._sign(SCOPE, self.payload, days=30)
        tampered = token[:20] + ("A" if token[20] != "A" else "B") + token[21:]
        for bad in (
            tampered,
            token[:-3],
            self.Link._sign(OTHER_SCOPE, self.payload, days=30),  # another use's link
            "\u00e9" * 30,
            "a" * 5000,
            "",
            None,
            ["x"],
        ):
            with self.subTest(token=str(bad)[:40]):
                self.assertIsNone(self.Link._verify(SCOPE, bad))
                self.assertFalse(self.Link._check(SCOPE, self.payload, bad))
        # Signed over another record or address: valid, but not this link.
        other = self.Link._sign(SCOPE, [43, "ouder@example.nl"], days=30)
        self.assertFalse(self.Link._check(SCOPE, self.payload, other))
        changed = self.Link._sign(SCOPE, [42, "nieuw@example.nl"], days=30)
        self.assertFalse(self.Link._check(SCOPE, self.payload, changed))

    def test_legacy_link_works_until_it_expires(self):
        exp = int(time.time()) + 30 * 86400
        token = legacy_link_token(self.env, SCOPE, self.payload, exp)
        self.assertTrue(self.Link._check(SCOPE, self.payload, token, exp=str(exp)))
        with freeze_time(datetime.now() + timedelta(days=29)):
            self.assertTrue(self.Link._check(SCOPE, self.payload, token, exp=str(exp)))
        with freeze_time(datetime.now() + timedelta(days=31)):
            self.assertFalse(self.Link._check(SCOPE, self.payload, token, exp=str(exp)))

    def test_tampered_foreign_or_malformed_legacy_link_fails(self):
        exp = int(time.time()) + 30 * 86400
        token = legacy_link_token(self.env, SCOPE, self.payload, exp)
        past = exp - 40 * 86400
        for bad_exp, bad_token in (
            (str(exp), token[:-2] + ("00" if not token.endswith("00") else "11")),
            (str(exp + 86400), token),  # a later expiry under the same signature
            (str(past), legacy_link_token(self.env, SCOPE, self.payload, past)),
            (str(exp), legacy_link_token(self.env, OTHER_SCOPE, self.payload, exp)),
            (str(exp), legacy_link_token(self.env, SCOPE, [43, "ouder@example.nl"], exp)),
            ("x", token),
            ("\u00b2", token),
            ("1" * 5000, token),
            (str(exp), "\u00e9" * 16),
            (str(exp), "a" * 5000),
            (str(exp), None),
        ):
            with self.subTest(exp=bad_exp[:20], token=str(bad_token)[:20]):
                self.assertFalse(self.Link._check(SCOPE, self.payload, bad_token, exp=bad_exp))
        # A legacy token is no new link, and the other way round.
        self.assertFalse(self.Link._check(SCOPE, self.payload, token))
        new = self.Link._sign(SCOPE, self.payload, days=30)
        self.assertFalse(self.Link._check(SCOPE, self.payload, new, exp=str(exp)))
