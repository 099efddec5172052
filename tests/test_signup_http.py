"""The public sign-up from outside: a visitor signs up on the demo server,
and the consent records it leaves are the coordinator's alone."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from conftest import RpcError

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
LESSON_TYPE_RE = re.compile(r'name="lesson_type_ids"[^>]*value="(\d+)"')
ERROR_RE = re.compile(r'data-error-field="([^"]+)"[^>]*>([^<]*)<')
NL_RE = re.compile(r'<option value="(\d+)"[^>]*>(?:Nederland|Netherlands)</option>')


def test_visitor_signs_up_and_only_the_coordinator_sees_the_consent(server, client):
    visitor = requests.Session()
    page = visitor.get(server["url"] + "/muziekles/aanmelden", timeout=30)
    assert page.status_code == 200
    data = {
        "csrf_token": CSRF_RE.search(page.text).group(1),
        "name": "Pytest Bezoeker",
        "birthdate": "15-06-1988",
        "street": "Lange Nieuwstraat 3",
        "zip": "3512pn",
        "city": "Utrecht",
        "country_id": NL_RE.search(page.text).group(1),
        "email": "pytest.bezoeker@example.nl",
        "phone": "030 1234567",
        "lesson_type_ids": [LESSON_TYPE_RE.search(page.text).group(1)],
        "privacy_accept": "1",
    }
    done = visitor.post(server["url"] + "/muziekles/aanmelden", data=data, timeout=60)
    assert done.status_code == 200
    assert 'id="mph_signup_result"' in done.text

    coordinator = client("coordinator")
    student = coordinator.call(
        "mph.student", "search_read", [("email", "=", "pytest.bezoeker@example.nl")], ["zip", "signup_state"]
    )
    assert [(s["zip"], s["signup_state"]) for s in student] == [("3512 PN", "done")]
    records = coordinator.call(
        "mph.privacy.acceptance", "search_read", [("student_id", "=", student[0]["id"])], ["ip_address", "kind"]
    )
    assert [(r["ip_address"], r["kind"]) for r in records] == [("127.0.0.1", "policy")]

    for login in ("financien", "artistiek", "directeur", "docent.henk", "vrijwilliger"):
        other = client(login)
        for model in ("mph.privacy.acceptance", "mph.privacy.policy", "mph.signup.attempt"):
            with pytest.raises(RpcError) as error:
                other.call(model, "search_read", [], ["id"])
            assert "AccessError" in error.value.name, (login, model)


def test_policy_page_is_public(server):
    page = requests.get(server["url"] + "/muziekles/privacybeleid", timeout=30)
    assert page.status_code == 200
    assert "Kinderen jonger dan 16 jaar" in page.text


def _signup_form(server, email, name):
    """A visitor's session with the sign-up page loaded and the form filled."""
    visitor = requests.Session()
    page = visitor.get(server["url"] + "/muziekles/aanmelden", timeout=30)
    data = {
        "csrf_token": CSRF_RE.search(page.text).group(1),
        "name": name,
        "birthdate": "02-03-1991",
        "street": "Vismarkt 8",
        "zip": "3511KG",
        "city": "Utrecht",
        "country_id": NL_RE.search(page.text).group(1),
        "email": email,
        "phone": "030 2345678",
        "lesson_type_ids": [LESSON_TYPE_RE.search(page.text).group(1)],
        "privacy_accept": "1",
    }
    return visitor, data


def test_simultaneous_identical_signups_make_one_pupil(server, client):
    """Four identical sign-ups posted at the same moment (a double click, a
    retrying browser) leave one pupil with one enrolment, and every visitor
    gets the confirmation page."""
    admin = client("admin")
    key = "mph_school.signup_rate_limit"
    old_limit = admin.call("ir.config_parameter", "get_param", key)
    admin.call("ir.config_parameter", "set_param", key, "1000")
    try:
        email = "pytest.tegelijk@example.nl"
        forms = [_signup_form(server, email, "Pytest Tegelijk") for _ in range(4)]
        barrier = threading.Barrier(len(forms))

        def post(form):
            visitor, data = form
            barrier.wait()
            return visitor.post(server["url"] + "/muziekles/aanmelden", data=data, timeout=120)

        with ThreadPoolExecutor(len(forms)) as pool:
            answers = list(pool.map(post, forms))
    finally:
        admin.call("ir.config_parameter", "set_param", key, old_limit or "5")
    assert [a.status_code for a in answers] == [200] * len(forms), ERROR_RE.findall(answers[0].text)
    assert all('id="mph_signup_result"' in a.text for a in answers)
    coordinator = client("coordinator")
    pupils = coordinator.call(
        "mph.student", "search_read", [("email", "=", email)], ["enrollment_ids"], context={"active_test": False}
    )
    assert len(pupils) == 1, pupils
    assert len(pupils[0]["enrollment_ids"]) == 1


