from odoo import api, fields, models
from odoo.exceptions import ValidationError


class MphSchoolHoliday(models.Model):
    """A school holiday or a day without lessons (public holiday) in a school
    year. No lessons are generated on these days."""

    _name = "mph.school.holiday"
    _description = "School Holiday"
    _order = "date_start"

    name = fields.Char(required=True, translate=True)
    season_id = fields.Many2one("mph.season", string="School year", required=True, ondelete="cascade", index=True)
    date_start = fields.Date(string="First day", required=True)
    date_end = fields.Date(string="Last day", required=True)

    _sql_constraints = [
        ("dates_check", "CHECK(date_end >= date_start)", "A holiday cannot end before it starts."),
    ]

    @api.constrains("date_start", "season_id")
    def _check_in_season(self):
        for holiday in self:
            season = holiday.season_id
            if not season.date_start <= holiday.date_start <= season.date_end:
                raise ValidationError(
                    self.env._(
                        "The holiday %(holiday)s does not start in school year %(season)s.",
                        holiday=holiday.name,
                        season=season.name,
                    )
                )
