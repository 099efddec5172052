"""The privacy lifecycle seen from outside: the read audit on a real server
(read-only request cursors included) and the privacy models closed to every
role but the coordinator."""

import pytest
from conftest import RpcError

ACCESS_ERROR = "odoo.exceptions.AccessError"
PRIVACY_MODELS = ["mph.student.read.log", "mph.privacy.request", "mph.retention.log"]


def read_log(coordinator, student_id, login):
    return coordinator.call(
        "mph.student.read.log",
        "search_read",
        [("student_id", "=", student_id), ("user_id.login", "=", login)],
        ["channel", "remote_addr"],
    )


def test_teacher_read_over_rpc_is_logged(client, facts):
    coordinator = client("coordinator")
    student_id = facts["henk_student_ids"][0]
    before = len(read_log(coordinator, student_id, "docent.henk"))
    client("docent.henk").call("mph.student", "read", [student_id], ["name", "birthdate"])
    rows = read_log(coordinator, student_id, "docent.henk")
    assert len(rows) == before + 1
    assert rows[0]["channel"] == "portal"
    assert rows[0]["remote_addr"] == "127.0.0.1"


def test_web_client_list_is_logged(client, facts):
    coordinator = client("coordinator")
    result = coordinator.call("mph.student", "web_search_read", [], {"name": {}, "email": {}}, limit=3, order="id")
    ids = [record["id"] for record in result["records"]]
    assert len(ids) == 3
    for student_id in ids:
        rows = read_log(coordinator, student_id, "coordinator")
        assert rows and rows[0]["channel"] == "backoffice"


def log_rows(coordinator, login):
    return coordinator.call(
        "mph.student.read.log",
        "search_read",
        [("user_id.login", "=", login)],
        ["student_id", "guardian_id", "channel"],
    )


def new_rows(coordinator, login, read):
    """The read-log rows that ``read`` (one request) added for ``login``."""
    before = {row["id"] for row in log_rows(coordinator, login)}
    read()
    return [row for row in log_rows(coordinator, login) if row["id"] not in before]


def pupils(rows):
    return sorted((row["student_id"][0], row["guardian_id"] and row["guardian_id"][0]) for row in rows)


def test_pupil_name_search_is_logged(client, facts):
    """The suggestions of a many2one show pupils' names: one row per pupil
    per request."""
    coordinator = client("coordinator")
    student = facts["students"][0]
    search = lambda: coordinator.call("mph.student", "name_search", student["name"], [], "=", 10)  # noqa: E731
    rows = new_rows(coordinator, "coordinator", search)
    assert pupils(rows) == [(student["id"], False)]
    assert rows[0]["channel"] == "backoffice"
    assert pupils(new_rows(coordinator, "coordinator", search)) == [(student["id"], False)], "every request"


def test_contact_reads_are_logged(client, facts):
    """A pupil's or guardian's contact read through res.partner is a read of
    the pupil: read, search_read, name_search (export is covered by the Odoo
    test: the demo coordinator has no export right)."""
    coordinator = client("coordinator")
    minor = next(s for s in facts["students"] if s["guardian_id"])
    guardian_id = minor["guardian_id"][0]
    wards = sorted(s["id"] for s in facts["students"] if s["guardian_id"] and s["guardian_id"][0] == guardian_id)
    pupil_partner = minor["partner_id"][0]
    expected = [(minor["id"], False)] + [(ward, guardian_id) for ward in wards]
    domain = [("id", "in", [pupil_partner, guardian_id])]
    reads = {
        "read": lambda: coordinator.call("res.partner", "read", [pupil_partner, guardian_id], ["name", "email"]),
        "search_read": lambda: coordinator.call("res.partner", "search_read", domain, ["email"]),
        "name_search": lambda: coordinator.call("res.partner", "name_search", "", domain, "ilike", 10),
    }
    for path, read in reads.items():
        assert sorted(pupils(new_rows(coordinator, "coordinator", read))) == sorted(expected), path


def test_teacher_contact_read_is_logged(client, facts):
    coordinator = client("coordinator")
    student_id = facts["henk_student_ids"][0]
    partner_id = next(s["partner_id"][0] for s in facts["students"] if s["id"] == student_id)
    henk = client("docent.henk")
    rows = new_rows(coordinator, "docent.henk", lambda: henk.call("res.partner", "read", [partner_id], ["name"]))
    assert pupils(rows) == [(student_id, False)]
    assert rows[0]["channel"] == "portal"


def test_contact_of_no_pupil_is_not_logged(client):
    """Both ways: reading a colleague's contact is no read of a pupil."""
    coordinator = client("coordinator")
    partner_id = coordinator.call("res.users", "search_read", [("login", "=", "financien")], ["partner_id"])[0][
        "partner_id"
    ][0]
    read = lambda: coordinator.call("res.partner", "read", [partner_id], ["name", "email"])  # noqa: E731
    assert new_rows(coordinator, "coordinator", read) == []


@pytest.mark.parametrize("login", ["financien", "artistiek", "directeur", "docent.henk"])
@pytest.mark.parametrize("model", PRIVACY_MODELS)
def test_privacy_models_closed_to_other_roles(client, login, model):
    with pytest.raises(RpcError) as error:
        client(login).call(model, "search_read", [], ["id"])
    assert error.value.name == ACCESS_ERROR


@pytest.mark.parametrize("model", PRIVACY_MODELS)
def test_privacy_models_open_to_the_coordinator(client, model):
    assert isinstance(client("coordinator").call(model, "search_read", [], ["id"]), list)


def test_access_export_pdf_downloadable_by_the_coordinator_only(client, server, facts):
    """An access request carried out on a real server gives a PDF rendered by
    wkhtmltopdf; the coordinator downloads it, no other role can."""
    coordinator = client("coordinator")
    student_id = facts["henk_student_ids"][0]
    request_id = coordinator.call(
        "mph.privacy.request",
        "create",
        {"request_type": "access", "student_id": student_id, "identity_method": "known_email"},
    )
    coordinator.call("mph.privacy.request", "action_verify_identity", [request_id])
    coordinator.call("mph.privacy.request", "action_process", [request_id])
    files = coordinator.call(
        "ir.attachment",
        "search_read",
        [("res_model", "=", "mph.privacy.request"), ("res_id", "=", request_id)],
        ["name", "mimetype"],
    )
    pdf = next(f for f in files if f["name"].endswith("-inzage.pdf"))
    assert pdf["mimetype"] == "application/pdf"
    url = f"{server['url']}/web/content/{pdf['id']}?download=true"
    response = coordinator.session.get(url, timeout=60)
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    for login in ("financien", "artistiek", "directeur", "docent.henk"):
        other = client(login)
        assert other.session.get(url, timeout=60).status_code in (403, 404), login
