"""One way onto the school newsletter (issue 13, point 5): Odoo's stock
newsletter routes follow the double opt-in of /nieuwsbrief, the
confirmation link confirms only through its page's button, one e-mail rule
for every form, and bad input changes nothing."""

import json
import re
import time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.mph_school.models.res_partner import valid_email
from odoo.addons.mph_school.tests.common import legacy_link_token

from ..models.mailing_subscription import TOKEN_SCOPE

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
CONFIRM_RE = re.compile(r"(/nieuwsbrief/bevestigen/\d+\?token=[A-Za-z0-9_-]+)")
BAD_ADDRESSES = ["a@b", "jan@localhost", "<script>alert(1)</script>@example.nl", "<script>x@example.nl", "geen adres"]


@tagged("post_install", "-at_install")
class TestNewsletterEntry(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.newsletter = cls.env.ref("mph_newsletter.mailing_list_newsletter")
        cls.board = cls.env["mailing.list"].create({"name": "Intern bestuur", "is_public": False})
        cls.public_other = cls.env["mailing.list"].create({"name": "Concertagenda", "is_public": True})

    # ------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------

    def _subscription(self, email):
        return self.env["mailing.subscription"].search(
            [("list_id", "=", self.newsletter.id), ("contact_id.email_normalized", "=", email)]
        )

    def _mails_to(self, email):
        return self.env["mail.mail"].search([("email_to", "=", email)])

    def _stock_subscribe(self, email, list_id=None):
        return self.make_jsonrpc_request(
            "/website_mass_mailing/subscribe",
            {"list_id": list_id or self.newsletter.id, "value": email, "subscription_type": "email"},
        )

    def _subscribed(self, email, state="confirmed", opt_out=False):
        contact = self.env["mailing.contact"].create({"email": email})
        return self.env["mailing.subscription"].create(
            {"contact_id": contact.id, "list_id": self.newsletter.id, "mph_state": state, "opt_out": opt_out}
        )

    # ------------------------------------------------------------
    # One e-mail rule
    # ------------------------------------------------------------

    def test_one_email_rule(self):
        for bad in [*BAD_ADDRESSES, "x@example.nl, y@example.nl", "Jan <jan@example.nl>", "x..y@example.nl", None]:
            self.assertIsNone(valid_email(bad), bad)
        self.assertEqual(valid_email(" Jan.de.Vries@Example.NL "), "jan.de.vries@example.nl")
        self.assertEqual(valid_email("o'brien+nieuws@muziek.example.ie"), "o'brien+nieuws@muziek.example.ie")
        # The contact check of the school uses the same rule.
        with self.assertRaises(ValidationError):
            self.env["mph.student"].create({"name": "Test Leerling", "email": "jan@localhost"})
        self.assertTrue(self.env["mph.student"].create({"name": "Test Leerling", "email": "jan@example.nl"}))

    # ------------------------------------------------------------
    # Odoo's stock newsletter block
    # ------------------------------------------------------------

    def test_stock_subscribe_starts_the_double_opt_in(self):
        answer = self._stock_subscribe("Blok@Example.nl")
        self.assertEqual(answer["toast_type"], "success")
        subscription = self._subscription("blok@example.nl")
        self.assertEqual((subscription.mph_state, subscription.opt_out), ("pending", True), "not mailed yet")
        mail = self._mails_to("blok@example.nl")
        self.assertEqual(len(mail), 1, "the confirmation mail of /nieuwsbrief")
        self.assertTrue(CONFIRM_RE.search(mail.body_html))

    def test_stock_subscribe_refuses_bad_addresses_and_other_lists(self):
        before = self.env["mailing.contact"].search_count([])
        for bad in BAD_ADDRESSES:
            self.assertEqual(self._stock_subscribe(bad)["toast_type"], "danger", bad)
        for other in (self.board, self.public_other):
            self.assertEqual(self._stock_subscribe("lijst@example.nl", other.id)["toast_type"], "danger")
        self.assertEqual(self._stock_subscribe("x@example.nl", "1 OR 1=1")["toast_type"], "danger")
        self.assertEqual(self.env["mailing.contact"].search_count([]), before, "nothing stored")
        self.assertFalse(self.env["mail.mail"].search([("email_to", "in", ["lijst@example.nl", "x@example.nl"])]))

    def test_stock_subscribe_never_resubscribes(self):
        unsubscribed = self._subscribed("weg@example.nl", opt_out=True)
        pending = self._subscribed("wacht@example.nl", state="pending")
        self.env["mph.mailchimp.sync"]._erase_email("gewist@example.nl")
        for email in ("weg@example.nl", "wacht@example.nl", "gewist@example.nl"):
            self._stock_subscribe(email)
        self.assertTrue(unsubscribed.opt_out, "an unsubscribed address stays off")
        self.assertTrue(pending.opt_out, "a pending address is not confirmed by the block")
        erased = self._subscription("gewist@example.nl")
        self.assertEqual((erased.mph_state, erased.opt_out), ("pending", True), "only its owner's click brings it back")
        self.assertTrue(self.env["mph.newsletter.suppression"]._is_suppressed("gewist@example.nl"))
        # The owner's own confirmation still works (the allowed path).
        url = CONFIRM_RE.search(self._mails_to("weg@example.nl")[:1].body_html).group(1).replace("&amp;", "&")
        page = self.url_open(url)
        self.url_open(url, data={"csrf_token": CSRF_RE.search(page.text).group(1), **self._link_params(url)})
        self.assertEqual((unsubscribed.mph_state, unsubscribed.opt_out), ("confirmed", False))

    def test_is_subscriber_reveals_nothing(self):
        self._subscribed("lid@example.nl")
        user = new_test_user(self.env, login="lid_portal", email="lid@example.nl", groups="base.group_portal")
        self.authenticate(user.login, user.login)
        answer = self.make_jsonrpc_request(
            "/website_mass_mailing/is_subscriber", {"list_id": self.newsletter.id, "subscription_type": "email"}
        )
        self.assertEqual(answer, {"is_subscriber": False, "value": ""})

    def test_website_form_cannot_store_a_contact(self):
        before = self.env["mailing.contact"].search_count([])
        response = self.url_open(
            "/website/form/mailing.contact",
            data={"email": "formulier@example.nl", "list_ids": str(self.newsletter.id), "name": "Piet"},
        )
        self.assertIn("error", json.loads(response.text))
        self.assertEqual(self.env["mailing.contact"].search_count([]), before)

    def test_model_never_opts_an_unsubscribed_address_back_in(self):
        unsubscribed = self._subscribed("weg@example.nl", opt_out=True)
        coordinator = new_test_user(
            self.env, login="nl_coord_entry", groups="base.group_user,mph_school.group_coordinator"
        )
        with self.assertRaises(UserError):
            unsubscribed.with_user(coordinator).write({"opt_out": False})
        with self.assertRaises(UserError):
            self.newsletter._update_subscription_from_email("weg@example.nl", opt_out=False)
        self.assertTrue(unsubscribed.opt_out)
        # Odoo's own paths that add an address without consent: a double opt-in.
        contact = self.env["mailing.contact"].create({"email": "import@example.nl", "list_ids": self.newsletter.ids})
        self.assertEqual((contact.subscription_ids.mph_state, contact.subscription_ids.opt_out), ("pending", True))
        self.assertTrue(self._mails_to("import@example.nl"))
        # Other lists keep Odoo's behaviour; opting out always works.
        board = self.env["mailing.contact"].create({"email": "bestuur@example.nl", "list_ids": self.board.ids})
        self.assertFalse(board.subscription_ids.opt_out)
        confirmed = self._subscribed("ja@example.nl")
        confirmed.write({"opt_out": True})
        self.assertTrue(confirmed.opt_out)

    def test_list_update_page_asks_confirmation_for_the_newsletter(self):
        self._subscribed("bestuur@example.nl", opt_out=True)
        board_contact = self._subscription("bestuur@example.nl").contact_id
        board_contact.write({"subscription_ids": [(0, 0, {"list_id": self.board.id})]})
        mailing = self.env["mailing.mailing"].create(
            {
                "subject": "Bestuur",
                "body_html": "<p>Vergadering</p>",
                "mailing_model_id": self.env.ref("mass_mailing.model_mailing_list").id,
                "contact_list_ids": [(6, 0, self.board.ids)],
            }
        )
        token = mailing._generate_mailing_recipient_token(board_contact.id, "bestuur@example.nl")
        page = self.url_open(
            f"/mailing/{mailing.id}/unsubscribe?document_id={board_contact.id}"
            f"&email=bestuur@example.nl&hash_token={token}"
        )
        self.assertEqual(page.status_code, 200)
        self.assertNotIn("Intern bestuur", page.text, "internal lists are not named")
        result = self.make_jsonrpc_request(
            "/mailing/list/update",
            {
                "mailing_id": mailing.id,
                "document_id": board_contact.id,
                "email": "bestuur@example.nl",
                "hash_token": token,
                "lists_optin_ids": [self.newsletter.id],
            },
        )
        self.assertIsInstance(result, int)
        newsletter_subscription = self._subscription("bestuur@example.nl")
        self.assertEqual((newsletter_subscription.mph_state, newsletter_subscription.opt_out), ("pending", True))
        self.assertTrue(self._mails_to("bestuur@example.nl"), "a confirmation mail instead")

    # ------------------------------------------------------------
    # The confirmation link
    # ------------------------------------------------------------

    def _link_params(self, url):
        return dict(re.findall(r"[?&](exp|token)=([^&]+)", url))

    def test_confirmation_link_shows_a_button(self):
        subscription = self.env["mailing.subscription"]._mph_subscribe("klik@example.nl")
        url = CONFIRM_RE.search(self._mails_to("klik@example.nl").body_html).group(1).replace("&amp;", "&")
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        self.assertEqual(subscription.mph_state, "pending", "opening the link (a mail scanner) confirms nothing")
        self.assertIn('method="post"', page.text)
        params = self._link_params(url)
        path = url.split("?")[0]
        # A POST without the page's CSRF token, or with a forged link token, does nothing.
        self.assertEqual(self.url_open(path, data=params).status_code, 400)
        csrf = CSRF_RE.search(page.text).group(1)
        forged = dict(params, token="0" * len(params["token"]))
        self.assertEqual(self.url_open(path, data=dict(forged, csrf_token=csrf)).status_code, 400)
        self.assertEqual(subscription.mph_state, "pending")
        # The button: confirmed.
        done = self.url_open(path, data=dict(params, csrf_token=csrf))
        self.assertEqual(done.status_code, 200)
        self.assertEqual((subscription.mph_state, subscription.opt_out), ("confirmed", False))

    def test_links_mailed_before_stay_valid(self):
        subscription = self.env["mailing.subscription"]._mph_subscribe("oud@example.nl")
        expires = int(time.time()) + 3600
        # The legacy form (?exp=&token=) of the links mailed before hash_sign.
        token = legacy_link_token(self.env, TOKEN_SCOPE, [subscription.id, "oud@example.nl"], expires)
        url = f"/nieuwsbrief/bevestigen/{subscription.id}?exp={expires}&token={token}"
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        self.url_open(
            url.split("?")[0], data={"csrf_token": CSRF_RE.search(page.text).group(1), **self._link_params(url)}
        )
        self.assertEqual(subscription.mph_state, "confirmed")

    # ------------------------------------------------------------
    # Bad input on /nieuwsbrief
    # ------------------------------------------------------------

    def test_bad_input_is_refused_and_kept(self):
        before = self.env["mailing.contact"].search_count([])
        page = self.url_open("/nieuwsbrief")
        csrf = CSRF_RE.search(page.text).group(1)
        for bad in BAD_ADDRESSES + ["x" * 250 + "@example.nl"]:
            response = self.url_open("/nieuwsbrief/aanmelden", data={"email": bad, "csrf_token": csrf})
            self.assertEqual(response.status_code, 400, bad)
            self.assertIn("is-invalid", response.text)
            self.assertNotIn("<script>alert", response.text, "what was typed comes back escaped")
        response = self.url_open("/nieuwsbrief/aanmelden", data={"email": "jan@localhost", "csrf_token": csrf})
        self.assertIn('value="jan@localhost"', response.text, "the visitor's input is kept")
        self.assertEqual(self.env["mailing.contact"].search_count([]), before)
        # A good address still goes through.
        ok = self.url_open("/nieuwsbrief/aanmelden", data={"email": "goed@example.nl", "csrf_token": csrf})
        self.assertEqual(ok.status_code, 200)
        self.assertEqual(self._subscription("goed@example.nl").mph_state, "pending")
