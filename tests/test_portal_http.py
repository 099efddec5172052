"""The teacher portal from outside: docent.henk over JSON-RPC and over the
portal pages gets only his own pupils' allowed data, or an access error."""

import base64

import pytest
from conftest import OdooClient, RpcError

ACCESS_ERROR = "odoo.exceptions.AccessError"


@pytest.fixture(scope="module")
def school(server, facts):
    """Facts judged by the coordinator: Henk's and other pupils, and a note
    and a file the coordinator keeps on one of Henk's pupils."""
    coordinator = OdooClient(server["url"], server["db"])
    coordinator.authenticate("coordinator")
    own = facts["henk_student_ids"]
    others = sorted({s["id"] for s in facts["students"]} - set(own))
    message_id = coordinator.call(
        "mph.student", "message_post", [own[0]], body="Moeder belt liever na 17 uur", message_type="comment"
    )
    attachment_id = coordinator.call(
        "ir.attachment",
        "create",
        {
            "name": "intake.txt",
            "res_model": "mph.student",
            "res_id": own[0],
            "datas": base64.b64encode(b"intake").decode(),
        },
    )
    henk_enrollments = coordinator.call(
        "mph.enrollment",
        "search",
        [("teacher_id.user_id.login", "=", "docent.henk"), ("state", "in", ["trial", "active"])],
    )
    other_enrollments = coordinator.call("mph.enrollment", "search", [("id", "not in", henk_enrollments)])
    by_id = {s["id"]: s for s in facts["students"]}
    return {
        "own": own,
        "others": others,
        "own_partners": sorted(by_id[i]["partner_id"][0] for i in own),
        "other_partners": sorted(by_id[i]["partner_id"][0] for i in others),
        "names": {i: by_id[i]["name"] for i in by_id},
        "message_id": message_id,
        "attachment_id": attachment_id,
        "henk_enrollments": sorted(henk_enrollments),
        "other_enrollments": other_enrollments,
    }


@pytest.fixture
def henk(client):
    return client("docent.henk")


def _denied(call, *args, **kwargs):
    with pytest.raises(RpcError) as error:
        call(*args, **kwargs)
    assert error.value.name == ACCESS_ERROR
    return True


def _empty_or_denied(call, *args, **kwargs):
    """Nothing, either as an empty answer or as an access error."""
    try:
        result = call(*args, **kwargs)
    except RpcError as error:
        assert error.name == ACCESS_ERROR
        return True
    assert result == []
    return True


def test_students_only_own(henk, school):
    own = school["own"]
    assert sorted(r["id"] for r in henk.call("mph.student", "search_read", [], ["name", "mobile"])) == own
    assert len(henk.call("mph.student", "read", own, ["name", "birthdate", "guardian_email"])) == len(own)
    groups = henk.call("mph.student", "read_group", [], ["city"], ["city"])
    assert sum(g["city_count"] for g in groups) == len(own)
    assert {r[0] for r in henk.call("mph.student", "name_search", "", [], "ilike", 1000)} == set(own)
    other_name = school["names"][school["others"][0]]
    assert henk.call("mph.student", "name_search", other_name, [], "=", 10) == []
    assert _denied(henk.call, "mph.student", "read", school["others"][:1], ["name"])
    assert _denied(henk.call, "mph.student", "read", own[:1], ["note"])


def test_enrollments_only_own_running(henk, school):
    rows = henk.call("mph.enrollment", "search_read", [], ["state", "teacher_id"])
    assert sorted(r["id"] for r in rows) == school["henk_enrollments"]
    assert {r["state"] for r in rows} <= {"trial", "active"}
    groups = henk.call("mph.enrollment", "read_group", [], ["state"], ["state"])
    assert sum(g["state_count"] for g in groups) == len(rows)
    assert {r[0] for r in henk.call("mph.enrollment", "name_search", "", [], "ilike", 1000)} == set(
        school["henk_enrollments"]
    )
    assert _denied(henk.call, "mph.enrollment", "read", school["other_enrollments"][:1], ["state"])
    assert _denied(henk.call, "mph.enrollment", "write", school["henk_enrollments"][:1], {"state": "stopped"})


