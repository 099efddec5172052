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
