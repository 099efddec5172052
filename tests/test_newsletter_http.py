"""The newsletter volunteer over HTTP: e-mail addresses of the school
newsletter, nothing else (privacy policy: "uitsluitend zicht op een lijst
met emailadressen")."""

import re

import pytest
import requests
from conftest import RpcError

ACCESS_ERROR = "odoo.exceptions.AccessError"


def test_volunteer_sees_only_newsletter_addresses(client, facts):
    odoo = client("vrijwilliger")
    lists = odoo.call("mailing.list", "search_read", [], ["name"])
    assert [lst["name"] for lst in lists] == ["Nieuwsbrief MPH"]
    contacts = odoo.call("mailing.contact", "search_read", [], ["email", "name"])
    assert len(contacts) >= 10, "the demo subscribed the pupils who consented"
    assert all(c["email"] and not c["name"] for c in contacts), "addresses only, no names"
    assert not odoo.call("mailing.contact", "search_read", [("name", "ilike", "Leeuwen")], ["email"])


def test_volunteer_reaches_no_person(client, facts):
    odoo = client("vrijwilliger")
    for model in ("mph.student", "mph.enrollment", "mph.teacher", "mph.newsletter.suppression", "mph.mailchimp.log"):
        with pytest.raises(RpcError) as error:
            odoo.call(model, "search_read", [], ["display_name"])
        assert error.value.name == ACCESS_ERROR, model
    personal = facts["student_partner_ids"] + facts["guardian_ids"]
    assert odoo.call("res.partner", "search_read", [("id", "in", personal)], ["name"]) == []
    with pytest.raises(RpcError) as error:
        odoo.call("res.partner", "read", personal[:2], ["name"])
    assert error.value.name == ACCESS_ERROR
    assert odoo.call("mail.blacklist", "search_read", [], ["email"]) == []
    with pytest.raises(RpcError):
        odoo.call("ir.config_parameter", "get_param", "mph_newsletter.mailchimp_api_key")


def test_volunteer_composes_for_the_newsletter_only(client):
    odoo = client("vrijwilliger")
    newsletter = odoo.call("mailing.list", "search_read", [], ["id"])[0]["id"]
    list_model = odoo.call("ir.model", "search_read", [("model", "=", "mailing.list")], ["id"])[0]["id"]
    mailing = odoo.call(
        "mailing.mailing",
        "create",
        {
            "subject": "Nieuwsbrief",
            "body_html": "<p>Concert</p>",
            "mailing_model_id": list_model,
            "contact_list_ids": [(6, 0, [newsletter])],
        },
    )
    assert mailing
    partner_model = odoo.call("ir.model", "search_read", [("model", "=", "res.partner")], ["id"])[0]["id"]
    with pytest.raises(RpcError) as error:
        odoo.call(
            "mailing.mailing",
            "create",
            {"subject": "Iedereen", "mailing_model_id": partner_model, "mailing_domain": "[]"},
        )
    assert error.value.name == ACCESS_ERROR


# ----------------------------------------------------------------------
# One way onto the newsletter (issue 13, point 5): Odoo's stock routes, the
# confirmation link, the e-mail rule, bad input.
# ----------------------------------------------------------------------

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
# A signed link (mph.signed.link): the expiry is inside the token.
CONFIRM_RE = re.compile(r"(/nieuwsbrief/bevestigen/\d+)\?token=([A-Za-z0-9_-]+)")
BAD_ADDRESSES = ["a@b", "jan@localhost", "<script>alert(1)</script>@example.nl"]


def _newsletter_id(admin):
    return admin.call("mailing.list", "search_read", [("is_mph_newsletter", "=", True)], ["id"])[0]["id"]


def _subscriptions(admin, email):
    return admin.call(
        "mailing.subscription",
        "search_read",
        [("contact_id.email_normalized", "=", email), ("list_id.is_mph_newsletter", "=", True)],
        ["mph_state", "opt_out"],
    )