def test_contacts_only_own_pupils(henk, school):
    rows = henk.call("res.partner", "search_read", [], ["name"])
    ids = {r["id"] for r in rows}
    assert set(school["own_partners"]) <= ids
    assert not ids & set(school["other_partners"])
    found = {r[0] for r in henk.call("res.partner", "name_search", "", [], "ilike", 10000)}
    assert not found & set(school["other_partners"])
    groups = henk.call("res.partner", "read_group", [], ["city"], ["city"])
    assert sum(g["city_count"] for g in groups) == len(ids)
    assert _denied(henk.call, "res.partner", "read", school["other_partners"][:1], ["name"])


def test_no_chatter_nor_files_of_pupils(henk, school):
    own = school["own"]
    assert henk.call("mail.message", "search_read", [("model", "=", "mph.student")], ["body"]) == []
    assert henk.call("mail.message", "search", [("id", "=", school["message_id"])]) == []
    assert _denied(henk.call, "mail.message", "read", [school["message_id"]], ["body"])
    groups = henk.call("mail.message", "read_group", [("model", "=", "mph.student")], ["res_id"], ["res_id"])
    assert groups == []
    assert henk.call("mail.message", "name_search", "17 uur", [], "ilike", 10) == []
    domain = [("res_model", "=", "mph.student"), ("res_id", "in", own)]
    # Portal users have no access right on attachments at all.
    assert _empty_or_denied(henk.call, "ir.attachment", "search_read", domain, ["name"])
    assert _denied(henk.call, "ir.attachment", "read", [school["attachment_id"]], ["datas"])
    assert _empty_or_denied(henk.call, "ir.attachment", "name_search", "intake", [], "ilike", 10)
    assert _empty_or_denied(henk.call, "ir.attachment", "read_group", domain, ["res_id"], ["res_id"])


def test_portal_pages_only_own(henk, school, server):
    base = server["url"]
    own, other = school["own"][0], school["others"][0]
    response = henk.session.get(f"{base}/my", timeout=30, allow_redirects=False)
    assert response.status_code == 200
    assert "Mijn leerlingen" in response.text, "the entry on /my, in Dutch"
    response = henk.session.get(f"{base}/my/students", timeout=30, allow_redirects=False)
    assert response.status_code == 200
    assert school["names"][own] in response.text
    assert "Correctie aanvragen" not in response.text
    response = henk.session.get(f"{base}/my/students/{own}", timeout=30, allow_redirects=False)
    assert response.status_code == 200
    assert school["names"][own] in response.text
    assert "Correctie aanvragen" in response.text
    for student_id in (other, 10**8):
        response = henk.session.get(f"{base}/my/students/{student_id}", timeout=30, allow_redirects=False)
        assert response.status_code in (303, 403, 404)
        assert school["names"].get(student_id, "@@") not in response.text


def test_enrollment_note_is_for_the_coordinator_only(henk, school, server, client):
    """The coordinator's internal note on an enrolment: the coordinator reads
    it back, the teacher of that enrolment gets an access error over RPC and
    does not find it on the portal pages."""
    coordinator = client("coordinator")
    enrollment_id = school["henk_enrollments"][0]
    note = "Vader twijfelt nog over doorgaan na de zomer"
    coordinator.call("mph.enrollment", "write", [enrollment_id], {"note": note})
    assert coordinator.call("mph.enrollment", "read", [enrollment_id], ["note"])[0]["note"] == note
    student_id = coordinator.call("mph.enrollment", "read", [enrollment_id], ["student_id"])[0]["student_id"][0]

    assert henk.call("mph.enrollment", "read", [enrollment_id], ["state"])[0]["state"] in ("trial", "active")
    assert _denied(henk.call, "mph.enrollment", "read", [enrollment_id], ["note"])
    assert _denied(henk.call, "mph.enrollment", "search_read", [("id", "=", enrollment_id)], ["note"])
    assert _denied(henk.call, "mph.enrollment", "web_read", [enrollment_id], {"note": {}})
    assert "note" not in henk.call("mph.enrollment", "fields_get", [], ["type"])
    for path in ("/my/students", f"/my/students/{student_id}"):
        response = henk.session.get(f"{server['url']}{path}", timeout=30, allow_redirects=False)
        assert response.status_code == 200, path
        assert school["names"][student_id] in response.text, path
        assert note not in response.text, path
