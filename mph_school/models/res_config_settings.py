from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    mph_signup_consent_days = fields.Integer(
        string="Days for guardian consent",
        config_parameter="mph_school.signup_consent_days",
        default=30,
        help="A sign-up of a pupil under 16 without the guardian's consent is deleted after this many days.",
    )
    mph_signup_rate_limit = fields.Integer(
        string="Sign-ups per connection",
        config_parameter="mph_school.signup_rate_limit",
        default=5,
        help="How many sign-up forms one IP address may send within the period below; 0 means no limit.",
    )
    mph_signup_rate_window_minutes = fields.Integer(
        string="Period (minutes)",
        config_parameter="mph_school.signup_rate_window_minutes",
        default=60,
    )
