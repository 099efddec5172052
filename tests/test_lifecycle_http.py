"""End to end: the life of two pupils, an adult and a minor, on a real server
driven over HTTP, from the website sign-up to the destruction of their data.

Each step is a test, run in file order on one database of its own (a copy of
the installed demo database), and checks what every role can and cannot see
at that moment. A step needs the steps before it; when one fails the later
ones are skipped.

The clock: the retention job asks ``fields.Date.context_today``, so to reach
"two years after the lessons stopped" and "after the statutory period" the
server is restarted on the same database under libfaketime (LD_PRELOAD,
FAKETIME), which moves the clock of the Odoo process only. PostgreSQL's
``now()``/``current_date`` stay real: ``create_date``/``write_date`` and the
season window of the population report keep the real date, which is what the
checks below rely on (the reports count the pupils in the school year they
had lessons in). Without libfaketime those steps are skipped.
"""

import datetime
import html
import json
import os
import re
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import requests
from browser import CHROMIUM, Browser
from conftest import OdooClient, OdooServer, RpcError, _dropdb, _pg, copy_db

ACCESS_ERROR = "odoo.exceptions.AccessError"
LIBFAKETIME = next(
    (
        p
        for p in ("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1", "/usr/lib/faketime/libfaketime.so.1")
        if Path(p).exists()
    ),
    None,
)
FAKETIME_SHIM = Path(__file__).resolve().parent / "faketime"
STAFF = ["coordinator", "financien", "artistiek", "directeur", "vrijwilliger"]
TEACHERS = ["docent.henk", "docent.marieke"]
ROLES = STAFF + TEACHERS
# Roles that never reach a pupil record at all.
NO_PUPILS = ["artistiek", "directeur", "vrijwilliger"]

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
NL_RE = re.compile(r'<option value="(\d+)"[^>]*>(?:Nederland|Netherlands)</option>')
# Signed links (mph.signed.link): the expiry is inside the token.
CONSENT_RE = re.compile(r"(/muziekles/toestemming/\d+\?token=[A-Za-z0-9_-]+)")
NEWSLETTER_RE = re.compile(r"(/nieuwsbrief/bevestigen/\d+\?token=[A-Za-z0-9_-]+)")

TODAY = datetime.date.today()


def near_today(value):
    """A date the server gave: today, in the school's time zone (a day off
    from the machine's UTC date around midnight)."""
    return abs((datetime.date.fromisoformat(value) - TODAY).days) <= 1


ADULT = {
    "name": "Annelies Zandvoort",
    "birthdate": "15-03-1990",
    "street": "Oudegracht 101",
    "zip": "3511 ad",
    "city": "Utrecht",
    "email": "annelies.zandvoort@example.nl",
    "phone": "030 2345678",
}
MINOR = {
    "name": "Bram Oosterhuis",
    "birthdate": f"15-03-{TODAY.year - 10}",
    "street": "Biltstraat 7",
    "zip": "3572 AA",
    "city": "Utrecht",
    "email": "bram.oosterhuis@example.nl",
    "phone": "030 3456789",
    "guardian_name": "Ingrid Oosterhuis",
    "guardian_email": "ingrid.oosterhuis@example.nl",
    "guardian_phone": "06 12345678",
}
PUPILS = (ADULT, MINOR)
NAMES = [ADULT["name"], MINOR["name"], MINOR["guardian_name"]]


# ----------------------------------------------------------------------
# The school: one database, a server that can be restarted at another time
# ----------------------------------------------------------------------


class School:
    def __init__(self, db):
        self.db = db
        self.odoo = None
        self.clients = {}
        self.state = {}
        self.done = set()

    def start(self, fake_date=None):
        """(Re)start the server; with ``fake_date`` its clock shows that day
        (the time of day stays the real one)."""
        self.stop()
        env = {}
        name = self.db
        if fake_date:
            days = (fake_date - datetime.date.today()).days
            env = {
                "LD_PRELOAD": LIBFAKETIME,
                "FAKETIME": f"{days:+d}d",
                "FAKETIME_DONT_FAKE_MONOTONIC": "1",
                # time.sleep under libfaketime 0.9.10: see faketime/sitecustomize.py
                "PYTHONPATH": os.pathsep.join(filter(None, [str(FAKETIME_SHIM), os.environ.get("PYTHONPATH")])),
            }
            name = f"{self.db}-{fake_date.isoformat()}"
        self.odoo = OdooServer(self.db, env=env, logname=name, crons=False)
        self.clients = {}

    def stop(self):
        for odoo in self.clients.values():
            odoo.session.close()  # no idle keep-alive connections to wait for
        if self.odoo:
            self.odoo.stop()
            self.odoo = None

    @property
    def url(self):
        return self.odoo.url

    def client(self, login):
        if login not in self.clients:
            odoo = OdooClient(self.url, self.db)
            odoo.authenticate(login)
            self.clients[login] = odoo
        return self.clients[login]

    def visitor(self):
        return requests.Session()

    def server_date(self):
        """The server's own date, from the Date header of its answer."""
        response = requests.get(self.url + "/web/login", timeout=30)
        return parsedate_to_datetime(response.headers["Date"]).date()

    def trigger_cron(self, xmlid):
        admin = self.client("admin")
        module, name = xmlid.split(".")
        cron_id = admin.call(
            "ir.model.data", "search_read", [("module", "=", module), ("name", "=", name)], ["res_id"]
        )[0]["res_id"]
        admin.call("ir.cron", "method_direct_trigger", [cron_id])

    def outbox(self, email, pattern=None):
        """Bodies of the mails queued for ``email`` (the test's mailbox: the
        server sends nothing, its crons are off), newest first."""
        mails = self.client("admin").call(
            "mail.mail",
            "search_read",
            ["|", ("email_to", "ilike", email), ("recipient_ids.email", "=ilike", email)],
            ["body_html", "subject", "attachment_ids"],
            order="id desc",
        )
        if pattern:
            return [m for m in mails if pattern.search(m["body_html"] or "")]
        return mails


