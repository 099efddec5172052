"""Benchmark: the daily retention job (passive archive and destruction).

Run with: bash bench/run.sh   (creates its own database, prints figures)

Population (MPH_BENCH_RETENTION_N pupils, default 20,000; the issue asks for
100,000, which this 2-core shared machine generates but runs for minutes):
one enrolment and one paid invoice (pupil on the line) each; 74 % taking
lessons, 20 % stopped 30 months ago (due for the passive archive), 5 %
stopped in 2017 (due for destruction), 1 % like those but under legal hold.
Pupils, contacts, enrolments and invoices are inserted with SQL (the ORM
would take longer than the job being measured).

Figures, with ratios against a baseline measured in the same run: the
cheapest ORM write of the same rows (one boolean, batched the same way).
The job runs as the cron does, committing per batch, on this throw-away
database.
"""

import os
import time

from dateutil.relativedelta import relativedelta

from odoo import fields

N = int(os.environ.get("MPH_BENCH_RETENTION_N", "20000"))
SHARE_ARCHIVE, SHARE_DESTROY, SHARE_HOLD = 0.20, 0.05, 0.01


def populate(env):
    cr = env.cr
    today = fields.Date.today()
    ended_archive = today - relativedelta(months=30)
    nl = env.ref("base.nl").id
    lesson_types = env["mph.lesson.type"].create([{"name": f"Retentie {i}", "capacity": 0} for i in range(10)])
    n_archive, n_destroy, n_hold = int(N * SHARE_ARCHIVE), int(N * SHARE_DESTROY), int(N * SHARE_HOLD)
    n_active = N - n_archive - n_destroy - n_hold
    cr.execute(
        """
        CREATE TEMP TABLE bench_pop AS
        SELECT i,
               CASE WHEN i <= %(a)s THEN 'active'
                    WHEN i <= %(a)s + %(r)s THEN 'archive'
                    WHEN i <= %(a)s + %(r)s + %(d)s THEN 'destroy'
                    ELSE 'hold' END AS kind
          FROM generate_series(1, %(n)s) i
        """,
        {"a": n_active, "r": n_archive, "d": n_destroy, "n": N},
    )
    cr.execute(
        """
        WITH p AS (
            INSERT INTO res_partner (name, complete_name, email, street, zip, city, country_id, active,
                                     type, lang, is_company, autopost_bills, create_uid, write_uid, create_date,
                                     write_date)
            SELECT 'Leerling ' || i, 'Leerling ' || i, 'leerling' || i || '@example.nl', 'Oudegracht ' || i,
                   (3500 + i %% 90) || ' AB', 'Utrecht', %(nl)s, true, 'contact', 'nl_NL', false, 'ask', 1, 1,
                   now(), now()
              FROM bench_pop ORDER BY i
            RETURNING id
        )
        SELECT array_agg(id ORDER BY id) FROM p
        """,
        {"nl": nl},
    )
    partner_ids = cr.fetchone()[0]
    cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE id = ANY(%s)", [partner_ids])
    cr.execute(
        """
        INSERT INTO mph_student (partner_id, state, active, legal_hold, birthdate, birth_year, zip_area,
                                 date_lessons_ended, create_uid, write_uid, create_date, write_date)
        SELECT p.id,
               CASE b.kind WHEN 'active' THEN 'active' WHEN 'archive' THEN 'stopped' ELSE 'archived' END,
               b.kind IN ('active', 'archive'), b.kind = 'hold',
               DATE '1990-01-01' + (b.i %% 9000), 1990 + (b.i %% 9000) / 366, (3500 + b.i %% 90)::text,
               CASE b.kind WHEN 'active' THEN NULL WHEN 'archive' THEN %(ended)s::date ELSE DATE '2017-06-30' END,
               1, 1, now(), now()
          FROM bench_pop b JOIN unnest(%(partners)s::int[]) WITH ORDINALITY AS p(id, i) ON p.i = b.i
        """,
        {"ended": ended_archive, "partners": partner_ids},
    )
    cr.execute(
        """
        INSERT INTO mph_enrollment (student_id, lesson_type_id, kind, state, date_requested, date_start, date_end,
                                    create_uid, write_uid, create_date, write_date)
        SELECT s.id, (%(types)s::int[])[1 + s.id %% 10], 'individual',
               CASE WHEN s.state = 'active' THEN 'active' ELSE 'stopped' END,
               DATE '2015-01-01', DATE '2015-09-01', s.date_lessons_ended, 1, 1, now(), now()
          FROM mph_student s WHERE s.partner_id = ANY(%(partners)s)
        """,
        {"types": lesson_types.ids, "partners": partner_ids},
    )
    # One paid contribution invoice per pupil, with the pupil on its line, so
    # that the "last invoice" subqueries of the destruction rule scan a real
    # table: this school year for pupils taking lessons, the year before they
    # stopped for the others (never later than their last lessons, so the
    # same pupils stay due).
    journal = env["account.journal"].search([("type", "=", "sale")], limit=1)
    cr.execute(
        """
        WITH m AS (
            INSERT INTO account_move (name, move_type, state, payment_state, date, invoice_date, journal_id,
                                      currency_id, company_id, partner_id, commercial_partner_id, auto_post,
                                      create_uid, write_uid, create_date, write_date)
            SELECT 'BENCH/' || s.id, 'out_invoice', 'posted', 'paid', d.day, d.day, %(journal)s, %(currency)s,
                   %(company)s, s.partner_id, s.partner_id, 'no', 1, 1, now(), now()
              FROM mph_student s,
                   LATERAL (SELECT COALESCE(s.date_lessons_ended - 365, %(today)s::date) AS day) d
             WHERE s.partner_id = ANY(%(partners)s)
            RETURNING id, partner_id, invoice_date
        )
        , l AS (
            INSERT INTO account_move_line (move_id, currency_id, display_type, company_id, journal_id,
                                           parent_state, date, invoice_date, partner_id, mph_student_id, name,
                                           quantity, price_unit, account_id, balance, amount_currency, credit,
                                           debit, create_uid, write_uid, create_date, write_date)
            SELECT m.id, %(currency)s, 'product', %(company)s, %(journal)s, 'posted', m.invoice_date,
                   m.invoice_date, m.partner_id, s.id, 'Bijdrage', 1, 120, %(income)s, -120, -120, 120, 0,
                   1, 1, now(), now()
              FROM m JOIN mph_student s ON s.partner_id = m.partner_id
        )
        INSERT INTO account_move_line (move_id, currency_id, display_type, company_id, journal_id, parent_state,
                                       date, invoice_date, partner_id, name, account_id, balance,
                                       amount_currency, credit, debit, create_uid, write_uid, create_date,
                                       write_date)
        SELECT m.id, %(currency)s, 'payment_term', %(company)s, %(journal)s, 'posted', m.invoice_date,
               m.invoice_date, m.partner_id, 'BENCH', %(receivable)s, 120, 120, 0, 120, 1, 1, now(), now()
          FROM m
        """,
        {
            "journal": journal.id,
            "income": journal.default_account_id.id,
            "receivable": env["account.account"].search([("account_type", "=", "asset_receivable")], limit=1).id,
            "currency": journal.company_id.currency_id.id,
            "company": journal.company_id.id,
            "today": today,
            "partners": partner_ids,
        },
    )
    cr.execute("ANALYZE account_move; ANALYZE account_move_line; ANALYZE mph_student")
    env.invalidate_all()
    env.cr.commit()
    return n_archive, n_destroy, n_hold


