"""Benchmark: invoicing the yearly contribution.

Run with: bash bench/run.sh   (creates its own database, prints figures)

5,000 active pupils, of whom 1,500 minors in 1,000 families (one invoice
per family), on the Dutch chart of accounts. Measures, in the same run, on three school years with the same settings:
- a naive baseline: the invoices created and posted one at a time through
  the ORM with the default context (tracking on), as a hand-written loop
  would do it (timed on a sample, extrapolated);
- a reference for stock Odoo's batched path: the same invoice values given
  to one account.move create and one action_post with tracking off (timed on
  a sample, no other help);
- the wizard's code path (mph.contribution.invoicing._invoice_contributions: lock, plan,
  batches of create + post) over every invoice.
Prints invoices per second for each, the ratio of the wizard's path to the
naive baseline and to the stock batched reference; rolls everything back.

Run just this one with: bash bench/run.sh invoicing
"""

import time

from dateutil.relativedelta import relativedelta

from odoo import fields

from odoo.addons.mph_school.models.mph_contribution_invoicing import INVOICE_CHUNK

N_STUDENTS = 5000
N_MINORS = 1500
N_FAMILIES = 1000
NAIVE_SAMPLE = 300
STOCK_SAMPLE = 1000


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
    Invoicing = env["mph.contribution.invoicing"]
    settings = {"contribution_amount": 120.0, "use_minor_amount": True, "contribution_amount_minor": 90.0}
    season = Season._for_date(fields.Date.today())
    season.write(settings)
    baseline_season = Season.create(
        {"name": "2050-2051", "date_start": "2050-08-01", "date_end": "2051-07-31", **settings}
    )
    stock_season = Season.create(
        {"name": "2052-2053", "date_start": "2052-08-01", "date_end": "2053-07-31", **settings}
    )
    env.flush_all()

    # Naive: one invoice at a time, default context (tracking on), as a
    # hand-written loop would do it.
    groups, _skipped = Invoicing._contribution_plan(baseline_season)
    journal = Invoicing._contribution_journal(baseline_season)
    sample = groups[:NAIVE_SAMPLE]
    start = time.perf_counter()
    for payer, lines in sample:
        move = env["account.move"].create(
            Invoicing._prepare_contribution_invoice(baseline_season, payer, lines, journal)
        )
        move.action_post()
    env.flush_all()
    naive = (time.perf_counter() - start) / len(sample)

    # Stock batched reference: the same values, one create and one post,
    # tracking off, nothing of ours.
    env.invalidate_all()
    groups, _skipped = Invoicing._contribution_plan(stock_season)
    vals_list = [
        Invoicing._prepare_contribution_invoice(stock_season, payer, lines, journal)
        for payer, lines in groups[:STOCK_SAMPLE]
    ]
    start = time.perf_counter()
    stock_moves = env["account.move"].with_context(tracking_disable=True).create(vals_list)
    stock_moves.action_post()
    env.flush_all()
    stock = (time.perf_counter() - start) / len(stock_moves)

    env.invalidate_all()
    start = time.perf_counter()
    result = Invoicing._invoice_contributions(season, send=False)
    env.flush_all()
    batched = time.perf_counter() - start
    moves = result["moves"]
    assert not result["failed"], result["failed"]
    assert len(moves.invoice_line_ids) == N_STUDENTS
    assert set(moves.mapped("state")) == {"posted"}

    naive_rate = 1 / naive
    stock_rate = 1 / stock
    batch_rate = len(moves) / batched
    print(f"pupils: {N_STUDENTS} ({N_MINORS} minors in {N_FAMILIES} families), invoices: {len(moves)}")
    print(
        f"naive, one at a time (baseline, {len(sample)} timed):      {naive_rate:7.1f} invoices/s  "
        f"({naive * len(moves):6.1f} s extrapolated)"
    )
    print(
        f"stock batched create+post ({len(stock_moves)} in one call):  {stock_rate:7.1f} invoices/s  "
        f"({stock * len(moves):6.1f} s extrapolated)"
    )
    print(f"wizard path, batches of {INVOICE_CHUNK}:                  {batch_rate:7.1f} invoices/s  ({batched:6.1f} s)")
    print(
        f"ratio wizard / naive: {batch_rate / naive_rate:4.1f}x   "
        f"ratio wizard / stock batched: {batch_rate / stock_rate:4.2f}x   "
        f"(targets: >= 60 invoices/s, >= 3.5x naive)"
    )
    env.cr.rollback()


main(env)  # noqa: F821