@pytest.fixture(scope="module")
def school(template_db):
    db = template_db["template"].replace("_tpl", "_life")
    copy_db(template_db["template"], db)
    school = School(db)
    try:
        school.start()
        yield school
    finally:
        school.stop()
        _dropdb(db)


def step(school, name, *needs):
    """Mark the start of step ``name``; skip when an earlier step failed."""
    missing = [n for n in needs if n not in school.done]
    if missing:
        pytest.skip(f"needs the earlier step(s) {', '.join(missing)}")
    return name


# ----------------------------------------------------------------------
# What a role finds
# ----------------------------------------------------------------------


def denied(call, *args, **kwargs):
    with pytest.raises(RpcError) as error:
        call(*args, **kwargs)
    assert error.value.name == ACCESS_ERROR, error.value
    return True


def found(odoo, model, domain, archived=False):
    """Ids of ``model`` matching ``domain`` for this user; an access error
    counts as nothing found."""
    context = {"active_test": False} if archived else {}
    try:
        return odoo.call(model, "search", domain, context=context)
    except RpcError as error:
        assert error.name == ACCESS_ERROR, error
        return []


def pupils_found(school, login, archived=False):
    odoo = school.client(login)
    return sorted(found(odoo, "mph.student", [("name", "in", [ADULT["name"], MINOR["name"]])], archived))


def portal_shows(school, login, student_id, name):
    """Whether the teacher portal shows the pupil to ``login``, on the list and
    on the pupil's own page."""
    session = school.client(login).session
    listing = session.get(f"{school.url}/my/students", timeout=30, allow_redirects=False)
    page = session.get(f"{school.url}/my/students/{student_id}", timeout=30, allow_redirects=False)
    assert listing.status_code == 200
    on_page = page.status_code == 200 and name in page.text
    assert (name in listing.text) == on_page, "the list and the page agree"
    return on_page


# ----------------------------------------------------------------------
# The story
# ----------------------------------------------------------------------


def signup_by_post(school, pupil, lesson_id):
    visitor = school.visitor()
    page = visitor.get(school.url + "/muziekles/aanmelden", timeout=30)
    assert page.status_code == 200
    assert f'value="{lesson_id}"' in page.text, "piano is offered on the form"
    data = {
        "csrf_token": CSRF_RE.search(page.text).group(1),
        "country_id": NL_RE.search(page.text).group(1),
        "lesson_type_ids": [str(lesson_id)],
        "preferred_times": "dinsdagmiddag",
        "privacy_accept": "1",
        **pupil,
    }
    done = visitor.post(school.url + "/muziekles/aanmelden", data=data, timeout=60)
    assert done.status_code == 200, done.text[-2000:]
    assert 'id="mph_signup_result"' in done.text


def signup_in_browser(school, pupil, lesson_id):
    with Browser() as browser:
        browser.open(school.url + "/muziekles/aanmelden", "document.querySelector('#mph_signup_form')")
        assert "Aanmelden voor een eerste les" in browser.text()
        browser.click(f"#lesson_type_{lesson_id}")
        browser.fill("#preferred_times", "dinsdagmiddag")
        for key, value in pupil.items():
            if key == "birthdate":  # a date input holds an ISO date
                value = "-".join(reversed(value.split("-")))
            browser.fill(f'#mph_signup_form [name="{key}"]', value)
        browser.click("#privacy_accept")
        browser.click("#mph_signup_form button[type=submit]")
        browser.wait("document.querySelector('#mph_signup_result')")
        assert "Piano" in browser.text()


