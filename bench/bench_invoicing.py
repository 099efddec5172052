"""Benchmark: invoicing the yearly contribution.

Run with: bash bench/run.sh   (creates its own database, prints figures)

5,000 active pupils, of whom 1,500 minors in 1,000 families (one invoice
per family), on the Dutch chart of accounts. Measures, in the same run:
- the wizard's code path (mph.season._invoice_contributions: plan, one
  batched create, one post) over every invoice;
- a naive baseline: the same invoices created and posted one at a time
  through the ORM (timed on a sample, extrapolated).
Prints invoices per second for both and their ratio; rolls everything back.
"""

import time

from dateutil.relativedelta import relativedelta

from odoo import fields

N_STUDENTS = 5000
N_MINORS = 1500
N_FAMILIES = 1000
NAIVE_SAMPLE = 300


def populate(env):
    nl = env.ref("base.nl")
    today = fields.Date.today()
    lesson = env["mph.lesson.type"].create({"name": "Bench instrument", "capacity": 0})
    teacher = env["mph.teacher"].create({"name": "Bench Docent", "lesson_type_ids": [(6, 0, lesson.ids)]})
    address = {"street": "Oudegracht 1", "zip": "3511 AB", "city": "Utrecht", "country_id": nl.id}
    guardians = env["res.partner"].create(
        [{"name": f"Ouder {i}", "email": f"ouder{i}@example.nl", **address} for i in range(N_FAMILIES)]
    )
    vals_list = []
    for i in range(N_STUDENTS):
        vals = {"name": f"Leerling {i}", "email": f"leerling{i}@example.nl", **address}
        if i < N_MINORS:
            # 500 families with one child, 500 with two.
            family = i if i < N_FAMILIES else i - N_FAMILIES + N_FAMILIES // 2
            vals.update(birthdate=today - relativedelta(years=8 + i % 8), guardian_id=guardians[family].id)
        else:
            vals.update(birthdate=today - relativedelta(years=20 + i % 50))
        vals_list.append(vals)
    students = env["mph.student"].with_context(tracking_disable=True).create(vals_list)
    env["mph.enrollment"].with_context(tracking_disable=True).create(
        [
            {
                "student_id": s.id,
                "lesson_type_id": lesson.id,
                "teacher_id": teacher.id,
                "state": "active",
                "date_start": today,
            }
            for s in students
        ]
    )
    env.flush_all()


def main(env):
    company = env.company
    if company.chart_template != "nl":
        env["account.chart.template"].try_loading("nl", company, install_demo=False)
    populate(env)
    Season = env["mph.season"]
    settings = {"contribution_amount": 120.0, "use_minor_amount": True, "contribution_amount_minor": 90.0}
    season = Season._for_date(fields.Date.today())
    season.write(settings)
    baseline_season = Season.create(
        {"name": "2050-2051", "date_start": "2050-08-01", "date_end": "2051-07-31", **settings}
    )
    env.flush_all()

    # Naive: one invoice at a time, default context (tracking on), as a
    # hand-written loop would do it.
    groups, _skipped = baseline_season._contribution_plan()
    journal = baseline_season._contribution_journal()
    sample = groups[:NAIVE_SAMPLE]
    start = time.perf_counter()
    for payer, lines in sample:
        move = env["account.move"].create(baseline_season._prepare_contribution_invoice(payer, lines, journal))
        move.action_post()
    env.flush_all()
    naive = (time.perf_counter() - start) / len(sample)

    env.invalidate_all()
    start = time.perf_counter()
    result = season._invoice_contributions(send=False)
    env.flush_all()
    batched = time.perf_counter() - start
    moves = result["moves"]
    assert not result["failed"], result["failed"]
    assert len(moves.invoice_line_ids) == N_STUDENTS

    naive_rate = 1 / naive
    batch_rate = len(moves) / batched
    print(f"pupils: {N_STUDENTS} ({N_MINORS} minors in {N_FAMILIES} families), invoices: {len(moves)}")
    print(
        f"naive, one at a time (baseline, {len(sample)} timed): {naive_rate:7.1f} invoices/s  "
        f"({naive * len(moves):6.1f} s extrapolated)"
    )
    print(
        f"wizard path, batched:                  {batch_rate:7.1f} invoices/s  ({batched:6.1f} s)  "
        f"ratio {batch_rate / naive_rate:4.1f}x"
    )
    env.cr.rollback()


main(env)  # noqa: F821
