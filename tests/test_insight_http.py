"""Insight over HTTP: the artistic manager and the director get their
dashboards, and no way to reach a person, through the reports or around them."""

import datetime

import pytest
from conftest import RpcError

ACCESS_ERROR = "odoo.exceptions.AccessError"
EXPORT_REFUSED = "odoo.exceptions.UserError"
AGGREGATED = ["artistiek", "directeur"]
DEMAND = ["waiting_count", "trial_count", "active_count", "waiting_days_avg", "waiting_days_max"]
POPULATION = ["student_count", "new_count", "stopped_count", "retention_rate"]


def denied(call, *args, **kwargs):
    with pytest.raises(RpcError) as error:
        call(*args, **kwargs)
    # Export is refused before any access check to users without the export
    # right (the demo roles); the Odoo tests prove the AccessError with it.
    refusals = (ACCESS_ERROR, EXPORT_REFUSED) if args[1] == "export_data" else (ACCESS_ERROR,)
    assert error.value.name in refusals, error.value
    return error.value


def shown(value, threshold=5):
    """A figure the aggregated roles may see: suppressed, zero, or not small."""
    return value is False or value == 0 or value >= threshold


@pytest.fixture
def personal(client, facts):
    """What a person can be found by: ids of pupils, their contacts and
    guardians, a message and an attachment on a pupil."""
    coordinator = client("coordinator")
    student_id = facts["students"][0]["id"]
    coordinator.call("mph.student", "message_post", [student_id], body="Vertrouwelijke notitie over de leerling")
    attachment_id = coordinator.call(
        "ir.attachment",
        "create",
        {"name": "rapport.txt", "raw": "persoonlijk", "res_model": "mph.student", "res_id": student_id},
    )
    messages = coordinator.call(
        "mail.message", "search_read", [("model", "=", "mph.student"), ("res_id", "=", student_id)], ["id"]
    )
    enrollment_ids = coordinator.call("mph.enrollment", "search", [], limit=5)
    admin = client("admin")
    present = {
        model
        for model in ("account.move", "mailing.contact")
        if admin.call("ir.model", "search_count", [("model", "=", model)])
    }
    return {
        "student_ids": [s["id"] for s in facts["students"]],
        "partner_ids": facts["student_partner_ids"] + facts["guardian_ids"],
        "name": facts["students"][0]["name"],
        "message_ids": [m["id"] for m in messages],
        "attachment_id": attachment_id,
        "enrollment_ids": enrollment_ids,
        "optional_models": present,
    }


# ----------------------------------------------------------------------
# Both sides: the dashboards
# ----------------------------------------------------------------------


@pytest.mark.parametrize("login", AGGREGATED)
def test_demand_dashboard(client, login):
    odoo = client(login)
    this_month = datetime.date.today().replace(day=1).isoformat()
    groups = odoo.call(
        "mph.insight.demand", "read_group", [("month", "=", this_month)], DEMAND, ["lesson_type_id"], lazy=False
    )
    assert len(groups) >= 15, "one group per lesson type of the demo school"
    values = [group[m] for group in groups for m in ("waiting_count", "trial_count", "active_count")]
    assert all(shown(v) for v in values), values
    assert any(v is False for v in values), "the demo school has small groups, shown as '< 5'"
    assert any(isinstance(v, int) and v >= 5 for v in values), "and groups large enough to show"
    trend = odoo.call("mph.insight.demand", "web_read_group", [], ["waiting_count:sum"], ["month:month"], lazy=False)
    assert trend["length"] >= 12
    assert all(shown(g["waiting_count"]) for g in trend["groups"])
    capacity = odoo.call(
        "mph.insight.capacity", "read_group", [], ["capacity", "demand_count", "waiting_count"], ["kind"], lazy=False
    )
    assert {g["kind"] for g in capacity} >= {"individual", "ensemble"}
    assert sum(g["demand_count"] or 0 for g in capacity) > 0
    views = odoo.call(
        "mph.insight.demand", "get_views", [[False, "pivot"], [False, "graph"], [False, "search"]], options={}
    )
    assert "mph_insight" in views["views"]["pivot"]["arch"]