def test_00_baseline(school):
    """Nobody knows the two pupils yet; what the reports count before them."""
    admin = school.client("admin")
    for model in ("mph.student", "res.partner"):
        assert found(admin, model, [("name", "in", NAMES)], archived=True) == []
    coordinator = school.client("coordinator")
    piano = coordinator.call(
        "mph.lesson.type", "search_read", [("name", "=", "Piano")], ["teacher_ids", "capacity", "seats_taken"]
    )[0]
    henk = coordinator.call("mph.teacher", "search_read", [("user_id.login", "=", "docent.henk")], ["id"])[0]["id"]
    assert henk in piano["teacher_ids"]
    assert piano["seats_taken"] >= piano["capacity"], "the demo's piano lessons are full: sign-ups wait"
    season = coordinator.call(
        "mph.season",
        "search_read",
        [("date_start", "<=", str(TODAY)), ("date_end", ">=", str(TODAY))],
        ["name", "date_start", "date_end"],
    )
    assert season, "the demo has the current school year"
    school.state.update(lesson_id=piano["id"], piano=piano, henk=henk, season=season[0])
    school.trigger_cron("mph_school.ir_cron_mph_insight_refresh")
    school.state["reports_before"] = report_figures(school)
    school.done.add("baseline")


def test_01_website_signup(school):
    step(school, "signup", "baseline")
    lesson_id = school.state["lesson_id"]
    # The adult fills in the form in Chromium, as a person would; the
    # guardian of the minor sends it without a browser (a plain form POST
    # with the page's CSRF token).
    if CHROMIUM:
        signup_in_browser(school, ADULT, lesson_id)
    else:
        signup_by_post(school, ADULT, lesson_id)
    signup_by_post(school, MINOR, lesson_id)

    coordinator = school.client("coordinator")
    students = coordinator.call(
        "mph.student",
        "search_read",
        [("name", "in", [ADULT["name"], MINOR["name"]])],
        ["name", "signup_state", "guardian_id", "partner_id", "zip", "enrollment_ids"],
    )
    by_name = {s["name"]: s for s in students}
    adult, minor = by_name[ADULT["name"]], by_name[MINOR["name"]]
    assert (adult["signup_state"], adult["guardian_id"], adult["zip"]) == ("done", False, "3511 AD")
    assert minor["signup_state"] == "awaiting_consent"
    assert minor["guardian_id"][1] == MINOR["guardian_name"]
    enrollments = coordinator.call(
        "mph.enrollment",
        "search_read",
        [("student_id", "in", [adult["id"], minor["id"]])],
        ["state", "teacher_id", "lesson_type_id"],
    )
    assert [(e["state"], e["teacher_id"], e["lesson_type_id"][0]) for e in enrollments] == [
        ("waiting", False, lesson_id)
    ] * 2, "piano is full: both wait"
    school.state.update(
        adult=adult["id"],
        minor=minor["id"],
        ids=sorted([adult["id"], minor["id"]]),
        adult_partner=adult["partner_id"][0],
        guardian=minor["guardian_id"][0],
        enrollments=sorted(e["id"] for e in enrollments),
    )
    # The guardian's consent mail is queued, with the signed link.
    assert school.outbox(MINOR["guardian_email"], CONSENT_RE), "the guardian is asked for consent"

    # Who sees them now: the coordinator; finance the names (for invoicing)
    # but never a birthdate; no teacher yet; the aggregated roles nothing.
    ids = school.state["ids"]
    assert pupils_found(school, "coordinator") == ids
    finance = school.client("financien")
    assert pupils_found(school, "financien") == ids
    assert denied(finance.call, "mph.student", "read", ids, ["birthdate"])
    assert denied(finance.call, "mph.student", "search_read", [("id", "in", ids)], ["phone"])
    for login in TEACHERS + NO_PUPILS:
        assert pupils_found(school, login) == [], login
    for login in NO_PUPILS:
        assert denied(school.client(login).call, "mph.student", "search_read", [], ["name"])
    assert not portal_shows(school, "docent.henk", adult["id"], ADULT["name"])
    # The consent records are the coordinator's alone.
    assert len(coordinator.call("mph.privacy.acceptance", "search", [("student_id", "in", ids)])) == 2
    for login in ("financien", "docent.henk", "directeur"):
        assert denied(school.client(login).call, "mph.privacy.acceptance", "search", [])
    school.done.add("signup")


def test_02_guardian_consent(school):
    step(school, "consent", "signup")
    mail = school.outbox(MINOR["guardian_email"], CONSENT_RE)[0]
    link = html.unescape(CONSENT_RE.search(mail["body_html"]).group(1))
    guardian = school.visitor()
    page = guardian.get(school.url + link, timeout=30)
    assert page.status_code == 200
    assert MINOR["name"] in page.text and 'id="mph_give_consent"' in page.text
    # Opening the link is not consent (mail scanners open links too).
    coordinator = school.client("coordinator")
    minor = school.state["minor"]
    assert coordinator.call("mph.student", "read", [minor], ["signup_state"])[0]["signup_state"] == "awaiting_consent"
    given = guardian.post(
        school.url + link.split("?")[0],
        data={
            "csrf_token": CSRF_RE.search(page.text).group(1),
            "token": re.search(r"token=([A-Za-z0-9_-]+)", link).group(1),
        },
        timeout=60,
    )
    assert given.status_code == 200
    record = coordinator.call("mph.student", "read", [minor], ["signup_state", "guardian_consent_date"])[0]
    assert record["signup_state"] == "done" and record["guardian_consent_date"]
    kinds = coordinator.call(
        "mph.privacy.acceptance", "search_read", [("student_id", "=", minor)], ["kind", "partner_id", "ip_address"]
    )
    assert sorted((k["kind"], k["partner_id"][0]) for k in kinds) == sorted(
        [
            ("policy", coordinator.call("mph.student", "read", [minor], ["partner_id"])[0]["partner_id"][0]),
            ("guardian", school.state["guardian"]),
        ]
    )
    # The link works once: a second visit says it was already given.
    again = school.visitor().get(school.url + link, timeout=30)
    assert again.status_code == 200 and 'id="mph_give_consent"' not in again.text
    school.done.add("consent")


