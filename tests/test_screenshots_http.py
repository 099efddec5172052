"""Screenshots for the README, taken in headless Chromium on the demo
server, each role logged in as itself: the coordinator's pupil list, the
teacher portal, the public sign-up page, the director's dashboard and the
newsletter volunteer's view. Each page is checked before it is saved: Dutch,
with real data that role may see and without what it may not.

Then a walk per role (issue 16) that asserts what a person sees: the public
pages and the mails of a sign-up without Odoo's example content, the sign-up's
error summary, full lesson types and the guardian's consent page, the
coordinator finding a caller by any spelling of the number, the teacher's
pages on a 390-pixel phone, and every role starting in its own app."""

import os
import re
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import pytest
from browser import CHROMIUM, HEIGHT, WIDTH, Browser
from test_identity_http import PLACEHOLDERS, PUBLIC_PAGES

ROOT = Path(__file__).resolve().parent.parent
# Every run takes and checks them; they replace the committed ones only when
# asked (they differ from run to run: dates, ids), else they go to .local/.
SHOTS = ROOT / "docs" / "screenshots" if os.environ.get("MPH_UPDATE_SCREENSHOTS") else ROOT / ".local" / "screenshots"
LIST_READY = "document.querySelector('.o_list_renderer .o_data_row')"
# Loaded, with every image shown in the window loaded (lazy ones that are
# hidden or further down never are).
SHOWN_IMAGES = (
    "[...document.images].filter(i => i.getBoundingClientRect().width > 0"
    " && i.getBoundingClientRect().top < innerHeight)"
)
PAGE_READY = f"document.readyState === 'complete' && {SHOWN_IMAGES}.every(i => i.complete)"

pytestmark = pytest.mark.skipif(not CHROMIUM, reason="Chromium is not installed (apt-get install chromium)")


@pytest.fixture(scope="module")
def browser():
    with Browser(WIDTH, HEIGHT) as chromium:
        yield chromium


@pytest.fixture(scope="module")
def names(facts):
    """Pupil names: Henk's, and others' that none of Henk's pupils share."""
    by_id = {s["id"]: s["name"] for s in facts["students"]}
    henk = {by_id[i] for i in facts["henk_student_ids"]}
    return {"all": set(by_id.values()), "henk": henk, "not_henk": set(by_id.values()) - henk}


def not_a_login_page(browser):
    assert "/web/login" not in browser.url()
    assert not browser.evaluate("!!document.querySelector('form.oe_login_form')")


def test_coordinator_pupil_list(browser, client, server, names):
    browser.login_as(client("coordinator"))
    browser.open(server["url"] + "/odoo/action-mph_school.mph_student_action", LIST_READY)
    not_a_login_page(browser)
    text = browser.text()
    assert "Leerlingen" in text and "Ouder/verzorger" in text, "the Dutch list of pupils"
    assert sum(name in text for name in names["all"]) >= 10, "real pupils on the first page"
    browser.screenshot(SHOTS / "coordinator-leerlingen.png")


def test_teacher_portal(browser, client, server, names):
    browser.login_as(client("docent.henk"))
    browser.open(server["url"] + "/my/students", f"document.querySelector('table') && {PAGE_READY}")
    not_a_login_page(browser)
    text = browser.text()
    assert "Mijn leerlingen" in text
    assert any(name in text for name in names["henk"]), "Henk's own pupils"
    assert not any(name in text for name in names["not_henk"]), "no pupil of another teacher"
    browser.screenshot(SHOTS / "docent-portaal.png")


def test_signup_page(browser, server):
    browser.send("Network.clearBrowserCookies")
    browser.open(server["url"] + "/muziekles/aanmelden", f"document.querySelector('#mph_signup_form') && {PAGE_READY}")
    text = browser.text()
    assert "Aanmelden voor een eerste les" in text and "Piano" in text
    assert browser.evaluate(f"{SHOWN_IMAGES}.every(i => i.naturalWidth > 0)"), "no broken image"
    browser.screenshot(SHOTS / "aanmelden.png")