def test_population_dashboard_for_the_director(client):
    odoo = client("directeur")
    groups = odoo.call("mph.insight.population", "read_group", [], POPULATION, ["age_bracket"], lazy=False)
    brackets = {g["age_bracket"] for g in groups}
    assert brackets >= {"0-11", "12-15", "26-64"}
    assert all(shown(g[m]) for g in groups for m in ("student_count", "new_count", "stopped_count"))
    assert sum(g["student_count"] or 0 for g in groups) >= 100
    regions = odoo.call("mph.insight.population", "read_group", [], ["student_count"], ["zip_region"], lazy=False)
    assert all(region["zip_region"] is False or len(region["zip_region"]) == 2 for region in regions)
    areas = odoo.call("mph.insight.population", "read_group", [], ["student_count"], ["zip_area"], lazy=False)
    exact = client("coordinator").call(
        "mph.insight.population", "read_group", [], ["student_count"], ["zip_area"], lazy=False
    )
    assert any(0 < area["student_count"] < 5 for area in exact), "the demo school has small postcode areas"
    # The director sees every area rounded to a multiple of 5, and the total
    # is the sum of those rounded areas: nothing small left to subtract.
    assert all((area["student_count"] or 0) % 5 == 0 for area in areas)
    (total,) = odoo.call("mph.insight.population", "read_group", [], ["student_count"], [], lazy=False)
    assert total["student_count"] == sum(area["student_count"] or 0 for area in areas)
    seasons = odoo.call(
        "mph.insight.population", "read_group", [], ["student_count", "retention_rate"], ["season_id"], lazy=False
    )
    assert len(seasons) >= 3


def test_population_is_not_for_the_artistic_manager(client):
    denied(client("artistiek").call, "mph.insight.population", "read_group", [], ["student_count"], ["age_bracket"])


@pytest.mark.parametrize("login", ["financien", "docent.henk"])
def test_other_roles_get_no_insight(client, login):
    odoo = client(login)
    for model in ("mph.insight.demand", "mph.insight.capacity", "mph.insight.population"):
        denied(odoo.call, model, "read_group", [], ["__count"], [])


@pytest.mark.parametrize("login", ["artistiek", "directeur", "coordinator"])
def test_insight_menu(client, login):
    odoo = client(login)
    menus = odoo.call("ir.ui.menu", "load_menus", False, context=odoo.user_context)
    names = {menu["name"] for menu in menus.values() if isinstance(menu, dict) and "name" in menu}
    assert "Inzicht" in names
    assert "Wachtlijst per lessoort" in names
    assert ("Leeftijd per schooljaar" in names) == (login != "artistiek")
    assert ("Leerlingen" in names) == (login == "coordinator")


# ----------------------------------------------------------------------
# Every way to a person
# ----------------------------------------------------------------------


