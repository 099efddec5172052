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
