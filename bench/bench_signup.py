"""Benchmark: sustained website sign-ups per second.

Run with: bash bench/run.sh   (creates its own database, prints figures)

Starts a real Odoo server with 2 workers on a free loopback port against the
bench database, then lets 4 clients each GET the form (CSRF token) and POST
a valid, distinct adult sign-up, for a fixed number of sign-ups. The baseline
is the same clients fetching the sign-up page only (GET), in the same run.
Afterwards it checks zero errors and zero duplicate pupils.
"""

import re
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from odoo.modules.module import get_module_path

N_SIGNUPS = 200
CLIENTS = 4
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
ROOT = Path(get_module_path("mph_school")).parent

env = globals()["env"]  # given by `odoo shell`
env["ir.config_parameter"].sudo().set_param("mph_school.signup_rate_limit", 0)
lesson_types = env["mph.lesson.type"].create([{"name": f"Bench instrument {i}", "capacity": 20} for i in range(5)])
nl_id = env.ref("base.nl").id
lesson_type_ids = lesson_types.ids
env.cr.commit()

with socket.socket() as sock:
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
server = subprocess.Popen(
    [
        str(ROOT / "scripts" / "odoo"),
        "-d",
        env.cr.dbname,
        "--workers=2",
        "--max-cron-threads=0",
        f"--http-port={port}",
        "--log-level=warn",
        "--limit-time-real=600",
        "--logfile",
        str(ROOT / ".local" / "bench_signup_server.log"),
    ],
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
)
base = f"http://127.0.0.1:{port}"
try:
    for _ in range(120):
        try:
            if requests.get(f"{base}/muziekles/aanmelden", timeout=10).status_code == 200:
                break
        except requests.ConnectionError:
            pass
        time.sleep(1)
    else:
        sys.exit("server did not start")

    def page(_i):
        return requests.get(f"{base}/muziekles/aanmelden", timeout=60).status_code == 200

    def signup(i):
        session = requests.Session()
        form = session.get(f"{base}/muziekles/aanmelden", timeout=60)
        data = {
            "csrf_token": CSRF_RE.search(form.text).group(1),
            "name": f"Bench Leerling {i}",
            "birthdate": "1990-01-01",
            "street": "Biltstraat 5",
            "zip": "3572 AA",
            "city": "Utrecht",
            "country_id": str(nl_id),
            "email": f"bench.{i}@example.nl",
            "phone": "06-11223344",
            "lesson_type_ids": [str(lesson_type_ids[i % len(lesson_type_ids)])],
            "privacy_accept": "1",
        }
        response = session.post(f"{base}/muziekles/aanmelden", data=data, timeout=60)
        return response.status_code == 200 and "mph_signup_result" in response.text

    def run(func, count):
        with ThreadPoolExecutor(CLIENTS) as pool:
            list(pool.map(func, range(10)))  # warm up
            start = time.perf_counter()
            results = list(pool.map(func, range(10, 10 + count)))
        return time.perf_counter() - start, results.count(False)

    page_time, page_errors = run(page, N_SIGNUPS)
    signup_time, signup_errors = run(signup, N_SIGNUPS)
finally:
    server.terminate()
    server.wait(30)

env.cr.rollback()  # a fresh snapshot: see what the server committed
env.invalidate_all()
students = env["mph.student"].search([("email", "=like", "bench.%@example.nl")])
emails = students.mapped("email")
duplicates = len(emails) - len(set(emails))
pages_per_s = N_SIGNUPS / page_time
signups_per_s = N_SIGNUPS / signup_time
print(f"{CLIENTS} clients, server with 2 workers, {N_SIGNUPS} of each")
print(f"GET sign-up page (baseline)    {pages_per_s:7.1f}/s  1.00  errors {page_errors}")
print(
    f"valid sign-up (GET + POST)     {signups_per_s:7.1f}/s  {signups_per_s / pages_per_s:.2f}  "
    f"errors {signup_errors}, pupils {len(students) - 10} of {N_SIGNUPS}, duplicates {duplicates}"
)