def test_03_coordinator_assigns_a_teacher(school):
    step(school, "assign", "consent")
    coordinator = school.client("coordinator")
    henk = school.state["henk"]
    # A place comes free: the coordinator gives the piano two more places
    # and places both pupils from the waiting list with Henk.
    piano = school.state["piano"]
    coordinator.call("mph.lesson.type", "write", [piano["id"]], {"capacity": piano["seats_taken"] + 2})
    enrollments = school.state["enrollments"]
    coordinator.call("mph.enrollment", "write", enrollments, {"teacher_id": henk})
    coordinator.call("mph.enrollment", "action_activate", enrollments)
    rows = coordinator.call("mph.enrollment", "read", enrollments, ["state", "date_start"])
    assert {r["state"] for r in rows} == {"active"}
    assert len({r["date_start"] for r in rows}) == 1 and near_today(rows[0]["date_start"])
    # Henk is told by e-mail, with a link to the portal page, not the data.
    henk_email = coordinator.call("res.users", "search_read", [("login", "=", "docent.henk")], ["email"])[0]["email"]
    notices = [m for m in school.outbox(henk_email) if "/my/students/" in (m["body_html"] or "")]
    assert len(notices) >= 2
    ids = school.state["ids"]
    # Henk now sees them, on the portal and over RPC, with their birthdate;
    # never the coordinator's remarks. Another teacher still sees nothing.
    henk_client = school.client("docent.henk")
    assert pupils_found(school, "docent.henk") == ids
    assert all(r["birthdate"] for r in henk_client.call("mph.student", "read", ids, ["name", "birthdate"]))
    assert denied(henk_client.call, "mph.student", "read", ids, ["note"])
    assert portal_shows(school, "docent.henk", school.state["adult"], ADULT["name"])
    assert portal_shows(school, "docent.henk", school.state["minor"], MINOR["name"])
    assert pupils_found(school, "docent.marieke") == []
    assert not portal_shows(school, "docent.marieke", school.state["adult"], ADULT["name"])
    for login in NO_PUPILS:
        assert pupils_found(school, login) == []
    school.done.add("assign")


def test_04_yearly_invoice_mailed_and_paid(school):
    step(school, "invoice", "assign")
    coordinator = school.client("coordinator")
    # The guardian pays for the minor: the coordinator completes the address.
    coordinator.call(
        "res.partner",
        "write",
        [school.state["guardian"]],
        {"street": MINOR["street"], "zip": MINOR["zip"], "city": MINOR["city"]},
    )
    finance = school.client("financien")
    season_id = school.state["season"]["id"]
    wizard = finance.call("mph.contribution.invoice.wizard", "create", {"season_id": season_id, "send_email": True})
    finance.call("mph.contribution.invoice.wizard", "action_invoice", [wizard])
    done = finance.call("mph.contribution.invoice.wizard", "read", [wizard], ["state", "move_ids"])[0]
    assert done["state"] == "done"
    payers = [school.state["adult_partner"], school.state["guardian"]]
    moves = finance.call(
        "account.move",
        "search_read",
        [("id", "in", done["move_ids"]), ("partner_id", "in", payers)],
        ["partner_id", "state", "amount_total", "name", "is_move_sent", "invoice_date"],
    )
    assert sorted(m["partner_id"][0] for m in moves) == sorted(payers), "one invoice per payer"
    assert all(m["state"] == "posted" and m["amount_total"] > 0 for m in moves)
    # Mailed: Odoo's sending job (run here, the server's crons are off)
    # queues each invoice with its PDF for the payer's address.
    school.trigger_cron("account.ir_cron_account_move_send")
    sent = finance.call("account.move", "read", [m["id"] for m in moves], ["is_move_sent"])
    assert all(s["is_move_sent"] for s in sent)
    for email in (ADULT["email"], MINOR["guardian_email"]):
        mails = [m for m in school.outbox(email) if m["attachment_ids"]]
        assert mails, f"the invoice is mailed to {email}"
    # Finance registers the payments.
    for move in moves:
        register = finance.call(
            "account.payment.register",
            "create",
            {},
            context={"active_model": "account.move", "active_ids": [move["id"]]},
        )
        finance.call(
            "account.payment.register",
            "action_create_payments",
            [register],
            context={"active_model": "account.move", "active_ids": [move["id"]]},
        )
    paid = finance.call("account.move", "read", [m["id"] for m in moves], ["payment_state"])
    assert {p["payment_state"] for p in paid} <= {"paid", "in_payment"}
    school.state["invoices"] = {m["id"]: m for m in moves}
    # Finance still reaches no birthdate; the others reach no invoice.
    assert denied(finance.call, "mph.student", "read", school.state["ids"], ["birthdate"])
    for login in ("artistiek", "directeur", "vrijwilliger"):
        assert denied(school.client(login).call, "account.move", "search_read", [], ["name"]), login
    for login in TEACHERS:
        assert found(school.client(login), "account.move", [("id", "in", list(school.state["invoices"]))]) == []
    school.done.add("invoice")