def main(env):
    n_archive, n_destroy, n_hold = populate(env)
    Retention = env["mph.retention"]
    settings = Retention._get_settings()
    archive, destroy, held = Retention._get_due()
    assert (len(archive), len(destroy), len(held)) == (n_archive, n_destroy, n_hold), (
        len(archive),
        len(destroy),
        len(held),
    )

    # Baseline: the cheapest ORM write of the archive rows, batched like the job.
    start = time.perf_counter()
    for i in range(0, len(archive), settings["batch_size"]):
        archive[i : i + settings["batch_size"]].write({"legal_hold": False})
        env.flush_all()
    baseline = time.perf_counter() - start
    env.cr.rollback()
    env.invalidate_all()

    start = time.perf_counter()
    result = Retention._run()
    env.cr.commit()
    full = time.perf_counter() - start
    assert result == {"archived": len(archive), "destroyed": n_destroy, "failed": 0, "held": n_hold}, result
    seconds = {
        rule: sum(env["mph.retention.log"].search([("rule", "=", rule)]).mapped("duration"))
        for rule in ("archive", "destroy")
    }

    env.invalidate_all()
    start = time.perf_counter()
    nothing = Retention._run()
    env.cr.commit()
    idle = time.perf_counter() - start
    assert nothing == {"archived": 0, "destroyed": 0, "failed": 0, "held": n_hold}, nothing

    per_row_base = baseline / len(archive)
    per_archive = seconds["archive"] / len(archive)
    per_destroy = seconds["destroy"] / n_destroy
    print(f"pupils: {N}, due for archive: {len(archive)}, for destruction: {n_destroy}, held: {n_hold}")
    print(f"batch size: {settings['batch_size']}")
    print(f"baseline: plain ORM write of the {len(archive)} archive rows: {baseline:8.2f} s  ratio 1.00")
    print(f"full run (archive + destruction):              {full:8.2f} s")
    print(
        f"archive:     {seconds['archive']:7.2f} s  {1 / per_archive:8.0f} pupils/s  "
        f"per-row ratio {per_archive / per_row_base:6.2f}"
    )
    print(
        f"destruction: {seconds['destroy']:7.2f} s  {1 / per_destroy:8.0f} pupils/s  "
        f"per-row ratio {per_destroy / per_row_base:6.2f}"
    )
    print(f"nothing due (held pupils only):                {idle * 1000:8.1f} ms  ratio {idle / baseline:5.2f}")


main(env)  # noqa: F821
