"""Screenshots for the README, taken in headless Chromium on the demo
server, each role logged in as itself: the coordinator's pupil list, the
teacher portal, the public sign-up page, the director's dashboard and the
newsletter volunteer's view. Each page is checked before it is saved: Dutch,
with real data that role may see and without what it may not."""

import os
from pathlib import Path

import pytest
from browser import CHROMIUM, HEIGHT, WIDTH, Browser

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