def test_05_newsletter_double_opt_in(school):
    step(school, "newsletter", "signup")
    email = ADULT["email"]
    volunteer = school.client("vrijwilliger")
    visitor = school.visitor()
    page = visitor.get(school.url + "/nieuwsbrief", timeout=30)
    assert page.status_code == 200
    answer = visitor.post(
        school.url + "/nieuwsbrief/aanmelden",
        data={"csrf_token": CSRF_RE.search(page.text).group(1), "email": email, "website_url": ""},
        timeout=60,
    )
    assert answer.status_code == 200

    def subscribed():
        contacts = volunteer.call(
            "mailing.contact", "search_read", [("email", "=", email)], ["name", "subscription_ids"]
        )
        if not contacts:
            return False
        assert not contacts[0]["name"], "the volunteer sees addresses only"
        subscriptions = volunteer.call(
            "mailing.subscription", "read", contacts[0]["subscription_ids"], ["opt_out", "list_id"]
        )
        return any(not s["opt_out"] for s in subscriptions)

    assert not subscribed(), "not mailed before the address is confirmed"
    link = html.unescape(NEWSLETTER_RE.search(school.outbox(email, NEWSLETTER_RE)[0]["body_html"]).group(1))
    reader = school.visitor()
    opened = reader.get(school.url + link, timeout=30)
    assert opened.status_code == 200
    assert not subscribed(), "opening the link (a mail scanner would) confirms nothing"
    path, query = link.split("?")
    params = dict(part.split("=", 1) for part in query.split("&"))
    confirmed = reader.post(
        school.url + path, data={"csrf_token": CSRF_RE.search(opened.text).group(1), **params}, timeout=30
    )
    assert confirmed.status_code == 200
    assert subscribed(), "after the click the volunteer has the address"
    # The volunteer still reaches no pupil, no name.
    assert pupils_found(school, "vrijwilliger") == []
    assert found(volunteer, "res.partner", [("name", "in", NAMES)]) == []
    school.done.add("newsletter")


def test_06_lessons_stop(school):
    step(school, "stop", "invoice")
    coordinator = school.client("coordinator")
    coordinator.call("mph.enrollment", "action_stop", school.state["enrollments"])
    students = coordinator.call("mph.student", "read", school.state["ids"], ["state", "date_lessons_ended"])
    assert {s["state"] for s in students} == {"stopped"}
    ended = {s["date_lessons_ended"] for s in students}
    assert len(ended) == 1 and near_today(min(ended))
    # The teacher loses them at once; the coordinator and finance keep them.
    for login in TEACHERS:
        assert pupils_found(school, login) == []
    assert not portal_shows(school, "docent.henk", school.state["adult"], ADULT["name"])
    assert pupils_found(school, "coordinator") == school.state["ids"]
    assert pupils_found(school, "financien") == school.state["ids"]
    school.state["ended"] = datetime.date.fromisoformat(min(ended))
    school.done.add("stop")


def needs_faketime():
    if not LIBFAKETIME:
        pytest.skip("libfaketime is not installed (apt-get install faketime): the clock cannot be moved")


def test_07_passive_archive_after_two_years(school):
    step(school, "archive", "stop")
    needs_faketime()
    ended = school.state["ended"]
    # Two years after the lessons stopped.
    day = _add_years(ended, 2) + datetime.timedelta(days=1)
    school.start(fake_date=day)
    assert school.server_date() == day, "the server's clock moved"
    school.trigger_cron("mph_school.ir_cron_mph_retention")
    coordinator = school.client("coordinator")
    ids = school.state["ids"]
    # Only the coordinator still finds them, in the passive archive.
    assert pupils_found(school, "coordinator") == []
    assert pupils_found(school, "coordinator", archived=True) == ids
    states = coordinator.call("mph.student", "read", ids, ["state", "active"], context={"active_test": False})
    assert {(s["state"], s["active"]) for s in states} == {("archived", False)}
    for login in ["financien", *TEACHERS, *NO_PUPILS]:
        assert pupils_found(school, login, archived=True) == [], login
    # Finance keeps the invoices (fiscal records) until the statutory period ends.
    finance = school.client("financien")
    kept = finance.call("account.move", "read", list(school.state["invoices"]), ["partner_id", "amount_total"])
    assert sorted(k["partner_id"][1] for k in kept) == sorted([ADULT["name"], MINOR["guardian_name"]])
    school.state["archived_on"] = day
    school.done.add("archive")


