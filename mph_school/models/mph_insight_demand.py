from odoo import fields, models

from .mph_insight_mixin import insight_average, insight_count
from .mph_lesson_type import ENSEMBLE_TYPES, KINDS


class MphInsightDemand(models.Model):
    """Demand per lesson type and month: one row per lesson type and month of
    each school year up to the current month. Snapshot figures (waiting,
    trial, active) are taken at the end of the month; event figures
    (requested, placed, started, stopped) count what happened in the month.
    Cancelled enrolments are left out: the date they were cancelled is not
    known."""

    _name = "mph.insight.demand"
    _inherit = ["mph.insight.mixin"]
    _description = "Demand per lesson type"
    _auto = False
    _order = "month desc, lesson_type_id"
    _rec_name = "month"
    _insight_materialized = True
    _insight_dimensions = ("season_id", "month", "lesson_type_id", "kind", "ensemble_type")
    _insight_counts = (
        "waiting_count",
        "trial_count",
        "active_count",
        "requested_count",
        "placed_count",
        "started_count",
        "stopped_count",
    )
    _insight_ratios = {
        "waiting_days_avg": ("waiting_days_total", "placed_count", 1),
        "waiting_age_avg": ("waiting_age_total", "waiting_count", 1),
    }
    _insight_guarded = {
        "waiting_days_total": "placed_count",
        "waiting_days_max": "placed_count",
        "waiting_age_total": "waiting_count",
    }
    # The state at the end of a month; the other counts happen in the month
    # and add up over months.
    _insight_period = ("month", "month:month")
    _insight_stock = ("waiting_count", "trial_count", "active_count", "waiting_age_total", "waiting_age_avg")

    # ------------------------------------------------------------
    # Dimensions
    # ------------------------------------------------------------

    season_id = fields.Many2one("mph.season", string="School year", readonly=True)
    month = fields.Date(readonly=True)
    lesson_type_id = fields.Many2one("mph.lesson.type", string="Lesson type", readonly=True)
    kind = fields.Selection(KINDS, readonly=True)
    ensemble_type = fields.Selection(ENSEMBLE_TYPES, string="Ensemble", readonly=True)

    # ------------------------------------------------------------
    # Measures
    # ------------------------------------------------------------

    waiting_count = insight_count("Waiting (end of month)")
    trial_count = insight_count("In trial lessons (end of month)")
    active_count = insight_count("Active (end of month)")
    requested_count = insight_count("New requests")
    placed_count = insight_count("Off the waiting list")
    started_count = insight_count("Started")
    stopped_count = insight_count("Stopped")
    waiting_days_total = insight_count("Waiting days (total)")
    waiting_days_avg = insight_average(
        "Average waiting time (days)",
        help="Days from the request to the trial lesson or start, of those who left the waiting list.",
    )
    waiting_days_max = fields.Integer(string="Longest waiting time (days)", aggregator="max", readonly=True)
    waiting_age_total = insight_count("Days waited so far (total)")
    waiting_age_avg = insight_average(
        "Waiting so far (average days)",
        help="How long those on the waiting list at the end of the month (today for this month) have waited.",
    )

    def _insight_query(self):
        cell_key = self._insight_cell_key("r.lesson_type_id || '|' || r.month")
        # Days waited by those still waiting at the end of the month (today
        # for this month): n * that day - the sum of their request days.
        age_total = """(r.waiting * (least(r.month + interval '1 month' - interval '1 day', current_date)::date
                                     - DATE '2000-01-01') - r.waiting_requested_days)"""
        return f"""
            WITH months AS (
                SELECT s.id AS season_id, m::date AS month
                  FROM mph_season s
                 CROSS JOIN LATERAL generate_series(
                       date_trunc('month', s.date_start), s.date_end, interval '1 month') AS m
                 WHERE m <= date_trunc('month', current_date)
            ),
            enrollment AS (
                SELECT lesson_type_id, date_requested, date_trial, date_start,
                       coalesce(date_trial, date_start) AS placed,
                       CASE WHEN state = 'stopped' THEN date_end END AS ended
                  FROM mph_enrollment
                 WHERE state != 'cancelled'
            ),
            events AS (
                SELECT e.lesson_type_id, date_trunc('month', v.day)::date AS month, v.what, v.days,
                       e.date_requested - DATE '2000-01-01' AS requested_day
                  FROM enrollment e
                 CROSS JOIN LATERAL (VALUES
                       ('requested', e.date_requested, NULL::integer),
                       ('placed', e.placed, e.placed - e.date_requested),
                       ('trial_in', e.date_trial, NULL),
                       ('trial_out', CASE WHEN e.date_trial IS NOT NULL
                                          THEN coalesce(e.date_start, e.ended) END, NULL),
                       ('started', e.date_start, NULL),
                       ('stopped', e.ended, NULL),
                       ('active_out', CASE WHEN e.date_start IS NOT NULL THEN e.ended END, NULL)
                       ) AS v(what, day, days)
                 WHERE v.day IS NOT NULL
            ),
            monthly AS (
                SELECT lesson_type_id, month,
                       count(*) FILTER (WHERE what = 'requested') AS requested,
                       count(*) FILTER (WHERE what = 'placed') AS placed,
                       count(*) FILTER (WHERE what = 'trial_in') AS trial_in,
                       count(*) FILTER (WHERE what = 'trial_out') AS trial_out,
                       count(*) FILTER (WHERE what = 'started') AS started,
                       count(*) FILTER (WHERE what = 'stopped') AS stopped,
                       count(*) FILTER (WHERE what = 'active_out') AS active_out,
                       coalesce(sum(days) FILTER (WHERE what = 'placed'), 0) AS days_total,
                       coalesce(max(days) FILTER (WHERE what = 'placed'), 0) AS days_max,
                       coalesce(sum(requested_day) FILTER (WHERE what = 'requested'), 0)
                         - coalesce(sum(requested_day) FILTER (WHERE what = 'placed'), 0) AS requested_days
                  FROM events
                 GROUP BY lesson_type_id, month
            ),
            grid AS (
                SELECT lt.id AS lesson_type_id, m.season_id, m.month
                  FROM mph_lesson_type lt CROSS JOIN months m
            ),
            running AS (
                SELECT coalesce(g.lesson_type_id, a.lesson_type_id) AS lesson_type_id,
                       coalesce(g.month, a.month) AS month,
                       g.season_id,
                       coalesce(a.requested, 0) AS requested,
                       coalesce(a.placed, 0) AS placed,
                       coalesce(a.started, 0) AS started,
                       coalesce(a.stopped, 0) AS stopped,
                       coalesce(a.days_total, 0) AS days_total,
                       coalesce(a.days_max, 0) AS days_max,
                       sum(coalesce(a.requested, 0) - coalesce(a.placed, 0)) OVER w AS waiting,
                       sum(coalesce(a.requested_days, 0)) OVER w AS waiting_requested_days,
                       sum(coalesce(a.trial_in, 0) - coalesce(a.trial_out, 0)) OVER w AS trial,
                       sum(coalesce(a.started, 0) - coalesce(a.active_out, 0)) OVER w AS active
                  FROM grid g
                  FULL JOIN monthly a ON a.lesson_type_id = g.lesson_type_id AND a.month = g.month
                WINDOW w AS (PARTITION BY coalesce(g.lesson_type_id, a.lesson_type_id)
                             ORDER BY coalesce(g.month, a.month))
            )
            SELECT r.lesson_type_id * 100000
                       + extract(year FROM r.month)::integer * 12
                       + extract(month FROM r.month)::integer - 1 AS id,
                   r.season_id, r.month, r.lesson_type_id, lt.kind, lt.ensemble_type,
                   r.waiting::integer AS waiting_count,
                   r.trial::integer AS trial_count,
                   r.active::integer AS active_count,
                   r.requested::integer AS requested_count,
                   r.placed::integer AS placed_count,
                   r.started::integer AS started_count,
                   r.stopped::integer AS stopped_count,
                   r.days_total::integer AS waiting_days_total,
                   CASE WHEN r.placed > 0 THEN r.days_total::float / r.placed ELSE 0 END AS waiting_days_avg,
                   r.days_max::integer AS waiting_days_max,
                   {age_total}::integer AS waiting_age_total,
                   CASE WHEN r.waiting > 0 THEN {age_total}::float / r.waiting ELSE 0 END AS waiting_age_avg,
                   {cell_key} AS cell_draw
              FROM running r
              JOIN mph_lesson_type lt ON lt.id = r.lesson_type_id
             WHERE r.season_id IS NOT NULL
        """
