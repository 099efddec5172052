"""Benchmark: the lessons of a school year and the teacher's week page.

Run with: bash bench/run.sh timetable   (creates its own database, prints figures)

A school of 1,000 pupils, 40 teachers and 25 rooms, each pupil in an
individual slot of the weekly timetable (school year 2060-2061, with the
usual holidays). Measured in the same run:
- the set-based generation of the school year's lessons (about 36,000) and
  their attendance rows (``mph.lesson.slot._generate_lessons``: one statement,
  two INSERT ... SELECT), in lessons per second; then, for the ratio, the
  lessons of a tenth of the slots made again in the same state of the
  tables, through the plain ORM ``create`` (lessons, then attendance) and
  set-based;
- the teacher's week page over loopback: a real Odoo server on a free port,
  200 requests round-robin for a teacher with 26 lessons a week (on two
  days) and one with 5, and the portal home /my as the baseline; p95, and the
  SQL query count per request from the server's request log (the same for
  both: it does not grow with the number of lessons).
"""

import time

import benchlib  # bench/, on the path that bench/run.sh gives odoo shell

from odoo.addons.mph_timetable.models.mph_timetable_demo import holiday_vals, holidays

N_STUDENTS = 1000
N_TEACHERS = 40
N_ROOMS = 25
SMALL_TEACHER_PUPILS = 5
BASELINE_SLOTS = 100
N_REQUESTS = 200
TARGET_RATIO = 3.0
WEEK = "2060-09-06"
HOLIDAYS = holidays(
    """
    2060-08-01 2060-08-29 Zomervakantie
    2060-10-16 2060-10-24 Herfstvakantie
    2060-12-18 2061-01-02 Kerstvakantie
    2061-02-19 2061-02-27 Voorjaarsvakantie
    2061-04-23 2061-05-01 Meivakantie
    2061-07-16 2061-07-31 Zomervakantie
    """
)


