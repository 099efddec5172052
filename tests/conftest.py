"""Black-box harness: a real Odoo server on a fresh database with the addons
and their Dutch demo data, driven over HTTP like a browser or an integration
would. Nothing here imports Odoo."""

import os
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
ODOO = str(ROOT / "scripts" / "odoo")
ADDONS = ",".join(sorted(p.parent.name for p in ROOT.glob("*/__manifest__.py")))
START_TIMEOUT = 180


class RpcError(Exception):
    def __init__(self, error):
        data = error.get("data") or {}
        self.name = data.get("name", "")
        self.message = data.get("message") or error.get("message", "")
        super().__init__(f"{self.name}: {self.message}")


class OdooClient:
    """JSON-RPC over HTTP, as the web client speaks it."""

    def __init__(self, base_url, db):
        self.base_url = base_url
        self.db = db
        self.session = requests.Session()
        self.uid = None
        self.user_context = {}

    def _post(self, path, params):
        response = self.session.post(
            self.base_url + path,
            json={"jsonrpc": "2.0", "method": "call", "id": 1, "params": params},
            timeout=60,
        )
        response.raise_for_status()
        body = response.json()
        if "error" in body:
            raise RpcError(body["error"])
        return body["result"]

    def authenticate(self, login, password=None):
        result = self._post("/web/session/authenticate", {"db": self.db, "login": login, "password": password or login})
        self.uid = result["uid"]
        self.user_context = result.get("user_context", {})
        return result

    def call(self, model, method, *args, **kwargs):
        return self._post(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _dropdb(db):
    subprocess.run(
        [
            "dropdb",
            "--if-exists",
            "-h",
            os.environ.get("PGHOST", "127.0.0.1"),
            "-p",
            os.environ.get("PGPORT", "5432"),
            "-U",
            os.environ.get("MPH_DB_USER", "mph"),
            db,
        ],
        env=dict(os.environ, PGPASSWORD=os.environ.get("MPH_DB_PASSWORD", "mph")),
        check=False,
        capture_output=True,
    )


@pytest.fixture(scope="session")
def server():
    """Install the addons with demo data on a fresh database, start the server."""
    db = f"mph_http_{os.getpid()}"
    port = _free_port()
    logdir = ROOT / ".local"
    logdir.mkdir(exist_ok=True)
    _dropdb(db)
    install = subprocess.run(
        [
            ODOO,
            "-d",
            db,
            "-i",
            ADDONS,
            "--load-language",
            "nl_NL",
            "--stop-after-init",
            "--http-port",
            str(port),
            "--logfile",
            str(logdir / f"{db}-install.log"),
        ],
        check=False,
    )
    assert install.returncode == 0, f"installing {ADDONS} failed; see .local/{db}-install.log"
    proc = subprocess.Popen(
        [
            ODOO,
            "-d",
            db,
            "--db-filter",
            f"^{db}$",
            "--http-port",
            str(port),
            "--http-interface",
            "127.0.0.1",
            "--logfile",
            str(logdir / f"{db}.log"),
        ]
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + START_TIMEOUT
        while True:
            try:
                if requests.get(base_url + "/web/login", timeout=5).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass  # not up yet, or still building its assets on a busy machine
            assert proc.poll() is None, "the Odoo server stopped while starting"
            assert time.time() < deadline, "the Odoo server did not answer in time"
            time.sleep(1)
        yield {"url": base_url, "db": db}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        _dropdb(db)


@pytest.fixture
def client(server):
    def make(login=None):
        odoo = OdooClient(server["url"], server["db"])
        if login:
            odoo.authenticate(login)
        return odoo

    return make


@pytest.fixture(scope="session")
def facts(server):
    """What the coordinator sees, to judge what the others may not."""
    coordinator = OdooClient(server["url"], server["db"])
    coordinator.authenticate("coordinator")
    students = coordinator.call("mph.student", "search_read", [], ["partner_id", "guardian_id", "name"])
    running = coordinator.call(
        "mph.enrollment",
        "search_read",
        [("state", "in", ["trial", "active"]), ("teacher_id.user_id.login", "=", "docent.henk")],
        ["student_id"],
    )
    return {
        "students": students,
        "student_partner_ids": [s["partner_id"][0] for s in students],
        "guardian_ids": sorted({s["guardian_id"][0] for s in students if s["guardian_id"]}),
        "henk_student_ids": sorted({e["student_id"][0] for e in running}),
    }