def test_08_access_request_answered_with_the_export(school):
    step(school, "access", "archive")
    coordinator = school.client("coordinator")
    request_id = coordinator.call(
        "mph.privacy.request",
        "create",
        {
            "request_type": "access",
            "student_id": school.state["adult"],
            "channel": "email",
            "description": "Welke gegevens hebben jullie nog van mij?",
        },
    )
    received = coordinator.call("mph.privacy.request", "read", [request_id], ["date_received", "partner_id"])[0]
    received_on = datetime.date.fromisoformat(received["date_received"])
    assert abs((received_on - school.state["archived_on"]).days) <= 1, "dated on the server's (moved) day"
    coordinator.call("mph.privacy.request", "write", [request_id], {"identity_method": "known_email"})
    coordinator.call("mph.privacy.request", "action_verify_identity", [request_id])
    action = coordinator.call("mph.privacy.request", "action_process", [request_id])
    answered = coordinator.call("mph.privacy.request", "read", [request_id], ["state", "export_attachment_id"])[0]
    assert answered["state"] == "done"
    export = coordinator.session.get(school.url + action["url"], timeout=60)
    assert export.status_code == 200
    # The export as it is now (JSON, plus a readable HTML copy). When it
    # becomes a PDF, check its text here the same way.
    data = json.loads(export.content)
    # Keyed by field label: check the values the person will recognise.
    # Keyed in the person's language: the website's, Dutch.
    section = {
        key: next(data[label] for label in labels if label in data)
        for key, labels in (
            ("person", ("Persoon die het verzoek deed", "Person who made the request")),
            ("pupil", ("Leerling", "Pupil")),
            ("enrolments", ("Inschrijvingen", "Enrolments")),
        )
    }
    person = section["person"].values()
    assert ADULT["name"] in person and ADULT["email"] in person
    assert "15" in json.dumps(section["pupil"]) and "1990-03-15" in json.dumps(section["pupil"]), "the birthdate"
    assert len(section["enrolments"]) == 1 and "Piano" in json.dumps(section["enrolments"])
    # The readable PDF made with it (rendered by wkhtmltopdf on the server).
    files = coordinator.call(
        "ir.attachment",
        "search_read",
        [("res_model", "=", "mph.privacy.request"), ("res_id", "=", request_id)],
        ["name", "mimetype"],
    )
    pdf = next(f for f in files if f["name"].endswith("-inzage.pdf"))
    assert pdf["mimetype"] == "application/pdf"
    pdf_url = f"{school.url}/web/content/{pdf['id']}?download=true"
    printed = coordinator.session.get(pdf_url, timeout=60)
    assert printed.status_code == 200 and printed.content.startswith(b"%PDF"), printed.content[:200]
    # The request and its export are the coordinator's alone.
    attachment = answered["export_attachment_id"][0]
    for login in ("financien", "artistiek", "directeur", "vrijwilliger", "docent.henk"):
        other = school.client(login)
        assert denied(other.call, "mph.privacy.request", "read", [request_id], ["name"]), login
        response = other.session.get(f"{school.url}/web/content/{attachment}?download=true", timeout=30)
        assert response.status_code != 200 or ADULT["email"] not in response.text, login
        response = other.session.get(pdf_url, timeout=30)
        assert response.status_code in (403, 404) and not response.content.startswith(b"%PDF"), login
    school.done.add("access")


