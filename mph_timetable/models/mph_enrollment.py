from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from odoo.addons.mph_school.groups import COORDINATOR
from odoo.addons.mph_school.models.mph_enrollment import RUNNING_STATES


class MphEnrollment(models.Model):
    _inherit = "mph.enrollment"

    slot_id = fields.Many2one(
        "mph.lesson.slot", string="Timetable slot", index=True, ondelete="set null", tracking=True, copy=False
    )
    attendance_ids = fields.One2many("mph.lesson.attendance", "enrollment_id", groups=COORDINATOR)
    makeup_credit_ids = fields.One2many(
        "mph.makeup.credit", "enrollment_id", string="Make-up credits", groups=COORDINATOR
    )
    lessons_promised = fields.Integer(related="lesson_type_id.promised_count", string="Lessons promised")
    lessons_planned = fields.Integer(string="Lessons planned", compute="_compute_lesson_counts", groups=COORDINATOR)
    lessons_delivered = fields.Integer(string="Lessons given", compute="_compute_lesson_counts", groups=COORDINATOR)
    makeup_open = fields.Integer(string="Make-up lessons to plan", compute="_compute_lesson_counts", groups=COORDINATOR)

    @api.depends("attendance_ids.state", "makeup_credit_ids.state")
    def _compute_lesson_counts(self):
        """Per enrolment: lessons planned (not cancelled), given (held, up to
        today) and make-up lessons still to plan. One grouped query each."""
        today = fields.Date.context_today(self)
        Attendance = self.env["mph.lesson.attendance"].sudo()
        planned = dict(
            Attendance._read_group(
                [("enrollment_id", "in", self.ids), ("lesson_id.state", "=", "planned")], ["enrollment_id"], ["__count"]
            )
        )
        given = dict(
            Attendance._read_group(
                [("enrollment_id", "in", self.ids), ("lesson_id.state", "=", "planned"), ("date", "<=", today)],
                ["enrollment_id"],
                ["__count"],
            )
        )
        open_credits = dict(
            self.env["mph.makeup.credit"]
            .sudo()
            ._read_group([("enrollment_id", "in", self.ids), ("state", "=", "open")], ["enrollment_id"], ["__count"])
        )
        for enrollment in self:
            key = enrollment.sudo()
            enrollment.lessons_planned = planned.get(key, 0)
            enrollment.lessons_delivered = given.get(key, 0)
            enrollment.makeup_open = open_credits.get(key, 0)

    @api.constrains("slot_id", "state", "lesson_type_id", "teacher_id")
    def _check_slot(self):
        for enrollment in self.filtered("slot_id"):
            slot = enrollment.slot_id
            if slot.lesson_type_id != enrollment.lesson_type_id or slot.teacher_id != enrollment.teacher_id:
                raise ValidationError(
                    self.env._("The slot %s is for another lesson type or teacher.", slot.display_name)
                )
            running = slot.enrollment_ids.filtered(lambda e: e.state in RUNNING_STATES)
            if slot.seats and len(running) > slot.seats:
                raise ValidationError(self.env._("The slot %s is full.", slot.display_name))

    def write(self, vals):
        result = super().write(vals)
        if ("slot_id" in vals or "state" in vals) and not self.env.context.get("mph_no_sync"):
            self._sync_future_attendance(fields.Date.context_today(self))
        return result

    def _sync_future_attendance(self, date_from):
        """From ``date_from``: a running enrolment is in the lessons of its
        slot, and nothing else that was not yet recorded; set-based."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                DELETE FROM mph_lesson_attendance a
                 USING mph_lesson l, mph_enrollment e
                 WHERE a.lesson_id = l.id AND a.enrollment_id = e.id
                   AND e.id = ANY(%(ids)s) AND a.date >= %(date_from)s AND a.state IS NULL
                   AND l.kind = 'regular'
                   AND (e.state NOT IN %(running)s OR e.slot_id IS DISTINCT FROM l.slot_id)
                """,
                ids=self.ids,
                date_from=date_from,
                running=RUNNING_STATES,
            )
        )
        lessons = self.env["mph.lesson"].search(
            [("slot_id", "in", self.slot_id.ids), ("date", ">=", date_from), ("state", "=", "planned")]
        )
        lessons._add_attendance(self)
        self.env["mph.lesson.attendance"].invalidate_model()

    def action_plan_slot(self):
        """Plan this enrolment into a free slot, or its trial lesson into a free time."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Plan into the timetable"),
            "res_model": "mph.slot.plan.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_enrollment_id": self.id,
                "default_mode": "trial" if self.state == "trial" else "slot",
            },
        }
