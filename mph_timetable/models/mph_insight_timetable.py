from odoo import fields, models

from odoo.addons.mph_school.models.mph_insight_mixin import insight_count

from .mph_teacher_availability import WEEKDAYS


class MphInsightTimetable(models.Model):
    """The weekly timetable in figures, for the artistic manager: minutes booked
    per room, lesson type and weekday, and the pupils in them. A cell is a
    school year, weekday, room and lesson type; the insight guard rounds the
    pupils per cell and leaves the hours of small cells out, so that no
    pupil can be recovered (an individual lesson's hours count its pupils)."""

    _name = "mph.insight.timetable"
    _inherit = ["mph.insight.mixin"]
    _description = "Timetable: room occupancy and teaching hours"
    _auto = False
    _order = "season_id desc, weekday, room_id, lesson_type_id"
    _rec_name = "lesson_type_id"
    _insight_dimensions = ("season_id", "weekday", "room_id", "lesson_type_id")
    _insight_counts = ("pupil_count",)
    _insight_guarded = {"teaching_minutes": "pupil_count"}
    _insight_sparse = True

    season_id = fields.Many2one("mph.season", string="School year", readonly=True)
    weekday = fields.Selection(WEEKDAYS, readonly=True)
    room_id = fields.Many2one("mph.room", readonly=True)
    lesson_type_id = fields.Many2one("mph.lesson.type", string="Lesson type", readonly=True)
    pupil_count = insight_count("Pupils")
    # Minutes, not hours: the insight guard publishes whole numbers.
    teaching_minutes = insight_count(
        "Minutes booked a week",
        help="Minutes a week the room is booked for lessons (cells with few pupils are left out).",
    )

    def _insight_query(self):
        cell_key = self._insight_cell_key(
            "s.season_id::text || '|' || s.weekday || '|' || s.room_id::text || '|' || s.lesson_type_id::text"
        )
        return f"""
            SELECT min(s.id) AS id, s.season_id, s.weekday, s.room_id, s.lesson_type_id,
                   coalesce(sum(e.pupils), 0)::integer AS pupil_count,
                   sum(s.duration)::integer AS teaching_minutes,
                   {cell_key} AS cell_draw
              FROM mph_lesson_slot s
              LEFT JOIN (
                    SELECT slot_id, count(*) AS pupils
                      FROM mph_enrollment
                     WHERE state IN ('trial', 'active') AND slot_id IS NOT NULL
                     GROUP BY slot_id
                   ) e ON e.slot_id = s.id
             WHERE s.active
             GROUP BY s.season_id, s.weekday, s.room_id, s.lesson_type_id
        """