def test_director_dashboard(browser, client, server, names):
    browser.login_as(client("directeur"))
    browser.open(
        server["url"] + "/odoo/action-mph_school.mph_insight_population_action",
        "document.querySelector('.o_graph_renderer canvas, .o_pivot .o_pivot_cell_value')",
    )
    not_a_login_page(browser)
    text = browser.text()
    assert "Leeftijd per schooljaar" in text and "Leerlingpopulatie" in text
    menu = browser.evaluate("document.querySelector('.o_main_navbar').innerText")
    assert "Leerlingen" not in menu and "Inschrijvingen" not in menu, "no way to the pupil records"
    assert not any(name in text for name in names["all"]), "no pupil by name, only totals"
    browser.screenshot(SHOTS / "directeur-dashboard.png", settle=1.5)  # the chart animates


def test_finance_invoices(browser, client, server, names):
    browser.login_as(client("financien"))
    browser.open(
        server["url"] + "/odoo/action-account.action_move_out_invoice_type",
        "document.querySelector('.o_list_renderer, .o_view_nocontent')",
    )
    not_a_login_page(browser)
    menu = browser.evaluate("document.querySelector('.o_main_navbar').innerText")
    assert "Facturen" in browser.text() or "Facturering" in menu
    assert "Inschrijvingen" not in menu, "no enrolments for finance"
    browser.screenshot(SHOTS / "financien-facturen.png")


def test_artistic_waiting_lists(browser, client, server, names):
    browser.login_as(client("artistiek"))
    browser.open(
        server["url"] + "/odoo/action-mph_school.mph_insight_demand_action",
        "document.querySelector('.o_graph_renderer canvas, .o_pivot .o_pivot_cell_value')",
    )
    not_a_login_page(browser)
    text = browser.text()
    menu = browser.evaluate("document.querySelector('.o_main_navbar').innerText")
    assert "Leerlingen" not in menu and "Inschrijvingen" not in menu, "no way to the pupil records"
    assert not any(name in text for name in names["all"]), "no pupil by name, only totals"
    browser.screenshot(SHOTS / "artistiek-wachtlijst.png", settle=1.5)  # the chart animates


def test_newsletter_volunteer(browser, client, server, names):
    volunteer = client("vrijwilliger")
    addresses = [c["email"] for c in volunteer.call("mailing.contact", "search_read", [], ["email"])]
    browser.login_as(volunteer)
    browser.open(server["url"] + "/odoo/action-mass_mailing.action_view_mass_mailing_contacts", LIST_READY)
    not_a_login_page(browser)
    text = browser.text()
    assert "Mailinglijstcontacten" in text or "E-mail" in text
    assert sum(address in text for address in addresses) >= 10, "the newsletter addresses"
    assert not any(name in text for name in names["all"]), "addresses only, no names"
    browser.screenshot(SHOTS / "vrijwilliger-nieuwsbrief.png")


# ----------------------------------------------------------------------
# The walk per role (issue 16)
# ----------------------------------------------------------------------

PHONE_WIDTH, PHONE_HEIGHT = 390, 844
# What a visitor reads: the text, and where links and images lead.
VISIBLE = (
    "document.body.innerText + '\\n' + [...document.querySelectorAll('a[href], img[alt], [title]')]"
    ".map(e => ['href', 'alt', 'title'].map(a => e.getAttribute(a) || '').join(' '))"
    ".filter(t => !t.startsWith('/web/')).join('\\n')"
)
NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def assert_no_placeholder(text, where):
    found = [placeholder for placeholder in PLACEHOLDERS if placeholder in text]
    assert not found, f"{where} shows Odoo's example content: {found}"


@pytest.fixture(scope="module")
def phone():
    with Browser(PHONE_WIDTH, PHONE_HEIGHT) as chromium:
        chromium.send(
            "Emulation.setDeviceMetricsOverride",
            width=PHONE_WIDTH,
            height=PHONE_HEIGHT,
            deviceScaleFactor=1,
            mobile=True,
        )
        yield chromium