def test_09_erasure_on_request_keeps_the_fiscal_copy(school):
    """Having seen what the school holds, the adult asks to be erased. Her
    invoice is still within the statutory period: finance keeps the name and
    address it was issued with, no one else reads them, and nothing else of
    her is left anywhere."""
    step(school, "erasure", "access")
    coordinator = school.client("coordinator")
    adult = school.state["adult"]
    request_id = coordinator.call(
        "mph.privacy.request",
        "create",
        {"request_type": "erasure", "student_id": adult, "channel": "email", "identity_method": "known_email"},
    )
    coordinator.call("mph.privacy.request", "action_verify_identity", [request_id])
    coordinator.call("mph.privacy.request", "action_process", [request_id])
    assert coordinator.call("mph.privacy.request", "read", [request_id], ["state"])[0]["state"] == "done"
    record = coordinator.call("mph.student", "read", [adult], ["state", "name"], context={"active_test": False})[0]
    assert record["state"] == "anonymised" and ADULT["name"] not in record["name"]
    # Finance reads the invoice as it was issued: the frozen name and address,
    # printed too; the amounts and the payment as they were.
    invoices = school.state["invoices"]
    invoice = next(i for i, m in invoices.items() if m["partner_id"][0] == school.state["adult_partner"])
    finance = school.client("financien")
    move = finance.call("account.move", "read", [invoice], [*FISCAL_FIELDS, "partner_id", "name", "amount_total"])[0]
    assert move["mph_fiscal_frozen_date"]
    assert (move["mph_fiscal_name"], move["mph_fiscal_street"]) == (ADULT["name"], ADULT["street"])
    assert (move["mph_fiscal_zip"], move["mph_fiscal_city"]) == ("3511 AD", ADULT["city"])
    assert ADULT["name"] not in move["partner_id"][1], "the contact itself is anonymised"
    before = school.state["invoices"][invoice]
    assert (move["name"], move["amount_total"]) == (before["name"], before["amount_total"])
    paid = finance.call("account.move", "read", [invoice], ["payment_state"])[0]
    assert paid["payment_state"] in ("paid", "in_payment")
    printed = finance.session.get(f"{school.url}/report/pdf/account.report_invoice/{invoice}", timeout=120)
    assert printed.status_code == 200 and printed.content.startswith(b"%PDF")
    page = finance.session.get(f"{school.url}/report/html/account.report_invoice/{invoice}", timeout=60)
    assert page.status_code == 200 and 'name="mph_fiscal_address"' in page.text
    assert ADULT["name"] in page.text and ADULT["street"] in page.text
    # No other role reads the fiscal copy, nor finds the invoice by it; the
    # administrator neither.
    for login in ["coordinator", "artistiek", "directeur", "vrijwilliger", *TEACHERS, "admin"]:
        other = school.client(login)
        assert denied(other.call, "account.move", "read", [invoice], ["mph_fiscal_name"]), login
        assert found(other, "account.move", [("mph_fiscal_name", "ilike", "Zandvoort")]) == [], login
        # The administrator (an accountant) prints the invoice with the
        # anonymised contact; the lines stay as issued.
        page = other.session.get(f"{school.url}/report/html/account.report_invoice/{invoice}", timeout=60)
        assert ADULT["street"] not in page.text and 'name="mph_fiscal_address"' not in page.text, login
    # Nothing else of her is left: only the invoice as issued (its fiscal
    # copy, its lines) still names her.
    invoice_lines = finance.call("account.move", "read", [invoice], ["invoice_line_ids"])[0]["invoice_line_ids"]
    allowed = {("account.move.line", line, "name") for line in invoice_lines}
    hits = traces(school, ["Zandvoort"])
    assert allowed <= hits, "the search finds the lines as issued"
    assert_no_traces(school, ["Zandvoort"], allowed, hits)
    # In the database too: the invoice (fiscal copy) and its lines only.
    assert sorted(tables_holding(school.db, ["Zandvoort"])) == ["public.account_move", "public.account_move_line"]
    school.state["adult_invoice"] = invoice
    school.done.add("erasure")


def test_10_destruction_after_the_statutory_period(school):
    step(school, "destroy", "erasure")
    needs_faketime()
    ended = school.state["ended"]
    # The statutory period: seven years after the end of the calendar year
    # in which the lessons ended. The invoices are of the same year, so the
    # same run that destroys the minor's data also ends the fiscal copy of
    # the adult's invoice; the guardian's invoice, past the period already,
    # never gets one. Until then the minor stayed in the archive, the
    # invoices with the names (see the archive and erasure steps).
    day = datetime.date(ended.year + 8, 1, 1)
    school.start(fake_date=day)
    assert school.server_date() == day
    assert pupils_found(school, "coordinator", archived=True) == [school.state["minor"]]
    school.trigger_cron("mph_school.ir_cron_mph_retention")
    # Nobody finds the names any more, not even the administrator.
    for login in [*ROLES, "admin"]:
        odoo = school.client(login)
        for model in ("mph.student", "res.partner"):
            assert found(odoo, model, [("name", "in", NAMES)], archived=True) == [], (login, model)
            for name in NAMES:
                hits = _name_search(odoo, model, name)
                assert hits == [], (login, model, name)
    admin = school.client("admin")
    states = admin.call("mph.student", "read", school.state["ids"], ["state", "birthdate", "zip_area", "birth_year"])
    assert {s["state"] for s in states} == {"anonymised"}
    assert all(not s["birthdate"] and s["birth_year"] and s["zip_area"] for s in states), "statistics keys kept"
    # The newsletter address is gone too.
    assert found(admin, "mailing.contact", [("email", "=", ADULT["email"])]) == []
    # The invoices stay (bookkeeping), unchanged in number and amounts,
    # without any name: the fiscal copy is erased, on the printout too.
    finance = school.client("financien")
    moves = finance.call(
        "account.move",
        "read",
        list(school.state["invoices"]),
        [*FISCAL_FIELDS, "amount_total", "name", "partner_id", "invoice_line_ids"],
    )
    assert len(moves) == 2
    for move in moves:
        before = school.state["invoices"][move["id"]]
        assert (move["name"], move["amount_total"]) == (before["name"], before["amount_total"])
        assert not any(name in move["partner_id"][1] for name in NAMES)
        assert not any(move[field] for field in FISCAL_FIELDS), move
        page = finance.session.get(f"{school.url}/report/html/account.report_invoice/{move['id']}", timeout=60)
        assert page.status_code == 200 and move["name"] in page.text
        assert not any(word in page.text for word in ("Zandvoort", "Oosterhuis", ADULT["street"], MINOR["street"]))
    # No trace of either of them, nor of the guardian, is left anywhere:
    # nothing the administrator finds, and nothing in any table.
    assert_no_traces(school, ["Zandvoort", "Oosterhuis"])
    assert tables_holding(school.db, ["Zandvoort", "Oosterhuis"]) == {}
    school.done.add("destroy")


