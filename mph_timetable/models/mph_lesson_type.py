from odoo import fields, models


class MphLessonType(models.Model):
    _inherit = "mph.lesson.type"

    promised_count = fields.Integer(
        string="Lessons promised per school year",
        default=36,
        help="How many lessons a pupil gets in a school year. The timetable warns when the "
        "calendar (holidays) cannot deliver this many.",
    )

    _sql_constraints = [
        ("promised_count_positive", "CHECK(promised_count >= 0)", "The number of lessons cannot be negative."),
    ]
