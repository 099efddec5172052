import re
import time
from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import HttpCase, tagged

from odoo.addons.mph_school.tests.common import legacy_link_token

from ..models.mailing_subscription import TOKEN_SCOPE


@tagged("post_install", "-at_install")
class TestDoubleOptIn(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.newsletter = cls.env.ref("mph_newsletter.mailing_list_newsletter")

    def test_page_is_in_the_website_menu(self):
        menu = self.env.ref("mph_newsletter.website_menu_newsletter")
        self.assertEqual(menu.url, "/nieuwsbrief")
        home = self.url_open("/")
        self.assertIn('href="/nieuwsbrief"', home.text)

    def _subscribe_over_http(self, email):
        page = self.url_open("/nieuwsbrief")
        self.assertEqual(page.status_code, 200)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        return self.url_open("/nieuwsbrief/aanmelden", data={"email": email, "csrf_token": csrf})

    def _subscription(self, email):
        return self.env["mailing.subscription"].search(
            [("list_id", "=", self.newsletter.id), ("contact_id.email_normalized", "=", email)]
        )

    def test_subscribe_confirm(self):
        response = self._subscribe_over_http("Nieuw@Example.nl")
        self.assertEqual(response.status_code, 200)
        subscription = self._subscription("nieuw@example.nl")
        self.assertEqual((subscription.mph_state, subscription.opt_out), ("pending", True))
        self.assertFalse(subscription.contact_id.name, "only the address is kept")
        mail = self.env["mail.mail"].search([("email_to", "=", "nieuw@example.nl")], limit=1)
        self.assertTrue(mail, "a confirmation mail is queued")
        url = re.search(r'href="[^"]*(/nieuwsbrief/bevestigen/[^"]+)"', mail.body_html).group(1).replace("&amp;", "&")
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        self.assertEqual(subscription.mph_state, "pending", "opening the link confirms nothing")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        self.assertEqual(self.url_open(url, data={"csrf_token": csrf}).status_code, 200, "the page's button")
        self.assertEqual((subscription.mph_state, subscription.opt_out), ("confirmed", False))
        self.assertEqual(self.url_open(url).status_code, 400, "a link works once")

    def test_invalid_input_creates_nothing(self):
        before = self.env["mailing.contact"].search_count([])
        response = self._subscribe_over_http("geen-adres")
        self.assertIn("is-invalid", response.text)
        response = self.url_open("/nieuwsbrief/aanmelden", data={"email": "x@example.nl"})
        self.assertNotEqual(response.status_code, 200, "no CSRF token: refused")
        self.assertEqual(self.env["mailing.contact"].search_count([]), before)

    def test_tampered_and_expired_tokens(self):
        subscription = self.env["mailing.subscription"]._mph_subscribe("wacht@example.nl")
        path = f"/nieuwsbrief/bevestigen/{subscription.id}"
        payload = [subscription.id, "wacht@example.nl"]
        # A link of the legacy form (?exp=&token=), mailed before hash_sign.
        expires = int(time.time()) + 3600
        token = legacy_link_token(self.env, TOKEN_SCOPE, payload, expires)
        tampered = token[:-2] + ("00" if token[-2:] != "00" else "11")
        response = self.url_open(f"{path}?exp={expires}&token={tampered}")
        self.assertEqual(response.status_code, 400)
        longer = self.url_open(f"{path}?exp={expires + 99}&token={token}")
        self.assertEqual(longer.status_code, 400, "the expiry is signed too")
        past = int(time.time()) - 10
        response = self.url_open(f"{path}?exp={past}&token={legacy_link_token(self.env, TOKEN_SCOPE, payload, past)}")
        self.assertEqual(response.status_code, 400)
        # A new link: tampered, expired, of another use.
        SignedLink = self.env["mph.signed.link"]
        token = SignedLink._sign(TOKEN_SCOPE, payload, days=1)
        self.assertEqual(self.url_open(f"{path}?token={token}").status_code, 200)
        tampered = token[:20] + ("A" if token[20] != "A" else "B") + token[21:]
        for bad in (
            tampered,
            SignedLink._sign(TOKEN_SCOPE, payload, days=-1),
            SignedLink._sign("mph_school-guardian-consent", payload, days=1),
        ):
            with self.subTest(token=bad[:30]):
                self.assertEqual(self.url_open(f"{path}?token={bad}").status_code, 400)
        self.assertEqual(subscription.mph_state, "pending")

    def test_unconfirmed_gets_no_newsletter_and_is_purged(self):
        pending = self.env["mailing.subscription"]._mph_subscribe("wacht@example.nl")
        confirmed_contact = self.env["mailing.contact"].create({"email": "ja@example.nl"})
        self.env["mailing.subscription"].create(
            {"contact_id": confirmed_contact.id, "list_id": self.newsletter.id, "mph_state": "confirmed"}
        )
        mailing = self.env["mailing.mailing"].create(
            {
                "subject": "Nieuws",
                "body_html": "<p>Concert op zaterdag</p>",
                "mailing_model_id": self.env.ref("mass_mailing.model_mailing_list").id,
                "contact_list_ids": [(6, 0, self.newsletter.ids)],
            }
        )
        mailing.action_send_mail()
        traces = self.env["mailing.trace"].search([("mass_mailing_id", "=", mailing.id)])
        sent = traces.filtered(lambda t: t.trace_status != "cancel").mapped("email")
        self.assertIn("ja@example.nl", sent)
        self.assertNotIn("wacht@example.nl", sent)
        newsletter_mail = self.env["mail.mail"].search([("mailing_id", "=", mailing.id)], limit=1)
        outgoing = newsletter_mail._prepare_outgoing_list()[0]
        self.assertIn("unsubscribe_oneclick", outgoing["headers"]["List-Unsubscribe"])
        self.assertEqual(outgoing["headers"]["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
        with freeze_time(fields.Datetime.now() + timedelta(days=31)):
            self.assertEqual(self.env["mailing.subscription"]._cron_purge_unconfirmed(), 1)
        self.assertFalse(pending.exists())
        self.assertFalse(self.env["mailing.contact"].search([("email_normalized", "=", "wacht@example.nl")]))
