"""What several benchmarks share: their teachers, and timing pages over loopback.

Not a benchmark itself (bench/run.sh runs bench/bench_*.py only). The benchmarks run in
`odoo shell` from stdin; bench/run.sh puts this folder on PYTHONPATH, so they `import benchlib`.
"""

import contextlib
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from odoo import Command
from odoo.tools import config

WARMUP = 10
LOG_RE = re.compile(r'"GET (\S+) HTTP/1\.\d" 200 - (\d+) ')


# ------------------------------------------------------------
# Data
# ------------------------------------------------------------


def create_users(env, people, groups, with_password=False):
    """One user per (name, login) in the groups (external ids), without the
    reset-password mail; with_password, the password is the login."""
    group_ids = [env.ref(xmlid).id for xmlid in groups]
    return (
        env["res.users"]
        .with_context(no_reset_password=True)
        .create(
            [
                {
                    "name": name,
                    "login": login,
                    **({"password": login} if with_password else {}),
                    "groups_id": [Command.set(group_ids)],
                }
                for name, login in people
            ]
        )
    )


def create_teachers(env, users, lesson_types):
    """A teacher of all the lesson types for each user."""
    return env["mph.teacher"].create(
        [{"name": u.name, "user_id": u.id, "lesson_type_ids": [Command.set(lesson_types.ids)]} for u in users]
    )


# ------------------------------------------------------------
# A real server over loopback
# ------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(db, port, logfile):
    """An Odoo server of the shell's configuration on ``db``, without crons,
    logging every request (with its query count) to ``logfile``."""
    cmd = [sys.executable, str(Path(os.environ["ODOO_SRC"]) / "odoo-bin"), "-c", config.rcfile, "-d", db]
    cmd += ["--db-filter", f"^{db}$", "--http-port", str(port), "--http-interface", "127.0.0.1"]
    cmd += ["--logfile", logfile, "--log-handler", "werkzeug:INFO", "--max-cron-threads", "0"]
    proc = subprocess.Popen(cmd)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/web/login", timeout=5).status_code == 200:
                return proc
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.5)
    proc.terminate()
    raise RuntimeError("the bench server did not start")


@contextlib.contextmanager
def server(env):
    """A server on the shell's database (commit the data first), stopped on
    leaving: yields its base URL and its request log file."""
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        logfile = str(Path(tmp) / "server.log")
        proc = start_server(env.cr.dbname, port, logfile)
        try:
            yield f"http://127.0.0.1:{port}", logfile
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def login(base_url, db, user):
    """A logged-in session of ``user`` (whose password is its login)."""
    session = requests.Session()
    auth = session.post(
        f"{base_url}/web/session/authenticate",
        json={"jsonrpc": "2.0", "params": {"db": db, "login": user, "password": user}},
        timeout=30,
    ).json()
    assert auth.get("result", {}).get("uid"), auth
    return session


def measure(pages, n_requests, warmup=WARMUP):
    """Time the pages (name, session, url) round-robin, so a busy machine
    slows them alike and the ratios stay meaningful; returns {name: (p50, p95)}
    in ms."""
    for _ in range(warmup):
        for _name, session, url in pages:
            session.get(url, timeout=30).raise_for_status()
    times = {name: [] for name, _session, _url in pages}
    for _ in range(n_requests):
        for name, session, url in pages:
            start = time.perf_counter()
            response = session.get(url, timeout=30)
            times[name].append((time.perf_counter() - start) * 1000)
            response.raise_for_status()
    result = {}
    for name, values in times.items():
        values.sort()
        result[name] = (statistics.median(values), values[int(len(values) * 0.95) - 1])
    return result


def queries(logfile, path, every=1, offset=0, skip=0, warmup=WARMUP):
    """Distinct query counts of the timed requests to ``path`` (with any query
    string), from the server's request log, which lists them in the order they
    were sent: ``skip`` requests before the warm-up, ``warmup`` rounds of
    ``every`` requests, then every ``every``-th from ``offset``."""
    counts = [
        int(q)
        for p, q in LOG_RE.findall(Path(logfile).read_text(errors="replace"))
        if p == path or p.startswith(f"{path}?")
    ]
    timed_counts = counts[skip + warmup * every :]
    return sorted(set(timed_counts[offset::every]))