# ----------------------------------------------------------------------
# Issue 13 point 6: the sign-up tells strangers nothing about who is a pupil
# ----------------------------------------------------------------------

# Every CSRF token Odoo puts in a page (form fields and the session script).
TOKEN_RE = re.compile(r"[0-9a-f]{40}o\d{6,}")


def _post_signup(server, **overrides):
    visitor, data = _signup_form(server, overrides.pop("email"), overrides.pop("name", "Pytest Onbekend"))
    data.update(overrides)
    return visitor.post(server["url"] + "/muziekles/aanmelden", data=data, timeout=60)


def _known_pupil(coordinator, admin, archived=False):
    """An adult pupil of the demo; for ``archived`` one whose lessons ended,
    moved to the passive archive as the retention job does."""
    domain = [("email", "!=", False), ("birthdate", "!=", False), ("is_under_guardian_age", "=", False)]
    domain.append(("state", "=", "stopped") if archived else ("state", "=", "active"))
    fields = ["email", "birthdate", "name", "active", "state", "write_date", "enrollment_ids", "partner_id"]
    pupils = coordinator.call("mph.student", "search_read", domain, fields, limit=1)
    assert pupils, "the demo has such a pupil"
    if archived:
        admin.call("mph.student", "write", [pupils[0]["id"]], {"state": "archived", "active": False})
        admin.call("res.partner", "write", [pupils[0]["partner_id"][0]], {"active": False})
        pupils = coordinator.call("mph.student", "read", [pupils[0]["id"]], fields, context={"active_test": False})
        assert (pupils[0]["state"], pupils[0]["active"]) == ("archived", False)
    return pupils[0]


@pytest.fixture
def no_rate_limit(client):
    admin = client("admin")
    key = "mph_school.signup_rate_limit"
    old_limit = admin.call("ir.config_parameter", "get_param", key)
    admin.call("ir.config_parameter", "set_param", key, "1000")
    yield
    admin.call("ir.config_parameter", "set_param", key, old_limit or "5")


@pytest.mark.parametrize("archived", [False, True], ids=["current", "passive-archive"])
def test_known_pupil_gets_the_new_persons_page_and_nothing_changes(server, client, no_rate_limit, archived):
    coordinator = client("coordinator")
    admin = client("admin")
    pupil = _known_pupil(coordinator, admin, archived)
    birthdate = "-".join(reversed(pupil["birthdate"].split("-")))
    partner_before = admin.call("res.partner", "read", [pupil["partner_id"][0]], ["write_date", "active", "name"])
    mails_before = admin.call("mail.mail", "search", [])
    typed = {"name": "Pytest Vreemde", "birthdate": birthdate, "street": "Vismarkt 8"}

    stranger_email = f"pytest.nieuw.{'a' if archived else 'b'}@example.nl"
    new = _post_signup(server, email=stranger_email, **typed)
    known = _post_signup(server, email=pupil["email"].upper(), **typed)
    assert new.status_code == known.status_code == 200
    assert 'id="mph_signup_result"' in known.text
    assert TOKEN_RE.sub("", known.text) == TOKEN_RE.sub("", new.text), "the same page, byte for byte"

    # The new person is a pupil at once; the known one is untouched.
    assert coordinator.call("mph.student", "search_count", [("email", "=", stranger_email)]) == 1
    fields = ["name", "active", "state", "write_date", "enrollment_ids"]
    now = coordinator.call("mph.student", "read", [pupil["id"]], fields, context={"active_test": False})[0]
    assert {k: now[k] for k in fields} == {k: pupil[k] for k in fields}
    assert admin.call("res.partner", "read", [pupil["partner_id"][0]], ["write_date", "active", "name"]) == (
        partner_before
    )
    if archived:
        assert (now["state"], now["active"]) == ("archived", False), "still in the passive archive"
    # The address owner gets one mail: a link, nothing of what was typed.
    mails = admin.call(
        "mail.mail",
        "search_read",
        [("id", "not in", mails_before), ("email_to", "=ilike", pupil["email"])],
        ["body_html", "subject"],
    )
    assert len(mails) == 1
    assert "/muziekles/bevestigen?token=" in mails[0]["body_html"]
    for value in ("Pytest Vreemde", "Vismarkt", "030 2345678", birthdate, pupil["birthdate"]):
        assert value not in mails[0]["body_html"] + mails[0]["subject"]
    # Held for the coordinator only.
    held = coordinator.call("mph.signup.pending", "search_read", [], ["summary"])
    assert any("Pytest Vreemde" in h["summary"] for h in held)
    for login in ("financien", "directeur", "docent.henk", "vrijwilliger"):
        with pytest.raises(RpcError) as error:
            client(login).call("mph.signup.pending", "search_read", [], ["summary"])
        assert "AccessError" in error.value.name, login