@pytest.fixture
def signups_allowed(client):
    admin = client("admin")
    key = "mph_school.signup_rate_limit"
    old_limit = admin.call("ir.config_parameter", "get_param", key)
    admin.call("ir.config_parameter", "set_param", key, "1000")
    yield
    admin.call("ir.config_parameter", "set_param", key, old_limit or "5")


def test_visitor_sees_the_school_on_every_public_page(browser, server):
    browser.send("Network.clearBrowserCookies")
    for path in PUBLIC_PAGES:
        browser.open(server["url"] + path, PAGE_READY)
        assert_no_placeholder(browser.evaluate(VISIBLE), path)
        assert "Muziekpakhuis" in browser.text(), path


def test_visitor_signs_up_and_the_guardian_consents(browser, server, client, signups_allowed):
    """A minor's sign-up in Chromium: a failed submit first, the full lesson
    types marked, the mails sent, the guardian's consent page."""
    coordinator = client("coordinator")
    lesson_types = coordinator.call("mph.lesson.type", "search_read", [], ["name", "capacity", "seats_taken"])
    full = {lt["id"] for lt in lesson_types if lt["capacity"] and lt["seats_taken"] >= lt["capacity"]}
    assert full, "the demo school has full lesson types"
    browser.send("Network.clearBrowserCookies")
    form_ready = f"document.querySelector('#mph_signup_form') && {PAGE_READY}"
    browser.open(server["url"] + "/muziekles/aanmelden", form_ready)
    marked = browser.evaluate(
        "[...document.querySelectorAll('.o_mph_signup_full')].map(b => +b.closest('label').htmlFor.split('_').pop())"
    )
    assert set(marked) == full, "each full lesson type, and only those, says so before a choice"

    # A submit with mistakes: the summary names each field and links to it.
    browser.fill("#name", "Walk Leerling")
    browser.fill("#zip", "12")
    browser.click("#mph_signup_form button[type=submit]")
    browser.wait(f"document.querySelector('#mph_signup_errors') && {PAGE_READY}")
    links = "[...document.querySelectorAll('#mph_signup_errors a')]"
    targets = browser.evaluate(f"{links}.map(a => a.getAttribute('href'))")
    assert "#zip" in targets and "#email" in targets and "#lesson_type_ids" in targets, targets
    assert browser.evaluate(
        f"{links}.every(a => document.getElementById(a.getAttribute('href').slice(1)))"
    ), "every link leads to its field"
    assert "Verbeter deze velden" in browser.text()

    # The minor's sign-up for a full lesson type.
    piano = min(full)
    email, guardian_email = "walk.leerling@example.nl", "walk.ouder@example.nl"
    birthdate = date.today().replace(year=date.today().year - 10, day=1).isoformat()
    values = {
        "#birthdate": birthdate,
        "#street": "Oudegracht 1",
        "#zip": "3511 AA",
        "#city": "Utrecht",
        "#email": email,
        "#phone": "030 123 45 67",
        "#guardian_name": "Walk Ouder",
        "#guardian_email": guardian_email,
    }
    for selector, value in values.items():
        browser.fill(selector, value)
    browser.click(f"#lesson_type_{piano}")
    browser.click("#privacy_accept")
    browser.click("#mph_signup_form button[type=submit]")
    browser.wait(f"document.querySelector('#mph_signup_awaiting_consent') && {PAGE_READY}")
    assert_no_placeholder(browser.evaluate(VISIBLE), "the sign-up's thank-you page")

    # The mails of the sign-up (to the pupil and to the guardian).
    admin = client("admin")
    mails = admin.call(
        "mail.mail",
        "search_read",
        [("email_to", "in", [email, guardian_email])],
        ["email_to", "subject", "body_html", "email_from"],
    )
    assert {m["email_to"] for m in mails} == {email, guardian_email}
    for mail in mails:
        # What the reader sees: subject, sender and text (not the signed
        # link, whose token may hold "555" by chance).
        text = re.sub(r"<[^>]+>", " ", mail["body_html"])
        assert_no_placeholder(f"{mail['subject']} {mail['email_from']} {text}", mail["subject"])
    consent_mail = next(m for m in mails if m["email_to"] == guardian_email)
    link = re.search(r'href="([^"]*/muziekles/toestemming/[^"]+)"', consent_mail["body_html"]).group(1)
    link = link.replace("&amp;", "&")
    url = urlparse(link)

    # The guardian consents: the page says the child is on the waiting
    # list (the lesson type is full), not that a trial lesson follows.
    browser.send("Network.clearBrowserCookies")
    consent_ready = f"document.querySelector('#mph_give_consent') && {PAGE_READY}"
    browser.open(f"{server['url']}{url.path}?{url.query}", consent_ready)
    browser.click("#mph_give_consent")
    browser.wait(f"document.querySelector('#mph_consent_done') && {PAGE_READY}")
    text = browser.evaluate(
        "['#mph_consent_done', '#mph_consent_next'].map(id => document.querySelector(id).innerText).join(' ')"
    )
    assert "toestemming is vastgelegd" in text
    assert re.search(r"op de wachtlijst, op plaats \d+", text), text
    assert "proefles" not in text.lower(), "no trial lesson is promised for a full lesson type"