def _json(session, url, params):
    response = session.post(url, json={"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}, timeout=60)
    response.raise_for_status()
    return response.json()["result"]


def _stock_subscribe(server, visitor, list_id, email):
    return _json(
        visitor,
        server["url"] + "/website_mass_mailing/subscribe",
        {"list_id": list_id, "value": email, "subscription_type": "email"},
    )


def _confirmation_link(admin, email):
    mails = admin.call("mail.mail", "search_read", [("email_to", "=", email)], ["body_html"], order="id desc")
    assert mails, f"a confirmation mail to {email}"
    return CONFIRM_RE.search(mails[0]["body_html"]).groups()


def test_stock_subscribe_route_asks_for_confirmation(server, client):
    admin = client("admin")
    newsletter = _newsletter_id(admin)
    visitor = requests.Session()
    answer = _stock_subscribe(server, visitor, newsletter, "blok.bezoeker@example.nl")
    assert answer["toast_type"] == "success"
    assert [(s["mph_state"], s["opt_out"]) for s in _subscriptions(admin, "blok.bezoeker@example.nl")] == [
        ("pending", True)
    ], "on the list only after the owner confirms"
    assert _confirmation_link(admin, "blok.bezoeker@example.nl")
    # The block tells no visitor who is on the list.
    found = _json(
        visitor,
        server["url"] + "/website_mass_mailing/is_subscriber",
        {"list_id": newsletter, "subscription_type": "email"},
    )
    assert found["is_subscriber"] is False


def test_stock_subscribe_route_never_resubscribes(server, client):
    admin = client("admin")
    newsletter = _newsletter_id(admin)
    contact = admin.call("mailing.contact", "create", {"email": "afgemeld.blok@example.nl"})
    subscription = admin.call(
        "mailing.subscription",
        "create",
        {"contact_id": contact, "list_id": newsletter, "mph_state": "confirmed"},
    )
    admin.call("mailing.subscription", "write", [subscription], {"opt_out": True})
    visitor = requests.Session()
    _stock_subscribe(server, visitor, newsletter, "afgemeld.blok@example.nl")
    assert [s["opt_out"] for s in _subscriptions(admin, "afgemeld.blok@example.nl")] == [True]
    # Bad addresses and other lists: nothing stored.
    board = admin.call("mailing.list", "create", {"name": "Intern overleg", "is_public": False})
    for email, list_id in [*((bad, newsletter) for bad in BAD_ADDRESSES), ("lijst.blok@example.nl", board)]:
        assert _stock_subscribe(server, visitor, list_id, email)["toast_type"] == "danger", email
    stored = admin.call(
        "mailing.contact", "search_read", [("email", "in", [*BAD_ADDRESSES, "lijst.blok@example.nl"])], ["id"]
    )
    assert stored == []


def test_website_form_stores_no_contact(server, client):
    admin = client("admin")
    newsletter = _newsletter_id(admin)
    answer = requests.post(
        server["url"] + "/website/form/mailing.contact",
        data={"email": "formulier.bezoeker@example.nl", "list_ids": str(newsletter)},
        timeout=60,
    )
    assert "error" in answer.json()
    assert admin.call("mailing.contact", "search_read", [("email", "=", "formulier.bezoeker@example.nl")], ["id"]) == []


def test_confirmation_link_confirms_with_the_button_only(server, client):
    admin = client("admin")
    visitor = requests.Session()
    page = visitor.get(server["url"] + "/nieuwsbrief", timeout=30)
    visitor.post(
        server["url"] + "/nieuwsbrief/aanmelden",
        data={"csrf_token": CSRF_RE.search(page.text).group(1), "email": "knop.bezoeker@example.nl"},
        timeout=60,
    )
    path, token = _confirmation_link(admin, "knop.bezoeker@example.nl")
    scanner = requests.Session()
    opened = scanner.get(f"{server['url']}{path}?token={token}", timeout=30)
    assert opened.status_code == 200
    assert [s["mph_state"] for s in _subscriptions(admin, "knop.bezoeker@example.nl")] == [
        "pending"
    ], "opening the link (a mail scanner) confirms nothing"
    # Without the page's CSRF token, or with another token, a POST does nothing.
    assert requests.post(server["url"] + path, data={"token": token}, timeout=30).status_code == 400
    csrf = CSRF_RE.search(opened.text).group(1)
    forged = scanner.post(server["url"] + path, data={"token": "0" * len(token), "csrf_token": csrf})
    assert forged.status_code == 400
    assert [s["mph_state"] for s in _subscriptions(admin, "knop.bezoeker@example.nl")] == ["pending"]
    clicked = scanner.post(server["url"] + path, data={"token": token, "csrf_token": csrf}, timeout=30)
    assert clicked.status_code == 200
    assert [(s["mph_state"], s["opt_out"]) for s in _subscriptions(admin, "knop.bezoeker@example.nl")] == [
        ("confirmed", False)
    ]


def test_newsletter_form_refuses_bad_addresses_in_dutch(server, client):
    admin = client("admin")
    visitor = requests.Session()
    page = visitor.get(server["url"] + "/nl/nieuwsbrief", timeout=30)
    csrf = CSRF_RE.search(page.text).group(1)
    for bad in BAD_ADDRESSES:
        answer = visitor.post(server["url"] + "/nieuwsbrief/aanmelden", data={"csrf_token": csrf, "email": bad})
        assert answer.status_code == 400, bad
        assert "Vul een geldig e-mailadres in." in answer.text
        assert "<script>alert" not in answer.text
    kept = visitor.post(server["url"] + "/nieuwsbrief/aanmelden", data={"csrf_token": csrf, "email": "jan@localhost"})
    assert 'value="jan@localhost"' in kept.text, "what the visitor typed is kept"
    assert admin.call("mailing.contact", "search_read", [("email", "in", BAD_ADDRESSES)], ["id"]) == []
    good = visitor.post(
        server["url"] + "/nieuwsbrief/aanmelden", data={"csrf_token": csrf, "email": "goed.bezoeker@example.nl"}
    )
    assert good.status_code == 200
    assert [s["mph_state"] for s in _subscriptions(admin, "goed.bezoeker@example.nl")] == ["pending"]


def test_volunteer_mailing_cannot_reach_outside_the_list(client):
    odoo = client("vrijwilliger")
    newsletter = odoo.call("mailing.list", "search_read", [], ["id"])[0]["id"]
    list_model = odoo.call("ir.model", "search_read", [("model", "=", "mailing.list")], ["id"])[0]["id"]
    base = {
        "subject": "Nieuwsbrief",
        "body_html": "<p>Concert</p>",
        "mailing_model_id": list_model,
        "contact_list_ids": [(6, 0, [newsletter])],
    }
    with pytest.raises(RpcError) as error:
        odoo.call(
            "mailing.mailing",
            "create",
            dict(base, mailing_domain=f"['|', ('list_ids', 'in', [{newsletter}]), ('id', '!=', 0)]"),
        )
    assert error.value.name == "odoo.exceptions.ValidationError"
    mailing = odoo.call("mailing.mailing", "create", base)
    with pytest.raises(RpcError) as error:
        odoo.call("mailing.mailing", "write", [mailing], {"mailing_domain": "[('id', '!=', 0)]"})
    assert error.value.name == "odoo.exceptions.ValidationError"
    # Within the list the volunteer may filter.
    assert odoo.call("mailing.mailing", "write", [mailing], {"mailing_domain": f"[('list_ids', 'in', [{newsletter}])]"})