def test_11_reports_still_count_them(school):
    step(school, "reports", "destroy")
    school.trigger_cron("mph_school.ir_cron_mph_insight_refresh")
    before, after = school.state["reports_before"], report_figures(school)
    # Exact, for the coordinator: both pupils in this school year, and their
    # two piano requests.
    assert after["population"] == before["population"] + 2
    assert after["requested"] == before["requested"] + 2
    # The director sees the school-year total rounded: each cell rounded to
    # a multiple of 5 and added up, so two more pupils raise it by 0, 5 or
    # 10 (the rounding of a cell never goes down when it grows).
    assert after["director_population"] % 5 == 0
    assert after["director_population"] - before["director_population"] in (0, 5, 10)
    director = school.client("directeur")
    assert denied(director.call, "mph.insight.population", "search_read", [], ["student_count"])
    school.done.add("reports")


def report_figures(school):
    season_id = school.state["season"]["id"]
    coordinator = school.client("coordinator")
    population = coordinator.call(
        "mph.insight.population", "read_group", [("season_id", "=", season_id)], ["student_count"], [], lazy=False
    )
    demand = coordinator.call(
        "mph.insight.demand",
        "read_group",
        [("lesson_type_id", "=", school.state["lesson_id"])],
        ["requested_count"],
        [],
        lazy=False,
    )
    director = school.client("directeur").call(
        "mph.insight.population",
        "read_group",
        [("season_id", "=", season_id)],
        ["student_count"],
        ["season_id"],
        lazy=False,
    )
    return {
        "population": population[0]["student_count"] or 0,
        "requested": demand[0]["requested_count"] or 0,
        "director_population": director[0]["student_count"] if director else 0,
    }


# The fiscal copy on an invoice (finance only).
FISCAL_FIELDS = [
    "mph_fiscal_name",
    "mph_fiscal_street",
    "mph_fiscal_street2",
    "mph_fiscal_zip",
    "mph_fiscal_city",
    "mph_fiscal_country_id",
    "mph_fiscal_vat",
    "mph_fiscal_frozen_date",
]


def traces(school, needles):
    """Every (model, id, field) where the administrator finds one of
    ``needles`` (case-insensitive) in a stored text field of any model:
    messages, queued mails, contacts, newsletter contacts and traces,
    attachments (names and indexed text), invoice lines... Fields the
    administrator may not read (finance's fiscal copy) are not searched."""
    admin = school.client("admin")
    if "text_fields" not in school.state:
        rows = admin.call(
            "ir.model.fields",
            "search_read",
            [("store", "=", True), ("ttype", "in", ["char", "text", "html"]), ("model_id.transient", "=", False)],
            ["model", "name"],
        )
        by_model = {}
        for row in rows:
            by_model.setdefault(row["model"], []).append(row["name"])
        school.state["text_fields"] = by_model
    context = {"active_test": False}

    def search(model, names):
        domain = [(name, "ilike", needle) for name in names for needle in needles]
        return admin.call(model, "search", ["|"] * (len(domain) - 1) + domain, context=context)

    hits, searched = set(), set()
    for model, names in school.state["text_fields"].items():
        try:
            found_ids = search(model, names)
            searched.add(model)
            if not found_ids:
                continue
        except RpcError:
            pass  # a field the administrator may not search, or no table: one by one
        for name in names:
            try:
                hits.update((model, res_id, name) for res_id in search(model, [name]))
                searched.add(model)
            except RpcError:
                continue
    # Where the people were: a search that silently failed would find nothing.
    where = {"mail.message", "mail.mail", "mail.tracking.value", "res.partner", "mailing.contact", "mailing.trace"}
    where |= {"ir.attachment", "account.move", "account.move.line", "mph.student", "mph.privacy.request"}
    assert where <= searched, where - searched
    return hits


def assert_no_traces(school, needles, allowed=(), hits=None):
    left = (traces(school, needles) if hits is None else hits) - set(allowed)
    if left:
        admin = school.client("admin")
        shown = [
            (model, res_id, name, admin.call(model, "read", [res_id], [name], context={"active_test": False}))
            for model, res_id, name in sorted(left)
        ]
        pytest.fail(f"traces of {needles} left: {shown}")


def tables_holding(db, needles):
    """{table: rows} of the rows of ``db`` that hold one of ``needles``
    (case-insensitive), from a data dump: also what no user reaches, such as
    messages left on a deleted record."""
    dump = _pg("pg_dump", "--data-only", db)
    assert dump.returncode == 0, dump.stderr
    pattern = re.compile("|".join(map(re.escape, needles)), re.IGNORECASE)
    table, found_rows = None, {}
    for line in dump.stdout.splitlines():
        if line.startswith("COPY "):
            table = line.split()[1]
        elif pattern.search(line):
            found_rows.setdefault(table, []).append(line[:300])
    return found_rows


def _name_search(odoo, model, name):
    try:
        return odoo.call(model, "name_search", name, [], "ilike", 10, context={"active_test": False})
    except RpcError as error:
        assert error.name == ACCESS_ERROR, error
        return []


def _add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
