"""The yearly contribution over HTTP on the Dutch demo school: finance runs
the wizard; the aggregated roles and teachers reach no invoice."""

import pytest
from conftest import RpcError

ACCESS_ERROR = "odoo.exceptions.AccessError"
WIZARD = "mph.contribution.invoice.wizard"


def test_finance_invoices_the_contribution(client):
    odoo = client("financien")
    seasons = odoo.call("mph.season", "search_read", [["contribution_amount", ">", 0]], ["name"], limit=1)
    assert seasons, "the demo configures the current school year"
    wizard_id = odoo.call(WIZARD, "create", {"season_id": seasons[0]["id"], "send_email": True})
    preview = odoo.call(WIZARD, "read", [wizard_id], ["invoice_count", "student_count", "amount_total"])[0]
    assert preview["invoice_count"] > 0 and preview["student_count"] >= preview["invoice_count"]
    odoo.call(WIZARD, "action_invoice", [wizard_id])
    done = odoo.call(WIZARD, "read", [wizard_id], ["state", "move_ids", "result_message"])[0]
    assert done["state"] == "done"
    assert len(done["move_ids"]) == preview["invoice_count"]
    moves = odoo.call("account.move", "read", done["move_ids"], ["state", "amount_total", "partner_id"])
    assert {m["state"] for m in moves} == {"posted"}
    assert sum(m["amount_total"] for m in moves) == pytest.approx(preview["amount_total"])
    # Run again: nothing new.
    again = odoo.call(WIZARD, "create", {"season_id": seasons[0]["id"]})
    assert odoo.call(WIZARD, "read", [again], ["invoice_count"])[0]["invoice_count"] == 0
    # Still no birthdates for finance.
    with pytest.raises(RpcError) as error:
        odoo.call("mph.student", "search_read", [], ["birthdate"], limit=1)
    assert error.value.name == ACCESS_ERROR


@pytest.mark.parametrize("login", ["artistiek", "directeur"])
def test_no_invoices_for_aggregated_roles(client, login):
    odoo = client(login)
    for model in ("account.move", "account.move.line", WIZARD):
        with pytest.raises(RpcError) as error:
            odoo.call(model, "search_read", [], ["display_name"])
        assert error.value.name == ACCESS_ERROR, model


def test_teacher_sees_no_invoice(client):
    odoo = client("docent.henk")
    # Portal users may read invoices they follow; a teacher follows none of the pupils'.
    assert odoo.call("account.move", "search_read", [["move_type", "=", "out_invoice"]], ["partner_id"]) == []
    assert odoo.call("account.move.line", "search_read", [["move_type", "=", "out_invoice"]], ["partner_id"]) == []
    with pytest.raises(RpcError) as error:
        odoo.call(WIZARD, "create", {})
    assert error.value.name == ACCESS_ERROR
