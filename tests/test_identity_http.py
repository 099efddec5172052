"""The school's own face on the Dutch demo school, as a visitor and finance see it: the public
pages and the contribution invoice (PDF, its e-mail) show the Muziekpakhuis and none of
Odoo's example content; Odoo's demo companies and logins are out of the way."""

import datetime
import re

import lxml.html
import pytest
import requests
from conftest import OdooClient, OdooServer, RpcError, _dropdb, copy_db

# Odoo's and its website theme's example content, in English and in Dutch.
PLACEHOLDERS = (
    "YourCompany",
    "YourLogo",
    "555",
    "example.com",
    "Bedrijfsnaam",
    "Company name",
    "Buena Vista",
    "Voorbeeldstraat",
    "disruptive",
    "My Company",
    "My Website",
)
PUBLIC_PAGES = ("/", "/contactus", "/muziekles/aanmelden", "/nieuwsbrief", "/muziekles/privacybeleid")


def assert_no_placeholder(text, where):
    found = [p for p in PLACEHOLDERS if p in text]
    assert not found, f"{where} shows Odoo's example content: {found}"


def what_a_visitor_sees(html):
    """The text of a page and the targets of its links and images (not the hashes in asset
    URLs or the CSRF token, where "555" may occur by chance)."""
    tree = lxml.html.fromstring(html)
    for node in tree.xpath("//script|//style"):
        node.drop_tree()
    links = [
        value
        for value in tree.xpath("//a/@href|//img/@alt|//img/@title|//*/@aria-label|//*/@title")
        if not value.startswith("/web/")
    ]
    return tree.text_content() + "\n" + "\n".join(links)


@pytest.fixture(scope="module")
def school(template_db):
    """A server of its own: invoicing here must not use up the shared demo school's pupils."""
    db = template_db["template"].replace("_tpl", "_identity")
    copy_db(template_db["template"], db)
    odoo = OdooServer(db, crons=False)
    try:
        yield odoo
    finally:
        odoo.stop()
        _dropdb(db)


def dutch_page(school, path):
    response = requests.get(school.url + path, headers={"Accept-Language": "nl-NL"}, timeout=60)
    assert response.status_code == 200, path
    return response.text


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_show_the_school(school, path):
    html = dutch_page(school, path)
    assert_no_placeholder(what_a_visitor_sees(html), path)
    assert "Muziekpakhuis" in html
    # Header: log in and sign up are two different words.
    assert "Inloggen" in html and "Aanmelden voor lessen" in html
    assert re.search(r'href="/web/login[^"]*"[^>]*>\s*Inloggen', html), "the log-in link says Inloggen"
    assert not re.search(r'href="/web/login[^"]*"[^>]*>\s*Aanmelden', html)
    # Footer: the policy, the sign-up, the newsletter and contact; no link to "#" in it.
    footer = html[html.index('id="footer"') :]
    for link in ("/muziekles/privacybeleid", "/muziekles/aanmelden", "/nieuwsbrief", "/contactus"):
        assert f'href="{link}"' in footer, link
    assert not re.search(r'<a href="#"(?![^>]*role="button")', footer), "a footer link leads nowhere"
    assert "030 271 46 90" in html, "the administration's number from the company"


def test_homepage_and_contact_page_speak_of_the_lessons_and_phone_hours(school):
    home = dutch_page(school, "/")
    assert "alleen of in een band, orkest of koor" in home
    assert 'href="/muziekles/aanmelden"' in home and 'href="/nieuwsbrief"' in home
    contact = dutch_page(school, "/contactus")
    assert "werkdagen tussen 11:00 en 17:00 uur" in contact
    assert "Kanaalstraat 12" in contact and "administratie@muziekpakhuis.nl" in contact


