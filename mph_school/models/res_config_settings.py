from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .mph_insight_mixin import MIN_COUNT_PARAM
from .mph_settings import setting_default
from .mph_student import COORDINATOR, RESPONSIBLE_PARAM


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    mph_signup_consent_days = fields.Integer(
        string="Days for guardian consent",
        config_parameter="mph_school.signup_consent_days",
        default=setting_default("mph_school.signup_consent_days"),
        help="A sign-up of a pupil under 16 without the guardian's consent is deleted after this many days.",
    )
    mph_signup_rate_limit = fields.Integer(
        string="Sign-ups per connection",
        config_parameter="mph_school.signup_rate_limit",
        default=setting_default("mph_school.signup_rate_limit"),
        help="How many sign-up forms one IP address may send within the period below; 0 means no limit.",
    )
    mph_signup_rate_window_minutes = fields.Integer(
        string="Period (minutes)",
        config_parameter="mph_school.signup_rate_window_minutes",
        default=setting_default("mph_school.signup_rate_window_minutes"),
    )

    mph_responsible_user_id = fields.Many2one(
        "res.users",
        string="Responsible for sign-ups",
        config_parameter=RESPONSIBLE_PARAM,
        domain=lambda self: [("share", "=", False), ("groups_id", "in", self.env.ref(COORDINATOR).ids)],
        help="The coordinator who gets the to-dos of website sign-ups, consents and correction requests. "
        "Empty: the first lesson coordinator other than the administrator.",
    )

    mph_insight_min_count = fields.Integer(
        string="Smallest group shown in reports",
        config_parameter=MIN_COUNT_PARAM,
        default=setting_default(MIN_COUNT_PARAM),
        help="In the aggregated reports of the artistic manager and the director, a group with fewer "
        "pupils than this is shown as '< N' instead of its figures.",
    )

    @api.constrains("mph_insight_min_count")
    def _check_mph_insight_min_count(self):
        for settings in self:
            if settings.mph_insight_min_count < 2:
                raise ValidationError(self.env._("The smallest group shown in reports must be at least 2 pupils."))

    # Retention periods of the privacy policy; read by mph.retention.
    mph_archive_months = fields.Integer(
        string="Passive archive after (months)",
        config_parameter="mph_school.retention_archive_months",
        default=setting_default("mph_school.retention_archive_months"),
        help="Months after a pupil's lessons ended before the record moves to the passive archive.",
    )
    mph_retention_years = fields.Integer(
        string="Statutory retention (years)",
        config_parameter="mph_school.retention_years",
        default=setting_default("mph_school.retention_years"),
        help="Years after the end of the calendar year of the last enrolment before a pupil's data is "
        "destroyed (AWR art. 52: seven years).",
    )
    mph_retention_batch_size = fields.Integer(
        string="Retention batch size",
        config_parameter="mph_school.retention_batch_size",
        default=setting_default("mph_school.retention_batch_size"),
        help="Pupils processed per batch (and per commit) by the daily retention job.",
    )

    mph_read_log_days = fields.Integer(
        string="Keep the read log (days)",
        config_parameter="mph_school.read_log_days",
        default=setting_default("mph_school.read_log_days"),
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
