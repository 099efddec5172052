from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

ABSENCE_HELP = (
    "Only the dates: the school does not record why a teacher is away (often health), and the "
    "pupils are told only that the lesson does not take place."
)


class MphTeacherAbsence(models.Model):
    """A teacher is away from one date to another: the lessons in it are
    cancelled, the pupils (the guardian of a minor) are told that the lesson
    does not take place, and each gets a make-up credit. On purpose without a
    reason field (see ABSENCE_HELP)."""

    _name = "mph.teacher.absence"
    _description = "Teacher Absence"
    _order = "date_from desc, id desc"

    teacher_id = fields.Many2one("mph.teacher", required=True, index=True, ondelete="restrict", help=ABSENCE_HELP)
    date_from = fields.Date(string="From", required=True)
    date_to = fields.Date(string="Until", required=True)
    state = fields.Selection([("draft", "Draft"), ("confirmed", "Confirmed")], default="draft", required=True)
    lesson_ids = fields.One2many("mph.lesson", "absence_id", string="Cancelled lessons")
    lesson_count = fields.Integer(string="Lessons cancelled", compute="_compute_lesson_count")

    _sql_constraints = [
        ("dates_check", "CHECK(date_to >= date_from)", "An absence cannot end before it starts."),
    ]

    @api.depends("lesson_ids")
    def _compute_lesson_count(self):
        for absence in self:
            absence.lesson_count = len(absence.lesson_ids)

    @api.depends("teacher_id", "date_from", "date_to")
    def _compute_display_name(self):
        for absence in self:
            absence.display_name = (
                f"{absence.teacher_id.name or ''} {absence.date_from or ''} - {absence.date_to or ''}"
            )

    def write(self, vals):
        if self.filtered(lambda a: a.state == "confirmed") and {"teacher_id", "date_from", "date_to"} & set(vals):
            raise UserError(self.env._("A confirmed absence cannot be changed; record a new one."))
        return super().write(vals)

    def action_confirm(self):
        """Cancel the teacher's lessons in the period, give each pupil a
        make-up credit and queue one mail per pupil and lesson that says only
        that the lesson does not take place."""
        template = self.env.ref("mph_timetable.mail_template_lesson_cancelled")
        for absence in self:
            if absence.state != "draft":
                raise ValidationError(self.env._("This absence has already been confirmed."))
            lessons = self.env["mph.lesson"].search(
                [
                    ("teacher_id", "=", absence.teacher_id.id),
                    ("date", ">=", absence.date_from),
                    ("date", "<=", absence.date_to),
                    ("state", "=", "planned"),
                ]
            )
            attendances = lessons._cancel(absence)
            absence.state = "confirmed"
            for attendance in attendances:
                template.send_mail(attendance.id, force_send=False)
        return True
