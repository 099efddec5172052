from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    mph_attendance_months = fields.Integer(
        string="Attendance per lesson kept (months)",
        config_parameter="mph_timetable.attendance_retention_months",
        default=12,
        help="Months after the end of a school year before its attendance per lesson is reduced to "
        "counts per enrolment.",
    )
