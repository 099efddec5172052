"""Black-box harness: a real Odoo server on a fresh database with the addons
and their Dutch demo data, driven over HTTP like a browser or an integration
would. Nothing here imports Odoo."""

import configparser
import os
import re
import shutil
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


def _pg(command, *args):
    return subprocess.run(
        [
            command,
            "-h",
            os.environ.get("PGHOST", "127.0.0.1"),
            "-p",
            os.environ.get("PGPORT", "5432"),
            "-U",
            os.environ.get("MPH_DB_USER", "mph"),
            *args,
        ],
        env=dict(os.environ, PGPASSWORD=os.environ.get("MPH_DB_PASSWORD", "mph")),
        check=False,
        capture_output=True,
        text=True,
    )


def _filestore(db):
    """Where the server keeps the attachments of ``db`` (its data_dir)."""
    config = configparser.ConfigParser()
    config.read(os.environ.get("MPH_CONF") or ROOT / ".local" / "odoo.conf")
    data_dir = config.get("options", "data_dir", fallback=None) or Path.home() / ".local" / "share" / "Odoo"
    return Path(data_dir) / "filestore" / db


def _dropdb(db):
    _pg("dropdb", "--if-exists", db)
    shutil.rmtree(_filestore(db), ignore_errors=True)


def copy_db(template, db):
    """A copy of ``template`` (no one may be connected to it) as ``db``, with
    its filestore (the attachments: website logo, report PDFs...)."""
    _dropdb(db)
    if _filestore(template).is_dir():
        shutil.copytree(_filestore(template), _filestore(db))
    for _attempt in range(20):
        # A process that just stopped may still be leaving the template.
        done = _pg("createdb", "-T", template, db)
        if done.returncode == 0 or "being accessed by other users" not in done.stderr:
            break
        time.sleep(0.5)
    assert done.returncode == 0, f"copying database {template} to {db} failed: {done.stderr}"


class OdooServer:
    """One Odoo server process on ``db``; ``env`` is added to its environment
    (for example LD_PRELOAD and FAKETIME to move its clock)."""

    def __init__(self, db, env=None, logname=None, crons=True):
        self.db = db
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        logdir = ROOT / ".local"
        logdir.mkdir(exist_ok=True)
        self.logfile = logdir / f"{logname or db}.log"
        self.proc = subprocess.Popen(
            [
                ODOO,
                "-d",
                db,
                "--db-filter",
                f"^{db}$",
                "--http-port",
                str(self.port),
                "--http-interface",
                "127.0.0.1",
                "--logfile",
                str(self.logfile),
                *([] if crons else ["--max-cron-threads", "0"]),
            ],
            env=dict(os.environ, **(env or {})),
        )
        try:
            deadline = time.time() + START_TIMEOUT
            while True:
                try:
                    if requests.get(self.url + "/web/login", timeout=30).status_code == 200:
                        break
                except (requests.ConnectionError, requests.Timeout):
                    pass
                assert self.proc.poll() is None, f"the Odoo server stopped while starting; see {self.logfile}"
                assert time.time() < deadline, "the Odoo server did not answer in time"
                time.sleep(0.5)
        except BaseException:
            self.stop()
            raise

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


ASSET_RE = re.compile(r'(?:src|href)="(/web/assets/[^"]+)"')


def _build_assets(db):
    """Have Odoo build the asset bundles (the website's and the web client's CSS and
    JavaScript, kept as attachments in the database) once, before the database is copied:
    otherwise every server on a copy builds them again on its first page, a minute each on
    two cores."""
    odoo = OdooServer(db, logname=f"{db}-assets", crons=False)
    try:
        client = OdooClient(odoo.url, db)
        client.authenticate("coordinator")
        for path in ("/web/login", "/", "/odoo"):
            page = client.session.get(odoo.url + path, timeout=300)
            assert page.status_code == 200, f"{path}: {page.status_code}"
            for bundle in sorted(set(ASSET_RE.findall(page.text))):
                assert client.session.get(odoo.url + bundle, timeout=300).status_code == 200, bundle
    finally:
        odoo.stop()


@pytest.fixture(scope="session")
def template_db():
    """Install the addons with demo data on a fresh database and keep an
    untouched copy of it, for tests that need a database of their own."""
    db = f"mph_http_{os.getpid()}"
    template = f"{db}_tpl"
    reuse = os.environ.get("MPH_TEST_INSTALLED_DB")
    if reuse:
        # Development shortcut: copy a database installed earlier (with the
        # same code) instead of installing again.
        copy_db(reuse, db)
        copy_db(reuse, template)
        try:
            yield {"db": db, "template": template}
        finally:
            _dropdb(template)
            _dropdb(db)
        return
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
            str(_free_port()),
            "--logfile",
            str(logdir / f"{db}-install.log"),
        ],
        check=False,
    )
    assert install.returncode == 0, f"installing {ADDONS} failed; see .local/{db}-install.log"
    _build_assets(db)
    copy_db(db, template)
    try:
        yield {"db": db, "template": template}
    finally:
        _dropdb(template)
        _dropdb(db)


@pytest.fixture(scope="session")
def server(template_db):
    """The shared server: the addons with their demo data, started once."""
    odoo = OdooServer(template_db["db"])
    try:
        yield {"url": odoo.url, "db": odoo.db}
    finally:
        odoo.stop()


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