@pytest.mark.parametrize("login", AGGREGATED)
def test_reports_give_no_rows(client, login):
    odoo = client(login)
    models = ["mph.insight.demand", "mph.insight.capacity"]
    if login == "directeur":
        models.append("mph.insight.population")
    for model in models:
        row_ids = client("coordinator").call(model, "search", [], limit=3)
        assert row_ids, model
        denied(odoo.call, model, "search", [])
        denied(odoo.call, model, "search_read", [], [])
        denied(odoo.call, model, "web_search_read", [], {"id": {}})
        denied(odoo.call, model, "read", row_ids, [])
        denied(odoo.call, model, "web_read", row_ids, {"display_name": {}})
        denied(odoo.call, model, "export_data", row_ids, ["id"])
        denied(odoo.call, model, "name_search", "")
        denied(odoo.call, model, "read_group", [], ["__count"], ["id"])
        denied(odoo.call, model, "web_read_group", [], ["__count"], ["id"])
        denied(odoo.call, model, "read_group", [], ["ids:array_agg(id)"], [])
        denied(odoo.call, model, "read_group", [("id", "in", row_ids)], ["__count"], [])
        denied(odoo.call, model, "read_group", [("create_uid", "!=", False)], ["__count"], [])
        error = denied(odoo.call, model, "search_read", [], ["id"], context=odoo.user_context)
        assert "totalen" in error.message, "the refusal is explained in Dutch"
        # 'All but X' next to 'all' would give X by subtraction.
        dimension = {"mph.insight.capacity": "lesson_type_id"}.get(model, "season_id")
        for negation in ([(dimension, "!=", 1)], [(dimension, "not in", [1])], ["!", (dimension, "=", 1)]):
            error = denied(odoo.call, model, "read_group", negation, ["__count"], [], context=odoo.user_context)
            assert "niet" in error.message
        denied(odoo.call, model, "search_count", [(dimension, "=", 1)])


@pytest.mark.parametrize("login", AGGREGATED)
def test_no_person_around_the_reports(client, personal, login):
    odoo = client(login)
    for model, ids in (("mph.student", personal["student_ids"]), ("mph.enrollment", personal["enrollment_ids"])):
        denied(odoo.call, model, "search_read", [], ["display_name"])
        denied(odoo.call, model, "read", ids[:3], ["display_name"])
        denied(odoo.call, model, "read_group", [], ["__count"], ["id"])
        denied(odoo.call, model, "name_search", personal["name"])
        denied(odoo.call, model, "export_data", ids[:3], ["display_name"])

    partners = personal["partner_ids"]
    assert odoo.call("res.partner", "search_read", [("id", "in", partners)], ["name"]) == []
    assert odoo.call("res.partner", "search_read", [("mph_student_ids", "!=", False)], ["name"]) == []
    denied(odoo.call, "res.partner", "read", partners[:3], ["name"])
    denied(odoo.call, "res.partner", "export_data", partners[:3], ["name", "email"])
    found = {pid for pid, _name in odoo.call("res.partner", "name_search", personal["name"])}
    assert not found & set(partners)
    by_id = odoo.call("res.partner", "read_group", [("id", "in", partners)], ["__count"], ["id"], lazy=False)
    assert by_id == []

    # About a person: a pupil's or enrolment's record, or the contact of a
    # pupil or guardian (the chatter of other contacts, such as the school's
    # own company, is not about a person).
    about_people = [
        "|",
        ("model", "in", ["mph.student", "mph.enrollment"]),
        "&",
        ("model", "=", "res.partner"),
        ("res_id", "in", partners),
    ]
    messages = odoo.call("mail.message", "search_read", about_people, ["res_id"])
    assert messages == []
    denied(odoo.call, "mail.message", "read", personal["message_ids"], ["body"])

    try:
        followers = odoo.call(
            "mail.followers",
            "search_read",
            [
                "|",
                ("res_model", "in", ["mph.student", "mph.enrollment"]),
                "&",
                ("res_model", "=", "res.partner"),
                ("res_id", "in", partners),
            ],
            ["res_id", "partner_id"],
        )
    except RpcError as error:
        assert error.name == ACCESS_ERROR
    else:
        assert followers == []

    attachments = odoo.call(
        "ir.attachment",
        "search_read",
        ["|", ("res_model", "=", "mph.student"), "&", ("res_model", "=", "res.partner"), ("res_id", "in", partners)],
        ["name"],
    )
    assert attachments == []
    denied(odoo.call, "ir.attachment", "read", [personal["attachment_id"]], ["name", "datas"])

    # Models other modules add later: only when installed.
    for model in sorted(personal["optional_models"]):
        try:
            rows = odoo.call(model, "search_read", [], ["display_name"], limit=5)
        except RpcError as error:
            assert error.name == ACCESS_ERROR, model
        else:
            assert rows == [], model
