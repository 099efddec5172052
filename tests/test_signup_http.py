"""The public sign-up from outside: a visitor signs up on the demo server,
and the consent records it leaves are the coordinator's alone."""

import re

import pytest
import requests
from conftest import RpcError

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
LESSON_TYPE_RE = re.compile(r'name="lesson_type_ids"[^>]*value="(\d+)"')
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
