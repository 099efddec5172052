from odoo import fields, models

from odoo.addons.mph_school.models.mph_settings import setting_default


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    mph_attendance_months = fields.Integer(
        string="Attendance per lesson kept (months)",
        config_parameter="mph_timetable.attendance_retention_months",
        default=setting_default("mph_timetable.attendance_retention_months"),
        help="Months after the end of a school year before its attendance per lesson is reduced to "
        "counts per enrolment.",
    )
