from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .mph_insight_disclosure import MIN_COUNT_PARAM
from .mph_settings import setting_default
from .mph_student import COORDINATOR, RESPONSIBLE_PARAM


def setting(param, string, **kwargs):
    """A whole-number setting kept in the system parameter ``param``, with
    its default declared in mph.settings."""
    return fields.Integer(string=string, config_parameter=param, default=setting_default(param), **kwargs)


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    mph_signup_consent_days = setting(
        "mph_school.signup_consent_days",
        "Days for guardian consent",
        help="A sign-up of a pupil under 16 without the guardian's consent is deleted after this many days.",
    )
    mph_signup_rate_limit = setting(
        "mph_school.signup_rate_limit",
        "Sign-ups per connection",
        help="How many sign-up forms one IP address may send within the period below; 0 means no limit.",
    )
    mph_signup_rate_window_minutes = setting("mph_school.signup_rate_window_minutes", "Period (minutes)")

    mph_responsible_user_id = fields.Many2one(
        "res.users",
        string="Responsible for sign-ups",
        config_parameter=RESPONSIBLE_PARAM,
        domain=lambda self: [("share", "=", False), ("groups_id", "in", self.env.ref(COORDINATOR).ids)],
        help="The coordinator who gets the to-dos of website sign-ups, consents and correction requests. "
        "Empty: the first lesson coordinator other than the administrator.",
    )

    mph_insight_min_count = setting(
        MIN_COUNT_PARAM,
        "Smallest group shown in reports",
        help="In the aggregated reports of the artistic manager and the director, a group with fewer "
        "pupils than this is shown as '< N' instead of its figures.",
    )

    @api.constrains("mph_insight_min_count")
    def _check_mph_insight_min_count(self):
        for settings in self:
            if settings.mph_insight_min_count < 2:
                raise ValidationError(self.env._("The smallest group shown in reports must be at least 2 pupils."))

    # Retention periods of the privacy policy; read by mph.retention.
    mph_archive_months = setting(
        "mph_school.retention_archive_months",
        "Passive archive after (months)",
        help="Months after a pupil's lessons ended before the record moves to the passive archive.",
    )
    mph_retention_years = setting(
        "mph_school.retention_years",
        "Statutory retention (years)",
        help="Years after the end of the calendar year of the last enrolment before a pupil's data is "
        "destroyed (AWR art. 52: seven years).",
    )
    mph_retention_batch_size = setting(
        "mph_school.retention_batch_size",
        "Retention batch size",
        help="Pupils processed per batch (and per commit) by the daily retention job.",
    )

    mph_read_log_days = setting(
        "mph_school.read_log_days",
        "Keep the read log (days)",
        help="Rows of the log of who read which pupil are purged after this many days.",
    )

    @api.constrains("mph_archive_months", "mph_retention_years", "mph_retention_batch_size", "mph_read_log_days")
    def _check_mph_retention(self):
        for settings in self:
            values = (
                settings.mph_archive_months,
                settings.mph_retention_years,
                settings.mph_retention_batch_size,
                settings.mph_read_log_days,
            )
            if min(values) < 1:
                raise ValidationError(
                    self.env._(
                        "The archive period, the statutory retention, the batch size and the read-log period "
                        "must be at least 1."
                    )
                )
