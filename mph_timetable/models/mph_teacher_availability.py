from odoo import api, fields, models

WEEKDAYS = [
    ("0", "Monday"),
    ("1", "Tuesday"),
    ("2", "Wednesday"),
    ("3", "Thursday"),
    ("4", "Friday"),
    ("5", "Saturday"),
    ("6", "Sunday"),
]


class MphTeacherAvailability(models.Model):
    """When a teacher can teach: a time window on a weekday. A teacher without
    any window can be planned at any time."""

    _name = "mph.teacher.availability"
    _description = "Teacher Availability"
    _order = "teacher_id, weekday, hour_from"

    teacher_id = fields.Many2one("mph.teacher", required=True, ondelete="cascade", index=True)
    weekday = fields.Selection(WEEKDAYS, required=True)
    hour_from = fields.Float(string="From", required=True)
    hour_to = fields.Float(string="Until", required=True)

    _sql_constraints = [
        (
            "hours_check",
            "CHECK(hour_from >= 0 AND hour_to <= 24 AND hour_to > hour_from)",
            "An availability must end after it starts, within the day.",
        ),
    ]

    @api.constrains("teacher_id", "weekday", "hour_from", "hour_to")
    def _check_slots_fit(self):
        # Narrowing a window must not leave planned slots outside it.
        self.teacher_id._mph_check_slots_available()
