from datetime import datetime, timedelta

import psycopg2
import pytz

from odoo import api, fields, models
from odoo.tools import SQL, format_duration, mute_logger

from odoo.addons.mph_school.models.mph_enrollment import RUNNING_STATES

from .mph_lesson_slot import SCHOOL_TZ, _overlap_error

LESSON_RANGE = "tsrange(start, stop)"


class MphLesson(models.Model):
    """A dated lesson: generated from a timetable slot, or a single trial or
    make-up lesson. Who attends is in its attendance rows."""

    _name = "mph.lesson"
    _description = "Lesson"
    _order = "start, id"

    # Few indexes: a school year inserts tens of thousands of lessons at once.
    # Teacher and room are searched through the exclusion constraints' GiST
    # indexes, which lead with them.
    slot_id = fields.Many2one("mph.lesson.slot", string="Timetable slot", index=True, ondelete="set null")
    season_id = fields.Many2one("mph.season", string="School year", required=True, ondelete="restrict")
    teacher_id = fields.Many2one("mph.teacher", required=True, ondelete="restrict")
    room_id = fields.Many2one("mph.room", required=True, ondelete="restrict")
    lesson_type_id = fields.Many2one("mph.lesson.type", string="Lesson type", required=True, ondelete="restrict")
    date = fields.Date(required=True, index=True)
    start_time = fields.Float(string="Start time", required=True, help="Local time of the school.")
    duration = fields.Integer(string="Duration (minutes)", required=True)
    start = fields.Datetime(required=True)
    stop = fields.Datetime(string="End", required=True)
    state = fields.Selection([("planned", "Planned"), ("cancelled", "Cancelled")], required=True, default="planned")
    kind = fields.Selection(
        [("regular", "Regular"), ("trial", "Trial lesson"), ("makeup", "Make-up lesson")],
        required=True,
        default="regular",
    )
    absence_id = fields.Many2one("mph.teacher.absence", string="Cancelled by absence", ondelete="set null")
    attendance_ids = fields.One2many("mph.lesson.attendance", "lesson_id")

    # Also for single lessons (trial, make-up) planned outside the timetable:
    # never a teacher or a room twice at the same time.
    _sql_constraints = [
        (
            "teacher_free",
            f"EXCLUDE USING gist (teacher_id WITH =, {LESSON_RANGE} WITH &&) WHERE (state != 'cancelled')",
            "The teacher already has a lesson at this time. Choose another time.",
        ),
        (
            "room_free",
            f"EXCLUDE USING gist (room_id WITH =, {LESSON_RANGE} WITH &&) WHERE (state != 'cancelled')",
            "The room is already booked at this time. Choose another room or time.",
        ),
        ("stop_check", "CHECK(stop > start)", "A lesson must end after it starts."),
    ]

    @api.depends("lesson_type_id", "date", "start_time")
    def _compute_display_name(self):
        for lesson in self:
            lesson.display_name = (
                f"{lesson.lesson_type_id.name or ''} {lesson.date or ''} {format_duration(lesson.start_time)}"
            )

    @api.model
    def _utc_times(self, day, start_time, duration):
        """(start, stop) in UTC, naive, of a lesson on ``day`` at local ``start_time``."""
        local = pytz.timezone(SCHOOL_TZ).localize(datetime.combine(day, datetime.min.time()))
        local += timedelta(minutes=round(start_time * 60))
        start = local.astimezone(pytz.utc).replace(tzinfo=None)
        return start, start + timedelta(minutes=duration)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if "start" not in vals and vals.get("date") and "start_time" in vals and vals.get("duration"):
                vals["start"], vals["stop"] = self._utc_times(
                    fields.Date.to_date(vals["date"]), vals["start_time"], vals["duration"]
                )
        try:
            with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                lessons = super().create(vals_list)
                lessons.flush_recordset()
        except psycopg2.errors.ExclusionViolation as error:
            # The savepoint undid the change in the database; forget it in the cache too.
            self.env.invalidate_all(flush=False)
            raise _overlap_error(self.env, error) from None
        return lessons

    def _add_attendance(self, enrollments=None):
        """An attendance row (nothing recorded yet) for each running
        enrolment of each lesson's slot that runs on the lesson's date, or
        for ``enrollments`` only. One INSERT ... SELECT."""
        if not self:
            return
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO mph_lesson_attendance (lesson_id, enrollment_id, date,
                                                   create_uid, write_uid, create_date, write_date)
                SELECT l.id, e.id, l.date, %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
                  FROM mph_lesson l
                  JOIN mph_enrollment e ON e.slot_id = l.slot_id
                 WHERE l.id = ANY(%(ids)s)
                   AND e.state IN %(running)s
                   AND (e.date_start IS NULL OR e.date_start <= l.date)
                   AND (e.date_end IS NULL OR e.date_end >= l.date)
                   AND (%(enrollments)s IS NULL OR e.id = ANY(%(enrollments)s))
                   AND NOT EXISTS (SELECT 1 FROM mph_lesson_attendance a
                                    WHERE a.lesson_id = l.id AND a.enrollment_id = e.id)
                """,
                ids=self.ids,
                uid=self.env.uid,
                running=RUNNING_STATES,
                enrollments=enrollments.ids if enrollments is not None else None,
            )
        )
        self.env["mph.lesson.attendance"].invalidate_model()
        self.invalidate_recordset(["attendance_ids"])

    def _cancel(self, absence=None):
        """Cancel these lessons: each pupil's attendance becomes 'cancelled'
        and gives a make-up credit. Returns the attendance rows cancelled."""
        lessons = self.filtered(lambda lesson: lesson.state == "planned")
        lessons.write({"state": "cancelled", "absence_id": absence and absence.id})
        attendances = lessons.attendance_ids
        attendances.write({"state": "cancelled"})
        self.env["mph.makeup.credit"].create(
            [{"enrollment_id": a.enrollment_id.id, "lesson_id": a.lesson_id.id} for a in attendances]
        )
        return attendances
