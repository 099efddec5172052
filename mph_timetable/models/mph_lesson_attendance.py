from odoo import api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.mph_school.groups import COORDINATOR

# What happened, as a code. On purpose there is no free-text reason, here or
# anywhere in the timetable: a reason for missing a lesson is often about
# health, which the school does not need and must not keep.
ATTENDANCE_STATES = [
    ("present", "Present"),
    ("excused", "Excused"),
    ("absent", "Absent"),
    ("cancelled", "Cancelled"),
]
ATTENDANCE_HELP = (
    "Present, excused (the pupil called off in time), absent (without calling off) or cancelled "
    "(by the school or the teacher). There is deliberately no field for a reason: reasons are "
    "often about health, and the school does not record them."
)


class MphLessonAttendance(models.Model):
    """Whether a pupil attended a lesson, as a code."""

    _name = "mph.lesson.attendance"
    _description = "Attendance"
    _order = "date, lesson_id, id"

    # Indexed by the unique constraint (lesson_id, enrollment_id).
    lesson_id = fields.Many2one("mph.lesson", required=True, ondelete="cascade")
    enrollment_id = fields.Many2one("mph.enrollment", string="Enrolment", required=True, ondelete="cascade", index=True)
    date = fields.Date(required=True, index=True)
    state = fields.Selection(ATTENDANCE_STATES, string="Attendance", help=ATTENDANCE_HELP)
    student_first_name = fields.Char(string="Pupil", compute="_compute_student_first_name")

    _sql_constraints = [
        ("lesson_enrollment_uniq", "UNIQUE(lesson_id, enrollment_id)", "A pupil is in a lesson only once."),
    ]

    @api.depends("enrollment_id.student_id.name")
    def _compute_student_first_name(self):
        for attendance in self:
            name = attendance.enrollment_id.student_id.name or ""
            attendance.student_first_name = name.split()[0] if name else ""

    @api.depends("lesson_id", "student_first_name")
    def _compute_display_name(self):
        for attendance in self:
            attendance.display_name = f"{attendance.lesson_id.display_name} - {attendance.student_first_name}"

    def write(self, vals):
        # A teacher records attendance and nothing else.
        if set(vals) - {"state"} and not self.env.su and not self.env.user.has_group(COORDINATOR):
            raise AccessError(self.env._("You may only record attendance."))
        return super().write(vals)
