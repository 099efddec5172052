"""The newsletter volunteer over HTTP: e-mail addresses of the school
newsletter, nothing else (privacy policy: "uitsluitend zicht op een lijst
met emailadressen")."""

import pytest
from conftest import RpcError

ACCESS_ERROR = "odoo.exceptions.AccessError"


def test_volunteer_sees_only_newsletter_addresses(client, facts):
    odoo = client("vrijwilliger")
    lists = odoo.call("mailing.list", "search_read", [], ["name"])
    assert [lst["name"] for lst in lists] == ["Nieuwsbrief MPH"]
    contacts = odoo.call("mailing.contact", "search_read", [], ["email", "name"])
    assert len(contacts) >= 10, "the demo subscribed the pupils who consented"
    assert all(c["email"] and not c["name"] for c in contacts), "addresses only, no names"
    assert not odoo.call("mailing.contact", "search_read", [("name", "ilike", "Leeuwen")], ["email"])


def test_volunteer_reaches_no_person(client, facts):
    odoo = client("vrijwilliger")
    for model in ("mph.student", "mph.enrollment", "mph.teacher", "mph.newsletter.suppression", "mph.mailchimp.log"):
        with pytest.raises(RpcError) as error:
            odoo.call(model, "search_read", [], ["display_name"])
        assert error.value.name == ACCESS_ERROR, model
    personal = facts["student_partner_ids"] + facts["guardian_ids"]
    assert odoo.call("res.partner", "search_read", [("id", "in", personal)], ["name"]) == []
    with pytest.raises(RpcError) as error:
        odoo.call("res.partner", "read", personal[:2], ["name"])
    assert error.value.name == ACCESS_ERROR
    assert odoo.call("mail.blacklist", "search_read", [], ["email"]) == []
    with pytest.raises(RpcError):
        odoo.call("ir.config_parameter", "get_param", "mph_newsletter.mailchimp_api_key")


def test_volunteer_composes_for_the_newsletter_only(client):
    odoo = client("vrijwilliger")
    newsletter = odoo.call("mailing.list", "search_read", [], ["id"])[0]["id"]
    list_model = odoo.call("ir.model", "search_read", [("model", "=", "mailing.list")], ["id"])[0]["id"]
    mailing = odoo.call(
        "mailing.mailing",
        "create",
        {
            "subject": "Nieuwsbrief",
            "body_html": "<p>Concert</p>",
            "mailing_model_id": list_model,
            "contact_list_ids": [(6, 0, [newsletter])],
        },
    )
    assert mailing
    partner_model = odoo.call("ir.model", "search_read", [("model", "=", "res.partner")], ["id"])[0]["id"]
    with pytest.raises(RpcError) as error:
        odoo.call(
            "mailing.mailing",
            "create",
            {"subject": "Iedereen", "mailing_model_id": partner_model, "mailing_domain": "[]"},
        )
    assert error.value.name == ACCESS_ERROR