# ----------------------------------------------------------------------
# Issue 13 point 8: bad input on the public routes
# ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "field,overrides",
    [
        ("country_id", {"country_id": "\u00b2"}),
        ("lesson_type_ids", {"lesson_type_ids": ["\u00b2"]}),
        ("lesson_type_ids", {"lesson_type_ids": "twice"}),
        ("lesson_type_ids", {"lesson_type_ids": ["999999999999"]}),
    ],
    ids=["superscript-country", "superscript-lesson-type", "lesson-type-twice", "overlong-id"],
)
def test_bad_ids_get_a_dutch_error_and_keep_the_form(server, client, no_rate_limit, request, field, overrides):
    email = f"pytest.fout.{request.node.callspec.id}@example.nl"
    visitor, data = _signup_form(server, email, "Pytest Fout")
    if overrides.get("lesson_type_ids") == "twice":
        overrides = {"lesson_type_ids": data["lesson_type_ids"] * 2}
    data.update(overrides)
    answer = visitor.post(server["url"] + "/muziekles/aanmelden", data=data, timeout=60)
    assert answer.status_code == 400
    errors = dict(ERROR_RE.findall(answer.text))
    assert field in errors, errors
    assert errors[field].strip().startswith(("Kies", "Vul")), errors[field]  # Dutch, next to the field
    assert 'value="Pytest Fout"' in answer.text and 'value="Vismarkt 8"' in answer.text, "what was typed stays"
    assert client("coordinator").call("mph.student", "search_count", [("email", "=", email)]) == 0
    # The same visitor with good values signs up.
    good = dict(_signup_form(server, email, "Pytest Fout")[1], csrf_token=data["csrf_token"])
    assert visitor.post(server["url"] + "/muziekles/aanmelden", data=good, timeout=60).status_code == 200
    assert client("coordinator").call("mph.student", "search_count", [("email", "=", email)]) == 1


def test_json_posted_to_a_form_route_is_refused_in_dutch(server, client):
    for path in ("/muziekles/aanmelden", "/muziekles/toestemming/1", "/muziekles/bevestigen"):
        answer = requests.post(server["url"] + path, json={"name": "Pytest Json"}, timeout=30)
        assert answer.status_code == 415, path
        assert 'id="mph_bad_request"' in answer.text
        assert "formulier" in answer.text
    assert client("coordinator").call("mph.student", "search_count", [("name", "=", "Pytest Json")]) == 0


def test_odd_consent_links_are_a_400(server):
    token = "ab" * 32
    for path in (
        f"/muziekles/toestemming/1?exp=\u00b2&token={token}",
        "/muziekles/toestemming/1?exp=9999999999&token=" + "\u00e9" * 20,
        f"/muziekles/toestemming/99999999999999?exp=9999999999&token={token}",
        "/muziekles/eigen-toestemming/1?exp=9999999999&token=" + "\u00e9" * 20,
        f"/muziekles/eigen-toestemming/99999999999999?exp=9999999999&token={token}",
        "/muziekles/bevestigen?token=" + "\u00e9" * 30,
    ):
        assert requests.get(server["url"] + path, timeout=30).status_code == 400, path