def populate(env):
    season = env["mph.season"].create({"name": "2060-2061", "date_start": "2060-08-01", "date_end": "2061-07-31"})
    env["mph.school.holiday"].create(holiday_vals(season, HOLIDAYS))
    lesson_types = env["mph.lesson.type"].create(
        [{"name": f"Bench instrument {i}", "capacity": 0, "duration": 30, "promised_count": 36} for i in range(10)]
    )
    rooms = env["mph.room"].create([{"name": f"Bench lokaal {i}", "capacity": 3} for i in range(N_ROOMS)])
    people = [(f"Bench Docent {i}", f"bench.rooster{i}") for i in range(N_TEACHERS)]
    users = benchlib.create_users(env, people, ["mph_school.group_teacher"], with_password=True)
    teachers = benchlib.create_teachers(env, users, lesson_types)
    students = (
        env["mph.student"]
        .with_context(tracking_disable=True)
        .create(
            [
                {"name": f"Bench Leerling{i} Rooster", "email": f"rooster{i}@example.nl", "birthdate": "1990-01-01"}
                for i in range(N_STUDENTS)
            ]
        )
    )
    # Teacher 1 gets a few pupils; the others share the rest.
    owners = [1] * SMALL_TEACHER_PUPILS
    others = [t for t in range(N_TEACHERS) if t != 1]
    owners += [others[i % len(others)] for i in range(N_STUDENTS - SMALL_TEACHER_PUPILS)]
    enrollments = (
        env["mph.enrollment"]
        .with_context(tracking_disable=True, mph_no_assignment_notice=True)
        .create(
            [
                {
                    "student_id": s.id,
                    "lesson_type_id": lesson_types[i % 10].id,
                    "teacher_id": teachers[owners[i]].id,
                    "state": "active",
                    "date_start": "2060-08-01",
                }
                for i, s in enumerate(students)
            ]
        )
    )
    # Each teacher in room (index mod 25) on two weekdays of its own, 13:00-20:00.
    slot_vals, taken = [], {}
    for enrollment, owner in zip(enrollments, owners, strict=True):
        n = taken[owner] = taken.get(owner, -1) + 1
        first_day = 0 if owner < N_ROOMS else 2
        slot_vals.append(
            {
                "season_id": season.id,
                "teacher_id": teachers[owner].id,
                "room_id": rooms[owner % N_ROOMS].id,
                "lesson_type_id": enrollment.lesson_type_id.id,
                "weekday": str(first_day + n // 14),
                "start_time": 13.0 + (n % 14) * 0.5,
            }
        )
    slots = env["mph.lesson.slot"]._demo_create_slots(slot_vals, list(enrollments))
    env.flush_all()
    return season, slots, users


def generate(env, slots):
    start = time.perf_counter()
    made = slots._generate_lessons()
    env.flush_all()
    return made, time.perf_counter() - start


def baseline(env, slots):
    """The same rows for ``slots`` through the ORM: read what the set-based
    run made, delete it, create it again with ``create``."""
    Lesson = env["mph.lesson"]
    fnames = ["slot_id", "season_id", "teacher_id", "room_id", "lesson_type_id", "date", "start_time", "duration"]
    fnames += ["start", "stop", "state", "kind"]
    lessons = Lesson.search([("slot_id", "in", slots.ids)], order="id")
    rows = lessons.read(fnames, load=None)
    attendance = {
        (a.lesson_id.id): a.enrollment_id.id
        for a in env["mph.lesson.attendance"].search([("lesson_id", "in", lessons.ids)])
    }
    vals_list = [{f: row[f] for f in fnames} for row in rows]
    enrollment_of = [attendance[row["id"]] for row in rows]
    env.cr.execute("DELETE FROM mph_lesson WHERE id = ANY(%s)", [lessons.ids])
    env.invalidate_all()
    start = time.perf_counter()
    created = Lesson.create(vals_list)
    env["mph.lesson.attendance"].create(
        [
            {"lesson_id": lesson.id, "enrollment_id": enrollment_id, "date": lesson.date}
            for lesson, enrollment_id in zip(created, enrollment_of, strict=True)
        ]
    )
    env.flush_all()
    return len(created), time.perf_counter() - start


def main(env):
    season, slots, users = populate(env)
    made, seconds = generate(env, slots)
    attendance = env["mph.lesson.attendance"].search_count([("lesson_id.season_id", "=", season.id)])
    # The comparison: the same 3,600 lessons of 100 slots, made again in the
    # same state of the tables (the other 32,400 lessons in place), once
    # through the ORM and once set-based.
    sample = slots[:BASELINE_SLOTS]
    orm_made, orm_seconds = baseline(env, sample)
    env.cr.execute("DELETE FROM mph_lesson WHERE slot_id = ANY(%s)", [sample.ids])
    env.invalidate_all()
    again, again_seconds = generate(env, sample)
    assert again == orm_made, (again, orm_made)
    fast, slow = again / again_seconds, orm_made / orm_seconds
    print(f"pupils {N_STUDENTS}, teachers {N_TEACHERS}, rooms {N_ROOMS}, slots {len(slots)}")
    print(
        f"whole school year, set-based: {made} lessons + {attendance} attendance rows "
        f"in {seconds:6.2f} s = {made / seconds:8.0f} lessons/s"
    )
    print(
        f"100 slots, plain ORM create:  {orm_made} lessons + attendance rows "
        f"in {orm_seconds:6.2f} s = {slow:8.0f} lessons/s (baseline)"
    )
    print(
        f"100 slots, set-based:         {again} lessons + attendance rows "
        f"in {again_seconds:6.2f} s = {fast:8.0f} lessons/s"
    )
    season_ratio = made / seconds / slow
    print(
        f"ratio, the school year against the ORM's rate: {season_ratio:5.1f}x "
        f"({'meets' if season_ratio >= TARGET_RATIO else 'BELOW'} the {TARGET_RATIO:.0f}x target)"
    )
    print(
        f"ratio, the same 3,600 lessons both ways:       {fast / slow:5.1f}x (fixed costs of one statement weigh more)"
    )
    env.cr.commit()  # the server below reads the data from its own connections

    with benchlib.server(env) as (base_url, logfile):
        big = benchlib.login(base_url, env.cr.dbname, users[0].login)
        small = benchlib.login(base_url, env.cr.dbname, users[1].login)
        url = f"{base_url}/my/timetable?week={WEEK}"
        sizes = {}
        for name, session in (("big", big), ("small", small)):
            sizes[name] = session.get(url, timeout=30).text.count("o_mph_lesson ")
        pages = [("home", big, f"{base_url}/my"), ("big", big, url), ("small", small, url)]
        results = benchlib.measure(pages, N_REQUESTS)
        time.sleep(1)
        # After the two checks above, the week requests alternate: big, small.
        query_counts = {
            "big": benchlib.queries(logfile, "/my/timetable", every=2, offset=0, skip=2),
            "small": benchlib.queries(logfile, "/my/timetable", every=2, offset=1, skip=2),
        }
        home_queries = benchlib.queries(logfile, "/my", warmup=0)
    print(
        f"teacher's week page, {N_REQUESTS} requests each over loopback, "
        f"round-robin after {benchlib.WARMUP} warm-up rounds"
    )
    home_p50, home_p95 = results["home"]
    print(
        f"/my (portal home, baseline):         p50 {home_p50:6.1f} ms  p95 {home_p95:6.1f} ms  queries {home_queries}"
    )
    for name in ("small", "big"):
        p50, p95 = results[name]
        print(
            f"/my/timetable, {sizes[name]:2d} lessons in the week: p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
            f"queries {query_counts[name]}"
        )

    # Leave the database as it was (the run's database is dropped anyway).
    env.cr.execute("DELETE FROM mph_lesson WHERE season_id = %s", [season.id])
    env.cr.commit()


main(env)  # noqa: F821
