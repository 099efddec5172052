"""Issue 13 point 8: JSON-RPC errors tell an anonymous visitor or a portal
user what went wrong, never the server's traceback; an internal user still
gets the error's name and message."""

import requests


def _rpc(session, url, model, method, args):
    answer = session.post(
        f"{url}/web/dataset/call_kw/{model}/{method}",
        json={
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {"model": model, "method": method, "args": args, "kwargs": {}},
        },
        timeout=60,
    )
    assert answer.status_code == 200
    error = answer.json()["error"]
    return error, answer.text


def _login(server, login):
    session = requests.Session()
    answer = session.post(
        server["url"] + "/web/session/authenticate",
        json={
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {"db": server["db"], "login": login, "password": login},
        },
        timeout=60,
    )
    assert answer.json()["result"]["uid"]
    return session


def test_anonymous_error_has_no_traceback(server):
    error, text = _rpc(requests.Session(), server["url"], "mph.student", "search_read", [[], ["name"]])
    assert error["data"]["name"].endswith("SessionExpiredException")
    assert not error["data"].get("debug")
    assert "Traceback" not in text and 'File "' not in text


def test_portal_error_has_no_traceback(server):
    session = _login(server, "docent.henk")
    for model, method, args in (
        ("mph.student", "write", [[1], {"name": "x"}]),  # refused
        ("mph.student", "no_such_method", [[]]),  # a programming error
        ("res.partner", "read", [[1], ["no_such_field"]]),
    ):
        error, text = _rpc(session, server["url"], model, method, args)
        assert error["data"]["name"], (model, method)
        assert not error["data"].get("debug"), (model, method)
        assert "Traceback" not in text and 'File "' not in text, (model, method)


def test_internal_user_keeps_the_error(server):
    session = _login(server, "directeur")
    error, _text = _rpc(session, server["url"], "mph.student", "search_read", [[], ["name"]])
    assert error["data"]["name"] == "odoo.exceptions.AccessError"
    assert error["data"]["message"]
    assert "Traceback" in error["data"]["debug"], "the back office keeps its error details"
