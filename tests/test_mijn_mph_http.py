"""Mijn MPH from outside, with the demo logins that `scripts/run.sh` lists: the parent `ouder`
sees exactly their own children under 16 and no other family, over the pages and over JSON-RPC;
the pupil `leerling` sees themself only."""

import pytest
from conftest import OdooClient, RpcError


@pytest.fixture(scope="module")
def families(server):
    """Judged by the coordinator: whose login is `ouder`/`leerling`, their people, and the rest."""
    coordinator = OdooClient(server["url"], server["db"])
    coordinator.authenticate("coordinator")
    logins = {
        user["login"]: user["partner_id"][0]
        for user in coordinator.call(
            "res.users", "search_read", [("login", "in", ["ouder", "leerling"])], ["login", "partner_id"]
        )
    }
    assert set(logins) == {"ouder", "leerling"}, "the demo data gives both Mijn MPH logins"
    pupils = coordinator.call(
        "mph.student", "search_read", [], ["name", "partner_id", "guardian_ids", "is_under_guardian_age"]
    )
    children = [p for p in pupils if logins["ouder"] in p["guardian_ids"] and p["is_under_guardian_age"]]
    own = [p for p in pupils if p["partner_id"][0] == logins["leerling"]]
    # Other families: neither the parent's wards (of any age) nor the pupil.
    strangers = [p for p in pupils if logins["ouder"] not in p["guardian_ids"] and p not in own]
    return {"pupils": pupils, "children": children, "own": own, "strangers": strangers}


def test_parent_sees_their_children_and_no_other_family(client, server, families):
    children = families["children"]
    assert len(children) >= 2
    parent = client("ouder")
    home = parent.session.get(server["url"] + "/my/mph", timeout=60)
    assert home.status_code == 200 and "Mijn kinderen" in home.text
    for child in children:
        assert child["name"] in home.text
        page = parent.session.get(f"{server['url']}/my/mph/leerling/{child['id']}", timeout=60)
        assert page.status_code == 200 and child["name"] in page.text
    strangers = families["strangers"][:5]
    for stranger in strangers:
        page = parent.session.get(f"{server['url']}/my/mph/leerling/{stranger['id']}", timeout=60)
        assert page.status_code == 404, stranger["name"]
        assert stranger["name"] not in page.text
    # The same over JSON-RPC: only the parent's own children (and older ones who allowed it).
    seen = {p["id"] for p in parent.call("mph.student", "search_read", [], ["name"])}
    assert {c["id"] for c in children} <= seen
    assert not seen & {s["id"] for s in strangers}


def test_pupil_sees_themself_only(client, server, families):
    pupil = client("leerling")
    assert [p["id"] for p in pupil.call("mph.student", "search_read", [], ["name"])] == [families["own"][0]["id"]]
    other = next(p for p in families["pupils"] if p["id"] != families["own"][0]["id"])
    with pytest.raises(RpcError):
        pupil.call("mph.student", "read", [other["id"]], ["name"])
    assert pupil.session.get(f"{server['url']}/my/mph/leerling/{other['id']}", timeout=60).status_code == 404
