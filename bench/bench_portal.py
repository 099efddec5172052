"""Benchmark: the teacher portal's list page over loopback.

Run with: bash bench/run.sh   (creates its own database, prints figures)

A teacher with 300 pupils (and one with 10, for comparison) is created and
committed in the throw-away database; a real Odoo server is started on a free
port and 200 requests per page are timed with logged-in sessions, the pages
taken round-robin so that a busy machine slows them alike.
The server's own request log gives the SQL query count per request.
Baseline, measured in the same run: the portal home /my of the same teacher.
"""

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

from odoo import Command, fields
from odoo.tools import config

N_STUDENTS = 300
N_SMALL = 10
N_REQUESTS = 200
WARMUP = 10
TARGET_P95_MS = 150
LOG_RE = re.compile(r'"GET (\S+) HTTP/1\.\d" 200 - (\d+) ')


def populate(env, size):
    lesson_type = env["mph.lesson.type"].create({"name": f"Bench instrument {size}", "capacity": 0})
    login = f"bench.portal{size}"
    user = (
        env["res.users"]
        .with_context(no_reset_password=True)
        .create(
            {
                "name": f"Bench Docent {size}",
                "login": login,
                "password": login,
                "groups_id": [Command.set([env.ref("mph_school.group_teacher").id])],
            }
        )
    )
    teacher = env["mph.teacher"].create(
        {"name": user.name, "user_id": user.id, "lesson_type_ids": [Command.set(lesson_type.ids)]}
    )
    students = (
        env["mph.student"]
        .with_context(tracking_disable=True)
        .create(
            [
                {
                    "name": f"Bench Leerling {size}-{i:03d}",
                    "email": f"bench{size}.{i}@example.nl",
                    "birthdate": f"{1970 + i % 40}-03-01",
                    "zip": "3511 AB",
                    "city": "Utrecht",
                }
                for i in range(size)
            ]
        )
    )
    env["mph.enrollment"].with_context(tracking_disable=True, mph_no_assignment_notice=True).create(
        [
            {
                "student_id": s.id,
                "lesson_type_id": lesson_type.id,
                "teacher_id": teacher.id,
                "state": "active" if i % 4 else "trial",
                "date_start": fields.Date.today(),
            }
            for i, s in enumerate(students)
        ]
    )
    return login


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(db, port, logfile):
    cmd = [
        sys.executable,
        str(Path(os.environ["ODOO_SRC"]) / "odoo-bin"),
        "-c",
        config.rcfile,
        "-d",
        db,
        "--db-filter",
        f"^{db}$",
        "--http-port",
        str(port),
        "--http-interface",
        "127.0.0.1",
        "--logfile",
        logfile,
        "--log-handler",
        "werkzeug:INFO",
        "--max-cron-threads",
        "0",
    ]
    proc = subprocess.Popen(cmd)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/web/login", timeout=5).status_code == 200:
                return proc
        except requests.ConnectionError:
            time.sleep(0.5)
    proc.terminate()
    raise RuntimeError("the bench server did not start")


def login(base_url, db, user):
    session = requests.Session()
    auth = session.post(
        f"{base_url}/web/session/authenticate",
        json={"jsonrpc": "2.0", "params": {"db": db, "login": user, "password": user}},
        timeout=30,
    ).json()
    assert auth.get("result", {}).get("uid"), auth
    return session


def measure(pages):
    """Time the pages round-robin, so a busy machine slows them alike and the
    ratios stay meaningful; returns {name: (p50, p95)} in ms."""
    for _ in range(WARMUP):
        for _name, session, url in pages:
            session.get(url, timeout=30).raise_for_status()
    times = {name: [] for name, _session, _url in pages}
    for _ in range(N_REQUESTS):
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


def queries(logfile, path, every=1, offset=0, skip=0):
    """Distinct query counts of the timed requests to ``path`` (the server
    logs them in the order they were sent)."""
    counts = [int(q) for p, q in LOG_RE.findall(Path(logfile).read_text(errors="replace")) if p == path]
    timed_counts = counts[skip + WARMUP * every :]
    return sorted(set(timed_counts[offset::every]))


def main(env):
    logins = {size: populate(env, size) for size in (N_STUDENTS, N_SMALL)}
    env.cr.commit()  # the server below reads the data from its own connections
    port = free_port()
    db = env.cr.dbname
    with tempfile.TemporaryDirectory() as tmp:
        logfile = str(Path(tmp) / "server.log")
        proc = start_server(db, port, logfile)
        base_url = f"http://127.0.0.1:{port}"
        try:
            big = login(base_url, db, logins[N_STUDENTS])
            small = login(base_url, db, logins[N_SMALL])
            for session, rows in ((big, 80), (small, N_SMALL)):
                text = session.get(f"{base_url}/my/students", timeout=30).text
                assert text.count("o_mph_portal_student_row") == rows, "the list shows the teacher's pupils"
            pages = [
                ("home", big, f"{base_url}/my"),
                (N_STUDENTS, big, f"{base_url}/my/students"),
                (N_SMALL, small, f"{base_url}/my/students"),
            ]
            results = measure(pages)
            time.sleep(1)  # let the server flush its request log
            # After the two checks above, the list requests alternate: big, small.
            list_queries = {
                N_STUDENTS: queries(logfile, "/my/students", every=2, offset=0, skip=2),
                N_SMALL: queries(logfile, "/my/students", every=2, offset=1, skip=2),
            }
            home_queries = queries(logfile, "/my")
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    home_p50, home_p95 = results["home"]
    print(f"{N_REQUESTS} requests per page over loopback, round-robin after {WARMUP} warm-up rounds")
    print(f"/my (portal home, baseline)      p50 {home_p50:6.1f} ms  p95 {home_p95:6.1f} ms  queries {home_queries}")
    for size in (N_SMALL, N_STUDENTS):
        p50, p95 = results[size]
        print(
            f"/my/students, {size:3d} pupils      p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
            f"ratio p50 {p50 / home_p50:4.2f}  queries {list_queries[size]}  "
            f"({'within' if p95 < TARGET_P95_MS else 'OVER'} the {TARGET_P95_MS} ms p95 target)"
        )


main(env)  # noqa: F821
