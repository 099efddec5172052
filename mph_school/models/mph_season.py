from datetime import date

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class MphSeason(models.Model):
    """A school year (e.g. 2026-2027): the unit of yearly contributions and of
    the aggregated reports."""

    _name = "mph.season"
    _description = "School Year"
    _order = "date_start desc"

    name = fields.Char(required=True, help="For example 2026-2027.")
    date_start = fields.Date(string="Start", required=True)
    date_end = fields.Date(string="End", required=True)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("name_uniq", "UNIQUE(name)", "A school year with this name already exists."),
        ("dates_check", "CHECK(date_end > date_start)", "A school year must end after it starts."),
    ]

    @api.constrains("date_start", "date_end")
    def _check_overlap(self):
        for season in self:
            overlap = self.with_context(active_test=False).search_count(
                [
                    ("id", "!=", season.id),
                    ("date_start", "<=", season.date_end),
                    ("date_end", ">=", season.date_start),
                ],
                limit=1,
            )
            if overlap:
                raise ValidationError(self.env._("The school year %s overlaps another school year.", season.name))

    @api.model
    def _for_date(self, day):
        """The school year that contains ``day`` (empty when none does)."""
        return self.with_context(active_test=False).search(
            [("date_start", "<=", day), ("date_end", ">=", day)], limit=1
        )

    @api.model
    def _ensure_seasons(self, years_back=10, years_ahead=2):
        """Create the school years (1 August to 31 July) from ``years_back``
        before today to ``years_ahead`` after it, where missing."""
        today = fields.Date.context_today(self)
        first = today.year - (1 if today.month < 8 else 0)
        existing = set(self.with_context(active_test=False).search([]).mapped("name"))
        vals_list = [
            {
                "name": f"{year}-{year + 1}",
                "date_start": date(year, 8, 1),
                "date_end": date(year + 1, 7, 31),
            }
            for year in range(first - years_back, first + years_ahead + 1)
            if f"{year}-{year + 1}" not in existing
        ]
        return self.create(vals_list)
