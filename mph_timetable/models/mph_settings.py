from odoo import api, models

from odoo.addons.mph_school.models.mph_settings import Setting


class MphSettings(models.AbstractModel):
    _inherit = "mph.settings"

    @api.model
    def _mph_settings(self):
        return {
            **super()._mph_settings(),
            # Months after a school year before its attendance per lesson is
            # reduced to counts per enrolment (0: at the end of the year)
            "mph_timetable.attendance_retention_months": Setting(int, 12, 0),
        }
