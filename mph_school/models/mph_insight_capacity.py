from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import SQL

from .mph_insight_mixin import insight_count
from .mph_lesson_type import ENSEMBLE_TYPES, KINDS


class MphInsightCapacity(models.Model):
    """Places and teachers per lesson type against the demand of today: pupils
    in trial or regular lessons and on the waiting list. Always current (a
    plain view over the enrolments)."""

    _name = "mph.insight.capacity"
    _inherit = ["mph.insight.mixin"]
    _description = "Capacity and demand per lesson type"
    _auto = False
    _order = "lesson_type_id"
    _rec_name = "lesson_type_id"
    _insight_dimensions = ("lesson_type_id", "kind", "ensemble_type")
    _insight_counts = ("seats_taken", "waiting_count", "demand_count")
    _insight_open_measures = ("capacity", "teacher_count")
    _insight_derived = {"demand_count": ("seats_taken", "waiting_count")}
    _insight_remaining = {"free_places": ("capacity", "seats_taken")}

    lesson_type_id = fields.Many2one("mph.lesson.type", string="Lesson type", readonly=True)
    kind = fields.Selection(KINDS, readonly=True)
    ensemble_type = fields.Selection(ENSEMBLE_TYPES, string="Ensemble", readonly=True)
    capacity = insight_count("Places", help="Places of the lesson type; 0 means no limit.")
    free_places = insight_count(
        "Free places",
        help="Places not taken by pupils in trial or regular lessons, of the lesson types with a limit.",
    )
    teacher_count = insight_count("Teachers", help="Each teacher once, whatever they teach.")
    seats_taken = insight_count("In lessons")
    waiting_count = insight_count("Waiting")
    demand_count = insight_count("Demand", help="In lessons plus waiting.")

    def _insight_query(self):
        cell_key = self._insight_cell_key("lt.id")
        return f"""
            SELECT lt.id AS id, lt.id AS lesson_type_id, lt.kind, lt.ensemble_type,
                   coalesce(lt.capacity, 0) AS capacity,
                   coalesce(t.teacher_count, 0)::integer AS teacher_count,
                   coalesce(e.seats, 0)::integer AS seats_taken,
                   coalesce(e.waiting, 0)::integer AS waiting_count,
                   (coalesce(e.seats, 0) + coalesce(e.waiting, 0))::integer AS demand_count,
                   CASE WHEN coalesce(lt.capacity, 0) > 0
                        THEN GREATEST(lt.capacity - coalesce(e.seats, 0), 0) ELSE 0 END::integer AS free_places,
                   {cell_key} AS cell_draw
              FROM mph_lesson_type lt
              LEFT JOIN (
                    SELECT rel.mph_lesson_type_id AS lesson_type_id, count(*) AS teacher_count
                      FROM mph_lesson_type_mph_teacher_rel rel
                      JOIN mph_teacher t ON t.id = rel.mph_teacher_id AND t.active
                     GROUP BY rel.mph_lesson_type_id
                   ) t ON t.lesson_type_id = lt.id
              LEFT JOIN (
                    SELECT lesson_type_id,
                           count(*) FILTER (WHERE state IN ('trial', 'active')) AS seats,
                           count(*) FILTER (WHERE state = 'waiting') AS waiting
                      FROM mph_enrollment
                     WHERE state IN ('waiting', 'trial', 'active')
                     GROUP BY lesson_type_id
                   ) e ON e.lesson_type_id = lt.id
             WHERE lt.active
        """

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        """A teacher of several lesson types is one teacher: the count of a
        group is of distinct teachers, not the sum of its lesson types."""
        rows = super()._read_group(domain, groupby, aggregates, having, offset, limit, order)
        if "teacher_count:sum" not in aggregates:
            return rows
        index = len(groupby) + list(aggregates).index("teacher_count:sum")
        result = []
        for row in rows:
            leaves = []
            for spec, value in zip(groupby, row, strict=False):
                leaves.append((spec.split(":")[0], "=", value.id if isinstance(value, models.BaseModel) else value))
            row = list(row)
            row[index] = self._insight_distinct_teachers(expression.AND([domain or [], leaves]))
            result.append(tuple(row))
        return result

    @api.model
    def _insight_distinct_teachers(self, domain):
        # The same guards as any question; teachers are staff, not pupils.
        query = self._search(domain)
        lesson_types = query.subselect(SQL("%s.lesson_type_id", SQL.identifier(self._table)))
        [(count,)] = self.env.execute_query(
            SQL(
                """SELECT count(DISTINCT rel.mph_teacher_id)
                     FROM mph_lesson_type_mph_teacher_rel rel
                     JOIN mph_teacher t ON t.id = rel.mph_teacher_id AND t.active
                    WHERE rel.mph_lesson_type_id IN %s""",
                lesson_types,
            )
        )
        return count
