"""Each role of DESIGN.md, logged in over HTTP: what it can and cannot reach."""

import pytest
import requests
from conftest import RpcError

ACCESS_ERROR = "odoo.exceptions.AccessError"
ROLES = ["coordinator", "financien", "artistiek", "directeur", "docent.henk"]


def test_login_page_answers(server):
    response = requests.get(server["url"] + "/web/login", timeout=10)
    assert response.status_code == 200
    assert 'name="login"' in response.text


@pytest.mark.parametrize("login", ROLES)
def test_every_role_logs_in_in_dutch(client, login):
    odoo = client(login)
    assert odoo.uid
    assert odoo.user_context["lang"] == "nl_NL"


def test_wrong_password_is_refused(client):
    with pytest.raises(RpcError) as error:
        client().authenticate("coordinator", "fout-wachtwoord")
    assert "AccessDenied" in error.value.name


def test_anonymous_call_refused(client):
    with pytest.raises(RpcError) as error:
        client().call("mph.student", "search_read", [], ["name"])
    assert "SessionExpired" in error.value.name


def test_coordinator_sees_the_demo_school(client, facts):
    odoo = client("coordinator")
    assert len(facts["students"]) >= 120
    assert odoo.call("mph.teacher", "search_count", []) >= 8
    states = {g["state"] for g in odoo.call("mph.enrollment", "read_group", [], ["state"], ["state"])}
    assert states == {"waiting", "trial", "active", "stopped", "cancelled"}
    under_16 = odoo.call("mph.student", "search_count", [("is_under_guardian_age", "=", True)])
    assert 0.25 <= under_16 / len(facts["students"]) <= 0.45, "about a third of the pupils is under 16"
    with_guardian = odoo.call(
        "mph.student", "search_count", [("is_under_guardian_age", "=", True), ("guardian_id", "!=", False)]
    )
    assert with_guardian == under_16
    kinds = {lt["kind"] for lt in odoo.call("mph.lesson.type", "search_read", [], ["kind", "ensemble_type"])}
    assert kinds >= {"individual", "ensemble"}
    ensembles = {lt["ensemble_type"] for lt in odoo.call("mph.lesson.type", "search_read", [], ["ensemble_type"])}
    assert ensembles >= {"band", "orchestra", "choir"}
    waiting = odoo.call(
        "mph.enrollment", "read_group", [("state", "=", "waiting")], ["lesson_type_id"], ["lesson_type_id"]
    )
    assert any(g["lesson_type_id"][1] == "Piano" for g in waiting), "popular instruments have a waiting list"
    record = odoo.call("mph.student", "read", [facts["students"][0]["id"]], ["birthdate", "note", "mobile"])
    assert record[0]["birthdate"]


@pytest.mark.parametrize("login", ["artistiek", "directeur"])
def test_aggregated_roles_reach_no_person(client, facts, login):
    odoo = client(login)
    for model in ("mph.student", "mph.enrollment", "mph.teacher"):
        with pytest.raises(RpcError) as error:
            odoo.call(model, "search_read", [], ["display_name"])
        assert error.value.name == ACCESS_ERROR, model
    personal = facts["student_partner_ids"] + facts["guardian_ids"]
    assert odoo.call("res.partner", "search_read", [("id", "in", personal)], ["name"]) == []
    with pytest.raises(RpcError) as error:
        odoo.call("res.partner", "read", personal[:3], ["name", "email"])
    assert error.value.name == ACCESS_ERROR
    name = facts["students"][0]["name"]
    found = [pid for pid, _name in odoo.call("res.partner", "name_search", name)]
    assert not set(found) & set(personal)
    groups = odoo.call("res.partner", "read_group", [("id", "in", personal)], ["id:count"], [])
    assert groups[0]["__count"] == 0
    messages = odoo.call("mail.message", "search_read", [("model", "in", ["mph.student", "res.partner"])], ["body"])
    assert not [m for m in messages if m.get("res_id") in personal]
    # What they may reach: lesson types, which carry no person.
    assert odoo.call("mph.lesson.type", "search_count", []) > 0


def test_finance_reads_only_invoice_data(client, facts):
    odoo = client("financien")
    ids = [s["id"] for s in facts["students"][:10]]
    rows = odoo.call("mph.student", "read", ids, ["name", "street", "zip", "city", "email", "payer_id"])
    assert all(row["name"] and row["payer_id"] for row in rows)
    for field in ("birthdate", "mobile", "note", "guardian_phone", "enrollment_ids", "message_ids"):
        with pytest.raises(RpcError) as error:
            odoo.call("mph.student", "read", ids, [field])
        assert error.value.name == ACCESS_ERROR, field
    with pytest.raises(RpcError) as error:
        odoo.call("mph.enrollment", "search_read", [], ["state"])
    assert error.value.name == ACCESS_ERROR


def test_teacher_sees_exactly_own_students(client, facts):
    odoo = client("docent.henk")
    assert facts["henk_student_ids"], "the demo gives Henk pupils"
    own = sorted(s["id"] for s in odoo.call("mph.student", "search_read", [], ["name"]))
    assert own == facts["henk_student_ids"]
    rows = odoo.call("mph.student", "read", own[:3], ["name", "email", "mobile", "birthdate", "guardian_id"])
    assert all(row["name"] and row["birthdate"] for row in rows)
    others = sorted(set(s["id"] for s in facts["students"]) - set(own))
    with pytest.raises(RpcError) as error:
        odoo.call("mph.student", "read", others[:1], ["name"])
    assert error.value.name == ACCESS_ERROR
    for field in ("note", "legal_hold", "comment"):
        with pytest.raises(RpcError) as error:
            odoo.call("mph.student", "read", own[:1], [field])
        assert error.value.name == ACCESS_ERROR, field
    with pytest.raises(RpcError) as error:
        odoo.call("mph.student", "write", own[:1], {"mobile": "06-00000000"})
    assert error.value.name == ACCESS_ERROR
    other_partners = [s["partner_id"][0] for s in facts["students"] if s["id"] in others]
    assert odoo.call("res.partner", "search_read", [("id", "in", other_partners)], ["name"]) == []
