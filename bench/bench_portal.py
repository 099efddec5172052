"""Benchmark: the teacher portal's list page over loopback.

Run with: bash bench/run.sh   (creates its own database, prints figures)

A teacher with 300 pupils (and one with 10, for comparison) is created and
committed in the throw-away database; a real Odoo server is started on a free
port and 200 requests per page are timed with logged-in sessions, the pages
taken round-robin so that a busy machine slows them alike.
The server's own request log gives the SQL query count per request.
Baseline, measured in the same run: the portal home /my of the same teacher.
"""

import time

import benchlib  # bench/, on the path that bench/run.sh gives odoo shell

from odoo import fields

N_STUDENTS = 300
N_SMALL = 10
N_REQUESTS = 200
TARGET_P95_MS = 150


def populate(env, size):
    lesson_type = env["mph.lesson.type"].create({"name": f"Bench instrument {size}", "capacity": 0})
    login = f"bench.portal{size}"
    user = benchlib.create_users(
        env, [(f"Bench Docent {size}", login)], ["mph_school.group_teacher"], with_password=True
    )
    teacher = benchlib.create_teachers(env, user, lesson_type)
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


def main(env):
    logins = {size: populate(env, size) for size in (N_STUDENTS, N_SMALL)}
    env.cr.commit()  # the server below reads the data from its own connections
    with benchlib.server(env) as (base_url, logfile):
        big = benchlib.login(base_url, env.cr.dbname, logins[N_STUDENTS])
        small = benchlib.login(base_url, env.cr.dbname, logins[N_SMALL])
        for session, rows in ((big, 80), (small, N_SMALL)):
            text = session.get(f"{base_url}/my/students", timeout=30).text
            assert text.count("o_mph_portal_student_row") == rows, "the list shows the teacher's pupils"
        pages = [
            ("home", big, f"{base_url}/my"),
            (N_STUDENTS, big, f"{base_url}/my/students"),
            (N_SMALL, small, f"{base_url}/my/students"),
        ]
        results = benchlib.measure(pages, N_REQUESTS)
        time.sleep(1)  # let the server flush its request log
        # After the two checks above, the list requests alternate: big, small.
        list_queries = {
            N_STUDENTS: benchlib.queries(logfile, "/my/students", every=2, offset=0, skip=2),
            N_SMALL: benchlib.queries(logfile, "/my/students", every=2, offset=1, skip=2),
        }
        home_queries = benchlib.queries(logfile, "/my")
    home_p50, home_p95 = results["home"]
    print(f"{N_REQUESTS} requests per page over loopback, round-robin after {benchlib.WARMUP} warm-up rounds")
    print(f"/my (portal home, baseline)      p50 {home_p50:6.1f} ms  p95 {home_p95:6.1f} ms  queries {home_queries}")
    for size in (N_SMALL, N_STUDENTS):
        p50, p95 = results[size]
        print(
            f"/my/students, {size:3d} pupils      p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
            f"ratio p50 {p50 / home_p50:4.2f}  queries {list_queries[size]}  "
            f"({'within' if p95 < TARGET_P95_MS else 'OVER'} the {TARGET_P95_MS} ms p95 target)"
        )


main(env)  # noqa: F821
