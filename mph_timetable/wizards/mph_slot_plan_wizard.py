from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..models.mph_teacher_availability import WEEKDAYS


class MphSlotPlanWizard(models.TransientModel):
    """Plan an enrolment into the timetable: into a free slot, a new slot at
    a free time, or (trial and make-up lessons) a single lesson at a free
    time. The database refuses a teacher or room twice at the same time."""

    _name = "mph.slot.plan.wizard"
    _description = "Plan into the Timetable"

    enrollment_id = fields.Many2one("mph.enrollment", string="Enrolment", required=True, ondelete="cascade")
    credit_id = fields.Many2one("mph.makeup.credit", string="Make-up credit", ondelete="cascade")
    teacher_id = fields.Many2one(related="enrollment_id.teacher_id")
    lesson_type_id = fields.Many2one(related="enrollment_id.lesson_type_id")
    mode = fields.Selection(
        [
            ("slot", "A free slot of the timetable"),
            ("new", "A new slot at a free time"),
            ("trial", "A trial lesson"),
            ("makeup", "A make-up lesson"),
        ],
        required=True,
        default="slot",
    )
    season_id = fields.Many2one(
        "mph.season",
        string="School year",
        default=lambda self: self.env["mph.season"]._for_date(fields.Date.context_today(self)),
    )
    free_slot_ids = fields.Many2many("mph.lesson.slot", compute="_compute_free_slot_ids")
    slot_id = fields.Many2one("mph.lesson.slot", domain="[('id', 'in', free_slot_ids)]")
    weekday = fields.Selection(WEEKDAYS)
    date = fields.Date()
    start_time = fields.Float(string="Start")
    room_id = fields.Many2one("mph.room")

    @api.depends("enrollment_id", "season_id")
    def _compute_free_slot_ids(self):
        Slot = self.env["mph.lesson.slot"]
        for wizard in self:
            slots = Slot.search(
                [
                    ("season_id", "=", wizard.season_id.id),
                    ("teacher_id", "=", wizard.enrollment_id.teacher_id.id),
                    ("lesson_type_id", "=", wizard.enrollment_id.lesson_type_id.id),
                ]
            )
            wizard.free_slot_ids = slots.filtered(lambda s: s.seats_free > 0)

    def action_confirm(self):
        self.ensure_one()
        enrollment = self.enrollment_id
        if not enrollment.teacher_id:
            raise UserError(self.env._("Assign a teacher to %s first.", enrollment.display_name))
        today = fields.Date.context_today(self)
        if self.mode in ("slot", "new"):
            if not self.season_id:
                raise UserError(self.env._("Choose the school year."))
            slot = self.slot_id
            if self.mode == "new":
                if not (self.weekday and self.room_id):
                    raise UserError(self.env._("Choose a weekday, a start time and a room."))
                slot = self.env["mph.lesson.slot"].create(
                    {
                        "season_id": self.season_id.id,
                        "teacher_id": enrollment.teacher_id.id,
                        "lesson_type_id": enrollment.lesson_type_id.id,
                        "room_id": self.room_id.id,
                        "weekday": self.weekday,
                        "start_time": self.start_time,
                    }
                )
            if not slot:
                raise UserError(self.env._("Choose a free slot."))
            enrollment.slot_id = slot
            slot._generate_lessons(date_from=max(today, self.season_id.date_start))
            return {"type": "ir.actions.act_window_close"}
        if not (self.date and self.room_id):
            raise UserError(self.env._("Choose a date, a start time and a room."))
        season = self.env["mph.season"]._for_date(self.date)
        if not season:
            raise UserError(self.env._("There is no school year on %s.", self.date))
        lesson = self.env["mph.lesson"].create(
            {
                "season_id": season.id,
                "teacher_id": enrollment.teacher_id.id,
                "room_id": self.room_id.id,
                "lesson_type_id": enrollment.lesson_type_id.id,
                "date": self.date,
                "start_time": self.start_time,
                "duration": enrollment.lesson_type_id.duration or 30,
                "kind": self.mode,
                "attendance_ids": [Command.create({"enrollment_id": enrollment.id, "date": self.date})],
            }
        )
        if self.mode == "trial":
            enrollment.date_trial = self.date
        elif self.credit_id:
            self.credit_id.makeup_lesson_id = lesson
        return {"type": "ir.actions.act_window_close"}
