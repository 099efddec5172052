"""Benchmark: what the access model and the waiting list cost.

Run with: bash bench/run.sh   (creates its own database, prints figures)

Figures are ratios against a baseline measured in the same run, so they
compare across machines:
- reading pupils as the coordinator and as a teacher (record rules through
  _inherits and the enrolment subqueries, and the read log written before
  the commit) against the superuser (no rules, no log);
- the batched waiting-list position against computing it record by record.
"""

import random
import time

import benchlib  # bench/, on the path that bench/run.sh gives odoo shell
from dateutil.relativedelta import relativedelta

from odoo import fields

N_STUDENTS = 3000
N_TEACHERS = 30
REPEAT = 5


def timed(func):
    best = float("inf")
    for _ in range(REPEAT):
        env.invalidate_all()  # noqa: F821 - `env` comes from `odoo shell`
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def populate(env):
    rng = random.Random(7)
    nl = env.ref("base.nl")
    today = fields.Date.today()
    lesson_types = env["mph.lesson.type"].create([{"name": f"Instrument {i}", "capacity": 0} for i in range(10)])
    people = [(f"Docent {i}", f"bench.docent{i}") for i in range(N_TEACHERS)]
    users = benchlib.create_users(env, people, ["base.group_portal", "mph_school.group_teacher"])
    teachers = benchlib.create_teachers(env, users, lesson_types)
    students = (
        env["mph.student"]
        .with_context(tracking_disable=True)
        .create(
            [
                {
                    "name": f"Leerling {i}",
                    "email": f"leerling{i}@example.nl",
                    "zip": f"{3500 + i % 90} AB",
                    "country_id": nl.id,
                    "birthdate": today - relativedelta(years=20 + i % 50),
                }
                for i in range(N_STUDENTS)
            ]
        )
    )
    states = ["active"] * 6 + ["waiting"] * 3 + ["stopped"]
    env["mph.enrollment"].with_context(tracking_disable=True).create(
        [
            {
                "student_id": s.id,
                "lesson_type_id": rng.choice(lesson_types).id,
                "teacher_id": rng.choice(teachers).id,
                "state": (state := rng.choice(states)),
                "date_requested": today - relativedelta(days=rng.randint(1, 900)),
                "date_start": today if state in ("active", "stopped") else False,
                "date_end": today if state == "stopped" else False,
            }
            for s in students
        ]
    )
    env.flush_all()
    return users[0]


def main(env):
    teacher_user = populate(env)
    coordinator = benchlib.create_users(
        env, [("Bench Coordinator", "bench.coordinator")], ["mph_school.group_coordinator"]
    )
    fields_read = ["name", "email", "zip", "city"]
    Student = env["mph.student"]

    def read_and_flush(model):
        # The read log is written just before the commit: count it in.
        model.search_read([], fields_read)
        env.cr.flush()

    Log = env["mph.student.read.log"].sudo()
    logged_before = Log.search_count([])
    base = timed(lambda: read_and_flush(Student.sudo()))
    as_coordinator = timed(lambda: read_and_flush(Student.with_user(coordinator)))
    logged = (Log.search_count([]) - logged_before) // REPEAT
    own = Student.with_user(teacher_user).search([])
    as_teacher = timed(lambda: Student.with_user(teacher_user).search_read([], fields_read))
    per_row_base = base / N_STUDENTS
    per_row_teacher = as_teacher / max(len(own), 1)

    waiting = env["mph.enrollment"].search([("state", "=", "waiting")])
    batch = timed(lambda: waiting.mapped("waiting_position"))
    sample = waiting[:100]

    def one_by_one():
        for enrollment in sample:
            enrollment.invalidate_recordset()
            _ = enrollment.waiting_position

    naive = timed(one_by_one) * len(waiting) / len(sample)

    print(f"pupils: {N_STUDENTS}, teachers: {N_TEACHERS}, waiting enrolments: {len(waiting)}")
    print(f"read all pupils, superuser (baseline):   {base * 1000:8.1f} ms")
    print(
        f"read all pupils, coordinator:           {as_coordinator * 1000:8.1f} ms  ratio {as_coordinator / base:5.2f}"
    )
    print(f"read-log rows per coordinator read: {logged} (in one batch row of the request)")
    print(
        f"read own pupils ({len(own)}), teacher:        {as_teacher * 1000:8.1f} ms  "
        f"per-row ratio {per_row_teacher / per_row_base:5.2f}"
    )
    print(f"waiting positions, batched:             {batch * 1000:8.1f} ms")
    print(
        f"waiting positions, record by record:    {naive * 1000:8.1f} ms  (extrapolated; batch is "
        f"{naive / batch:5.1f}x faster)"
    )
    env.cr.rollback()


main(env)  # noqa: F821
