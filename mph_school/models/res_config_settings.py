from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .mph_insight_mixin import DEFAULT_MIN_COUNT, MIN_COUNT_PARAM


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    mph_insight_min_count = fields.Integer(
        string="Smallest group shown in reports",
        config_parameter=MIN_COUNT_PARAM,
        default=DEFAULT_MIN_COUNT,
        help="In the aggregated reports of the artistic manager and the director, a group with fewer "
        "pupils than this is shown as '< N' instead of its figures.",
    )

    @api.constrains("mph_insight_min_count")
    def _check_mph_insight_min_count(self):
        for settings in self:
            if settings.mph_insight_min_count < 2:
                raise ValidationError(self.env._("The smallest group shown in reports must be at least 2 pupils."))
