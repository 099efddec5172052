from odoo import fields, models

from .mph_insight_mixin import insight_average, insight_count
from .mph_postcode_regions import region_label_sql

AGE_BRACKETS = [
    ("0-11", "0-11"),
    ("12-15", "12-15"),
    ("16-17", "16-17"),
    ("18-25", "18-25"),
    ("26-64", "26-64"),
    ("65+", "65+"),
    ("unknown", "Unknown"),
]


class MphInsightPopulation(models.Model):
    """The pupils of each school year by age bracket and postcode area, with
    who is new, who stopped and who stayed since the previous school year.

    A pupil belongs to a school year when a trial or regular lesson of theirs
    ran on a day of it. Only the statistics keys of the pupil are used (birth
    year and 4-digit postcode area), which survive archiving and
    anonymisation; the age is the age reached in the calendar year in which
    the school year starts."""

    _name = "mph.insight.population"
    _inherit = ["mph.insight.mixin"]
    _description = "Pupil population"
    _auto = False
    _order = "season_id desc, age_bracket, zip_area"
    _rec_name = "season_id"
    _insight_materialized = True
    _insight_dimensions = ("season_id", "age_bracket", "zip_region", "zip_region_name", "zip_area")
    _insight_counts = ("student_count", "new_count", "stopped_count", "previous_count", "retained_count")
    _insight_ratios = {"retention_rate": ("retained_count", "previous_count", 100)}
    _insight_derived = {
        "student_count": ("new_count", "retained_count"),
        "previous_count": ("retained_count", "stopped_count"),
    }
    _insight_sparse = True
    _insight_period = ("season_id", "season_id")
    _insight_stock = (*_insight_counts, *_insight_ratios)

    season_id = fields.Many2one("mph.season", string="School year", readonly=True)
    age_bracket = fields.Selection(AGE_BRACKETS, string="Age", readonly=True)
    zip_region = fields.Char(string="Postcode region", readonly=True, help="The first two digits of the postcode.")
    zip_region_name = fields.Char(
        string="Region", readonly=True, help="The postcode region with the names of its largest places."
    )
    zip_area = fields.Char(string="Postcode area", readonly=True, help="The four digits of the postcode.")
    student_count = insight_count("Pupils")
    new_count = insight_count("New", help="Pupils who had no lessons in the previous school year.")
    stopped_count = insight_count("Stopped", help="Pupils of the previous school year who have no lessons in this one.")
    previous_count = insight_count("Pupils previous year")
    retained_count = insight_count("Stayed")
    retention_rate = insight_average(
        "Retention (%)", help="Share of the pupils of the previous school year who still have lessons."
    )

    def _insight_query(self):
        cell_key = self._insight_cell_key("season_id || '|' || age_bracket || '|' || coalesce(zip_area, '')")
        return f"""
            WITH seasons AS (
                SELECT s.id, s.date_start, s.date_end, p.id AS previous_id
                  FROM mph_season s
                  LEFT JOIN mph_season p ON p.date_end = s.date_start - 1
                 WHERE s.date_start <= current_date
            ),
            presence AS (
                SELECT DISTINCT s.id AS season_id, e.student_id
                  FROM mph_enrollment e
                  JOIN seasons s ON coalesce(e.date_trial, e.date_start) <= s.date_end
                                AND (e.state != 'stopped' OR e.date_end IS NULL OR e.date_end >= s.date_start)
                 WHERE e.state IN ('trial', 'active', 'stopped')
                   AND coalesce(e.date_trial, e.date_start) IS NOT NULL
            ),
            facts AS (
                SELECT season_id, student_id,
                       bool_or(is_current) AS is_current, bool_or(NOT is_current) AS was_previous
                  FROM (SELECT season_id, student_id, true AS is_current FROM presence
                        UNION ALL
                        SELECT s.id, p.student_id, false
                          FROM presence p JOIN seasons s ON s.previous_id = p.season_id) x
                 GROUP BY season_id, student_id
            ),
            keyed AS (
                SELECT f.season_id, f.is_current, f.was_previous,
                       CASE WHEN coalesce(st.birth_year, 0) = 0 THEN 'unknown'
                            ELSE (SELECT CASE WHEN age < 12 THEN '0-11' WHEN age < 16 THEN '12-15'
                                              WHEN age < 18 THEN '16-17' WHEN age < 26 THEN '18-25'
                                              WHEN age < 65 THEN '26-64' ELSE '65+' END
                                    FROM (SELECT extract(year FROM s.date_start)::integer - st.birth_year AS age) a)
                       END AS age_bracket,
                       nullif(st.zip_area, '') AS zip_area
                  FROM facts f
                  JOIN mph_student st ON st.id = f.student_id
                  JOIN seasons s ON s.id = f.season_id
            )
            SELECT row_number() OVER (ORDER BY season_id, age_bracket, zip_area) AS id,
                   season_id, age_bracket, left(zip_area, 2) AS zip_region,
                   {region_label_sql("left(zip_area, 2)")} AS zip_region_name, zip_area,
                   count(*) FILTER (WHERE is_current)::integer AS student_count,
                   count(*) FILTER (WHERE is_current AND NOT was_previous)::integer AS new_count,
                   count(*) FILTER (WHERE was_previous AND NOT is_current)::integer AS stopped_count,
                   count(*) FILTER (WHERE was_previous)::integer AS previous_count,
                   count(*) FILTER (WHERE is_current AND was_previous)::integer AS retained_count,
                   CASE WHEN count(*) FILTER (WHERE was_previous) > 0
                        THEN 100.0 * count(*) FILTER (WHERE is_current AND was_previous)
                             / count(*) FILTER (WHERE was_previous)
                        ELSE 0 END AS retention_rate,
                   {cell_key} AS cell_draw
              FROM keyed
             GROUP BY season_id, age_bracket, zip_area
        """