def test_odoo_demo_companies_and_logins_are_archived(school):
    for login in ("demo", "portal"):
        with pytest.raises(RpcError):
            OdooClient(school.url, school.db).authenticate(login)
    admin = OdooClient(school.url, school.db)
    admin.authenticate("admin")
    names = ["Deco Addict", "Azure Interior", "Marc Demo", "Joel Willis"]
    active = admin.call("res.partner", "search_read", [("name", "in", names)], ["name"])
    assert not active, f"Odoo's demo contacts are still in the customer list: {active}"
    archived = admin.call("res.partner", "search_read", [("name", "in", names), ("active", "=", False)], ["name"])
    assert {p["name"] for p in archived} >= {"Deco Addict", "Azure Interior"}, "archived, not deleted"
    users = admin.call("res.users", "search_read", [("login", "in", ["demo", "portal"])], ["login"])
    assert not users
    # The school's own demo logins still work.
    OdooClient(school.url, school.db).authenticate("coordinator")


def test_contribution_invoice_pdf_and_mail_show_the_school(school):
    finance = OdooClient(school.url, school.db)
    finance.authenticate("financien")
    season = finance.call("mph.season", "search_read", [["contribution_amount", ">", 0]], ["name"], limit=1)[0]
    wizard = finance.call("mph.contribution.invoice.wizard", "create", {"season_id": season["id"], "send_email": True})
    finance.call("mph.contribution.invoice.wizard", "action_invoice", [wizard])
    move_ids = finance.call("mph.contribution.invoice.wizard", "read", [wizard], ["move_ids"])[0]["move_ids"]
    assert move_ids
    move = finance.call(
        "account.move", "read", move_ids[:1], ["invoice_date", "invoice_date_due", "partner_bank_id", "name"]
    )[0]
    issued = datetime.date.fromisoformat(move["invoice_date"])
    assert datetime.date.fromisoformat(move["invoice_date_due"]) == issued + datetime.timedelta(days=30)
    assert move["partner_bank_id"], "the school's account to pay into"

    pdf = finance.session.get(f"{school.url}/report/pdf/account.report_invoice/{move['id']}", timeout=180)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # What the PDF prints, as text: the same report rendered as HTML (wkhtmltopdf's text
    # layer is not readable with the libraries here), letterhead and footer included.
    page = finance.session.get(f"{school.url}/report/html/account.report_invoice/{move['id']}", timeout=120)
    assert page.status_code == 200
    text = what_a_visitor_sees(page.text)
    assert_no_placeholder(text, "the invoice")
    flat = re.sub(r"\s+", " ", text)
    assert "Muziekpakhuis" in flat and "Kanaalstraat 12" in flat and "3531 CJ" in flat, "the school as sender"
    assert "NL67 INGB 0006 5432 10" in flat or "NL67INGB0006543210" in flat, "the IBAN to pay into"
    due = datetime.date.fromisoformat(move["invoice_date_due"])
    assert due.strftime("%d-%m-%Y") in flat or due.strftime("%m/%d/%Y") in flat, "the due date"
    assert "30" in flat

    # The e-mail that goes out with the invoice: Odoo's invoice template, rendered for it.
    admin = OdooClient(school.url, school.db)
    admin.authenticate("admin")
    template = admin.call(
        "ir.model.data",
        "search_read",
        [("module", "=", "account"), ("name", "=", "email_template_edi_invoice")],
        ["res_id"],
    )[0]["res_id"]
    composer = finance.call(
        "mail.compose.message",
        "create",
        {
            "model": "account.move",
            "res_ids": str(move_ids[:1]),
            "template_id": template,
            "composition_mode": "comment",
        },
    )
    mail = finance.call("mail.compose.message", "read", [composer], ["body", "subject", "email_from"])[0]
    assert "Muziekpakhuis" in (mail["subject"] or "") + (mail["body"] or "")
    for value in (mail["body"], mail["subject"], mail["email_from"]):
        assert_no_placeholder(what_a_visitor_sees(value or "<p></p>"), "the invoice mail")