def test_coordinator_finds_a_caller_by_any_spelling(browser, client, server):
    coordinator = client("coordinator")
    pupils = coordinator.call(
        "mph.student", "search_read", [("guardian_phone", "!=", False)], ["name", "guardian_phone"], limit=20
    )
    pupil = next(p for p in pupils if len(re.sub(r"\D", "", p["guardian_phone"])) == 10)
    digits = re.sub(r"\D", "", pupil["guardian_phone"])
    spellings = (
        digits,  # 0612345678
        f"{digits[:2]} {digits[2:4]} {digits[4:6]} {digits[6:8]} {digits[8:]}",  # 06 12 34 56 78
        f"+31 {digits[1]} {digits[2:]}",  # +31 6 12345678
    )
    browser.login_as(coordinator)
    browser.open(server["url"] + "/odoo/action-mph_school.mph_student_action", LIST_READY)
    for spelling in spellings:
        browser.evaluate("document.querySelectorAll('.o_searchview_facet .o_facet_remove').forEach(x => x.click())")
        browser.fill(".o_searchview_input", spelling)
        item = ".o_searchview_autocomplete li.o_menu_item"
        by_phone = f"[...document.querySelectorAll('{item}')].find(li => li.innerText.includes('Telefoon'))"
        browser.wait(by_phone)
        browser.evaluate(f"{by_phone}.querySelector('a').click()")
        # Found: the caller's family only (a few rows), the pupil among them.
        rows = "[...document.querySelectorAll('.o_data_row')]"
        browser.wait(
            f"document.querySelector('.o_searchview_facet')?.innerText.includes({spelling!r}) && "
            f"{rows}.length <= 5 && {rows}.some(r => r.innerText.includes({pupil['name']!r}))",
            timeout=20,
        )


def test_waiting_list_starts_at_position_1(browser, client, server):
    browser.login_as(client("coordinator"))
    browser.open(
        server["url"] + "/odoo/action-mph_school.mph_enrollment_action_waiting",
        "document.querySelector('.o_group_header')",
    )
    # One group per lesson type: open the first one.
    browser.evaluate("document.querySelector('.o_group_header').click()")
    browser.wait("document.querySelector('.o_data_row td[name=waiting_position]')")
    positions = browser.evaluate(
        "[...document.querySelectorAll('.o_data_row td[name=waiting_position]')].map(td => td.innerText.trim())"
    )
    assert positions[0] == "1", positions
    assert [int(p) for p in positions] == list(range(1, len(positions) + 1)), positions


