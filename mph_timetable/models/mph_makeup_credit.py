from odoo import api, fields, models


class MphMakeupCredit(models.Model):
    """A lesson the school owes a pupil because the school or the teacher
    cancelled it; planned as a make-up lesson into a free time."""

    _name = "mph.makeup.credit"
    _description = "Make-up Credit"
    _order = "state, id"

    enrollment_id = fields.Many2one("mph.enrollment", string="Enrolment", required=True, ondelete="cascade", index=True)
    lesson_id = fields.Many2one("mph.lesson", string="Cancelled lesson", ondelete="set null", index=True)
    teacher_id = fields.Many2one(related="enrollment_id.teacher_id")
    lesson_type_id = fields.Many2one(related="enrollment_id.lesson_type_id")
    makeup_lesson_id = fields.Many2one("mph.lesson", string="Make-up lesson", ondelete="set null", index=True)
    state = fields.Selection(
        [("open", "To plan"), ("planned", "Planned")], compute="_compute_state", store=True, index=True
    )

    @api.depends("makeup_lesson_id.state")
    def _compute_state(self):
        for credit in self:
            credit.state = "planned" if credit.makeup_lesson_id.state == "planned" else "open"

    def action_plan(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Plan make-up lesson"),
            "res_model": "mph.slot.plan.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_enrollment_id": self.enrollment_id.id,
                "default_credit_id": self.id,
                "default_mode": "makeup",
                "default_room_id": self.lesson_id.room_id.id,
                "default_start_time": self.lesson_id.start_time,
            },
        }
