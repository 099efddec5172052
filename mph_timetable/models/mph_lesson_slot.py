import psycopg2

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, format_duration, mute_logger

from odoo.addons.mph_school.models.mph_enrollment import RUNNING_STATES

from .mph_teacher_availability import WEEKDAYS

# The school's clock: lessons are planned in local time, stored in UTC.
SCHOOL_TZ = "Europe/Amsterdam"
# What changes the time or place of a slot's lessons.
MOVING_FIELDS = frozenset({"teacher_id", "room_id", "weekday", "start_time", "duration", "lesson_type_id"})
# The minutes of the day a slot takes, as PostgreSQL sees them (the exclusion constraints).
SLOT_RANGE = "int4range(round(start_time * 60)::int, round(start_time * 60)::int + duration)"


def _overlap_error(env, error):
    """The Dutch message for an exclusion-constraint violation: which of the
    two (teacher or room) is already booked. Anything else is re-raised."""
    name = getattr(getattr(error, "diag", None), "constraint_name", "") or ""
    if name.endswith("_teacher_free"):
        return ValidationError(env._("The teacher already has a lesson at this time. Choose another time."))
    if name.endswith("_room_free"):
        return ValidationError(env._("The room is already booked at this time. Choose another room or time."))
    raise error


class MphLessonSlot(models.Model):
    """A place in the weekly timetable of a school year: a teacher, a room, a
    weekday and a start time, for one pupil (individual lessons) or a group.
    The dated lessons of the school year are generated from it."""

    _name = "mph.lesson.slot"
    _description = "Timetable Slot"
    _order = "season_id desc, weekday, start_time, teacher_id"

    # ------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------

    season_id = fields.Many2one(
        "mph.season",
        string="School year",
        required=True,
        index=True,
        ondelete="restrict",
        default=lambda self: self.env["mph.season"]._for_date(fields.Date.context_today(self)),
    )
    teacher_id = fields.Many2one("mph.teacher", required=True, index=True, ondelete="restrict")
    room_id = fields.Many2one("mph.room", required=True, index=True, ondelete="restrict")
    lesson_type_id = fields.Many2one("mph.lesson.type", string="Lesson type", required=True, ondelete="restrict")
    kind = fields.Selection(related="lesson_type_id.kind")
    weekday = fields.Selection(WEEKDAYS, required=True)
    start_time = fields.Float(string="Start", required=True, help="Local time of the school.")
    duration = fields.Integer(
        string="Duration (minutes)",
        compute="_compute_duration",
        store=True,
        precompute=True,
        readonly=False,
        required=True,
    )
    end_time = fields.Float(string="End", compute="_compute_end_time")
    active = fields.Boolean(default=True)
    enrollment_ids = fields.One2many("mph.enrollment", "slot_id", string="Enrolments")
    seats = fields.Integer(compute="_compute_seats", help="How many pupils fit in this slot.")
    seats_free = fields.Integer(string="Free places", compute="_compute_seats")
    lesson_ids = fields.One2many("mph.lesson", "slot_id", string="Lessons")
    promised_count = fields.Integer(related="lesson_type_id.promised_count")
    planned_count = fields.Integer(string="Lessons planned", compute="_compute_planned_count")
    shortfall = fields.Integer(
        compute="_compute_planned_count",
        help="How many lessons fewer than promised the calendar of this school year allows.",
    )

    # No teacher and no room twice at the same time, in the database itself:
    # two coordinators saving at the same moment cannot both succeed.
    _sql_constraints = [
        (
            "teacher_free",
            f"EXCLUDE USING gist (season_id WITH =, teacher_id WITH =, weekday WITH =, {SLOT_RANGE} WITH &&) "
            "WHERE (active)",
            "The teacher already has a lesson at this time. Choose another time.",
        ),
        (
            "room_free",
            f"EXCLUDE USING gist (season_id WITH =, room_id WITH =, weekday WITH =, {SLOT_RANGE} WITH &&) "
            "WHERE (active)",
            "The room is already booked at this time. Choose another room or time.",
        ),
        (
            "time_check",
            "CHECK(start_time >= 0 AND duration > 0 AND start_time * 60 + duration <= 24 * 60)",
            "A lesson must start and end within the day and last at least a minute.",
        ),
    ]

    @api.depends("lesson_type_id")
    def _compute_duration(self):
        for slot in self:
            slot.duration = slot.lesson_type_id.duration or slot.duration or 30

    @api.depends("start_time", "duration")
    def _compute_end_time(self):
        for slot in self:
            slot.end_time = slot.start_time + (slot.duration or 0) / 60

    @api.depends("weekday", "start_time", "lesson_type_id", "room_id", "teacher_id")
    def _compute_display_name(self):
        days = dict(self._fields["weekday"]._description_selection(self.env))
        for slot in self:
            slot.display_name = (
                f"{days.get(slot.weekday, '')} {format_duration(slot.start_time)} "
                f"{slot.lesson_type_id.name or ''} ({slot.teacher_id.name or ''}, {slot.room_id.name or ''})"
            )

    @api.depends("lesson_type_id.kind", "lesson_type_id.capacity", "enrollment_ids.state")
    def _compute_seats(self):
        for slot in self:
            # A group's size is the lesson type's capacity (0: no limit).
            seats = 1 if slot.lesson_type_id.kind == "individual" else slot.lesson_type_id.capacity
            running = len(slot.enrollment_ids.filtered(lambda e: e.state in RUNNING_STATES))
            slot.seats = seats
            slot.seats_free = max(seats - running, 0) if seats else 1

    @api.depends("lesson_ids.state", "lesson_ids.kind", "promised_count")
    def _compute_planned_count(self):
        counts = dict(
            self.env["mph.lesson"]._read_group(
                [("slot_id", "in", self.ids), ("kind", "=", "regular")], ["slot_id"], ["__count"]
            )
        )
        for slot in self:
            slot.planned_count = counts.get(slot, 0)
            slot.shortfall = max(slot.promised_count - slot.planned_count, 0) if slot.planned_count else 0

    # ------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------

    @api.constrains("teacher_id", "weekday", "start_time", "duration")
    def _check_teacher_available(self):
        self.teacher_id._mph_check_slots_available()

    @api.constrains("teacher_id", "lesson_type_id")
    def _check_teacher_teaches(self):
        for slot in self:
            types = slot.teacher_id.lesson_type_ids
            if types and slot.lesson_type_id not in types:
                raise ValidationError(
                    self.env._(
                        "%(teacher)s does not teach %(lesson_type)s.",
                        teacher=slot.teacher_id.name,
                        lesson_type=slot.lesson_type_id.name,
                    )
                )

    @api.constrains("enrollment_ids", "lesson_type_id")
    def _check_enrollments(self):
        for slot in self:
            running = slot.enrollment_ids.filtered(lambda e: e.state in RUNNING_STATES)
            if slot.seats and len(running) > slot.seats:
                raise ValidationError(self.env._("The slot %s is full.", slot.display_name))

    # ------------------------------------------------------------
    # CRUD: the database's refusal as a clear message
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        try:
            with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                slots = super().create(vals_list)
                slots.flush_recordset()
        except psycopg2.errors.ExclusionViolation as error:
            # The savepoint undid the change in the database; forget it in the cache too.
            self.env.invalidate_all(flush=False)
            raise _overlap_error(self.env, error) from None
        return slots

    def write(self, vals):
        moving = self.filtered("lesson_ids") if MOVING_FIELDS & set(vals) else self.browse()
        try:
            with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                result = super().write(vals)
                self.flush_recordset()
        except psycopg2.errors.ExclusionViolation as error:
            # The savepoint undid the change in the database; forget it in the cache too.
            self.env.invalidate_all(flush=False)
            raise _overlap_error(self.env, error) from None
        if moving:
            moving._move_future_lessons(fields.Date.context_today(self))
        return result

    # ------------------------------------------------------------
    # Lessons of the school year
    # ------------------------------------------------------------

    def _generate_lessons(self, date_from=None):
        """Insert the dated lessons of these slots from ``date_from`` (default:
        the start of the school year) to the end of the school year, one a
        week, skipping holidays, days already taken by another lesson of the
        teacher or the room, and dates the slot already has a lesson on, up
        to the promised number of the lesson type; and an attendance row per
        running enrolment of the slot. Set-based: one statement (two INSERT
        ... SELECT) for any number of slots. Returns the number of lessons made."""
        if not self:
            return 0
        env = self.env
        env.flush_all()
        # PostgreSQL's JIT would spend seconds compiling this one statement
        # (its cost estimate is high) for nothing: switched off for this transaction.
        env.cr.execute("SET LOCAL jit = off")
        env.cr.execute(
            SQL(
                """
                WITH slot AS MATERIALIZED (
                    SELECT s.id, s.season_id, s.teacher_id, s.room_id, s.lesson_type_id,
                           s.weekday::int AS wd, s.start_time, s.duration, se.date_end,
                           GREATEST(se.date_start, COALESCE(%(date_from)s::date, se.date_start)) AS first_day,
                           lt.promised_count - (
                               SELECT count(*) FROM mph_lesson l WHERE l.slot_id = s.id AND l.kind = 'regular'
                           ) AS remaining
                      FROM mph_lesson_slot s
                      JOIN mph_season se ON se.id = s.season_id
                      JOIN mph_lesson_type lt ON lt.id = s.lesson_type_id
                     WHERE s.id = ANY(%(ids)s) AND s.active
                ), day AS (
                    SELECT slot.*, d::date AS day,
                           ((d + make_interval(mins => round(slot.start_time * 60)::int))
                                AT TIME ZONE %(tz)s) AT TIME ZONE 'UTC' AS start_utc
                      FROM slot,
                           generate_series(
                               (slot.first_day + mod(slot.wd - (extract(isodow FROM slot.first_day)::int - 1) + 7, 7))
                                   ::timestamp,
                               slot.date_end::timestamp, interval '7 days') AS d
                     WHERE slot.remaining > 0
                       AND NOT EXISTS (SELECT 1 FROM mph_school_holiday h
                                        WHERE d::date BETWEEN h.date_start AND h.date_end)
                       AND NOT EXISTS (SELECT 1 FROM mph_lesson l WHERE l.slot_id = slot.id AND l.date = d::date)
                ), free AS (
                    SELECT day.*, row_number() OVER (PARTITION BY day.id ORDER BY day.day) AS n
                      FROM day
                     -- A lesson lies within its day: equality on the date lets PostgreSQL
                     -- answer these with hash anti-joins instead of a probe per row.
                     WHERE NOT EXISTS (
                           SELECT 1 FROM mph_lesson l
                            WHERE l.teacher_id = day.teacher_id AND l.date = day.day AND l.state != 'cancelled'
                              AND l.start < day.start_utc + make_interval(mins => day.duration)
                              AND l.stop > day.start_utc)
                       AND NOT EXISTS (
                           SELECT 1 FROM mph_lesson l
                            WHERE l.room_id = day.room_id AND l.date = day.day AND l.state != 'cancelled'
                              AND l.start < day.start_utc + make_interval(mins => day.duration)
                              AND l.stop > day.start_utc)
                ), lesson AS (
                    INSERT INTO mph_lesson (slot_id, season_id, teacher_id, room_id, lesson_type_id, date,
                                            start_time, duration, start, stop, state, kind,
                                            create_uid, write_uid, create_date, write_date)
                    SELECT id, season_id, teacher_id, room_id, lesson_type_id, day,
                           start_time, duration, start_utc, start_utc + make_interval(mins => duration),
                           'planned', 'regular', %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
                      FROM free
                     WHERE n <= remaining
                     ORDER BY teacher_id, day, start_time
                    RETURNING id, slot_id, date
                ), attendance AS (
                    -- The running enrolments of each new lesson's slot, on the lesson's date.
                    INSERT INTO mph_lesson_attendance (lesson_id, enrollment_id, date,
                                                       create_uid, write_uid, create_date, write_date)
                    SELECT lesson.id, e.id, lesson.date, %(uid)s, %(uid)s,
                           now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
                      FROM lesson
                      JOIN mph_enrollment e ON e.slot_id = lesson.slot_id
                     WHERE e.state IN %(running)s
                       AND (e.date_start IS NULL OR e.date_start <= lesson.date)
                       AND (e.date_end IS NULL OR e.date_end >= lesson.date)
                )
                SELECT count(*) FROM lesson
                """,
                ids=self.ids,
                date_from=date_from,
                tz=SCHOOL_TZ,
                uid=env.uid,
                running=RUNNING_STATES,
            )
        )
        made = env.cr.fetchone()[0]
        env["mph.lesson"].invalidate_model()
        env["mph.lesson.attendance"].invalidate_model()
        self.invalidate_recordset(["lesson_ids", "planned_count", "shortfall"])
        return made

    def _move_future_lessons(self, date_from):
        """After a change of time or place: the lessons from ``date_from`` on
        that nothing was recorded for are made again at the new time and
        place; earlier lessons, cancelled lessons and lessons with attendance
        stay as they were."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                DELETE FROM mph_lesson l
                 WHERE l.slot_id = ANY(%(ids)s) AND l.date >= %(date_from)s AND l.state = 'planned'
                   AND l.kind = 'regular'
                   AND NOT EXISTS (SELECT 1 FROM mph_lesson_attendance a
                                    WHERE a.lesson_id = l.id AND a.state IS NOT NULL)
                """,
                ids=self.ids,
                date_from=date_from,
            )
        )
        self.env["mph.lesson"].invalidate_model()
        self.env["mph.lesson.attendance"].invalidate_model()
        return self._generate_lessons(date_from=date_from)

    def action_generate_lessons(self):
        """Button: make the lessons of the school year and say where the
        calendar cannot deliver the promised number."""
        made = self._generate_lessons()
        short = self.filtered("shortfall")
        if short:
            message = self.env._(
                "%(made)s lessons planned. The calendar cannot deliver the promised number for: %(slots)s",
                made=made,
                slots=", ".join(f"{slot.display_name} ({slot.planned_count}/{slot.promised_count})" for slot in short),
            )
            kind = "warning"
        else:
            message = self.env._("%s lessons planned.", made)
            kind = "success"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"type": kind, "message": message, "sticky": bool(short)},
        }

    def action_view_lessons(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("mph_timetable.mph_lesson_action")
        action["domain"] = [("slot_id", "=", self.id)]
        return action