def test_teacher_on_a_phone(phone, client, server, names, facts):
    henk = client("docent.henk")
    phone.login_as(henk)
    phone.open(server["url"] + "/my", f"document.querySelector('.o_portal_my_home') && {PAGE_READY}")
    phone.wait("!document.querySelector('.o_portal_doc_spinner')")
    assert phone.evaluate(NO_HORIZONTAL_SCROLL), "/my fits the phone"
    assert "Mijn leerlingen" in phone.text()
    assert "facturen" not in phone.text().lower(), "no invoices tile for a teacher without invoices"
    # The cookie bar is a strip, not a fifth of the screen.
    phone.wait("document.querySelector('#website_cookies_bar .modal.show .modal-content')")
    bar = "document.querySelector('#website_cookies_bar .modal-content')"
    height = phone.evaluate(f"{bar}.getBoundingClientRect().height")
    assert height <= PHONE_HEIGHT / 8, f"the cookie bar is {height}px high"

    phone.open(server["url"] + "/my/students", f"document.querySelector('.o_mph_portal_student_card') && {PAGE_READY}")
    assert phone.evaluate(NO_HORIZONTAL_SCROLL), "the pupil list fits 390 pixels, nothing cut off"
    cards = phone.evaluate("[...document.querySelectorAll('.o_mph_portal_student_card')].map(c => c.innerText)")
    assert cards and all(any(name in card for name in names["henk"]) for card in cards)
    assert phone.evaluate(
        "[...document.querySelectorAll('.o_mph_portal_student_card strong')]"
        ".every(e => e.scrollWidth <= e.clientWidth && getComputedStyle(e).textOverflow !== 'ellipsis')"
    ), "names wrap, none truncated"

    # A pupil of Henk's with a phone number.
    pupil = next(
        p
        for p in client("coordinator").call("mph.student", "read", facts["henk_student_ids"], ["phone", "mobile"])
        if p["phone"] or p["mobile"]
    )
    phone.open(
        f"{server['url']}/my/students/{pupil['id']}", f"document.querySelector('.o_mph_portal_student') && {PAGE_READY}"
    )
    assert phone.evaluate(NO_HORIZONTAL_SCROLL), "the pupil's page fits 390 pixels"
    labels = "[...document.querySelectorAll('.o_mph_portal_student dt')]"
    assert phone.evaluate(
        f"{labels}.every(dt => getComputedStyle(dt).hyphens !== 'auto')"
    ), "labels such as Geboortedatum are not hyphenated"
    numbers = phone.evaluate(
        f"{labels}.filter(dt => ['Telefoon', 'Mobiel'].includes(dt.innerText.trim()))"
        ".map(dt => dt.nextElementSibling).filter(dd => dd.innerText.trim())"
        ".map(dd => !!dd.querySelector('a[href^=\"tel:\"]'))"
    )
    assert numbers and all(numbers), "every phone number is tap-to-call"


ROLE_APPS = {
    "coordinator": ("Muziekschool", "mph_school.menu_mph_root"),
    "financien": ("Facturatie", "account.menu_finance"),
    "artistiek": ("Inzicht", "mph_school.menu_mph_insight_root"),
    "directeur": ("Inzicht", "mph_school.menu_mph_insight_root"),
    "vrijwilliger": ("E-mailmarketing", "mass_mailing.mass_mailing_menu_root"),
}
NOT_FOR_ROLES = {
    "base.menu_management",
    "spreadsheet_dashboard.spreadsheet_dashboard_menu_root",
    "website.menu_website_configuration",
}


@pytest.mark.parametrize("login", sorted(ROLE_APPS))
def test_each_role_lands_in_its_own_app(browser, client, server, login):
    user = client(login)
    browser.login_as(user)
    browser.open(
        server["url"] + "/odoo",
        "document.querySelector('.o_menu_brand') && document.querySelector('.o_action_manager .o_view_controller')",
    )
    brand, app = ROLE_APPS[login]
    assert browser.evaluate("document.querySelector('.o_menu_brand').innerText") == brand, "not in Chat"
    menus = user.session.get(f"{server['url']}/web/webclient/load_menus/1", timeout=30).json()
    apps = {menus[str(root)]["xmlid"] for root in menus["root"]["children"]}
    assert app in apps
    assert not apps & NOT_FOR_ROLES, apps
    if login != "coordinator":
        assert "contacts.menu_contacts" not in apps
