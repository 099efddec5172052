"""The school's settings (``ir.config_parameter``), read one typed way.

Each setting is declared once, in ``_mph_settings``: its type, its default
and, for a number, the lowest value that makes sense. Other addons declare
theirs by extending that method. Code reads a setting with
``self.env["mph.settings"]._get(key)``; a field of the Settings page takes its
default from here too (``setting_default``). A missing, unreadable or too low
stored value reads as the default, so a typo in Technical > Parameters never
stops a scheduled job."""

import logging
from typing import NamedTuple

from odoo import api, models

_logger = logging.getLogger(__name__)


class Setting(NamedTuple):
    """A setting's type (``int`` or ``str``), default and lowest valid value
    (numbers only)."""

    type: type
    default: object
    minimum: int | None = None


def setting_default(key):
    """A field ``default`` that is the declared default of ``key``."""
    return lambda self: self.env["mph.settings"]._default(key)


class MphSettings(models.AbstractModel):
    _name = "mph.settings"
    _description = "Music school settings"

    @api.model
    def _mph_settings(self):
        """Every setting of the music school, by its parameter key."""
        return {
            # Website sign-up
            "mph_school.signup_consent_days": Setting(int, 30, 1),
            "mph_school.signup_rate_limit": Setting(int, 5, 0),  # 0: no limit
            "mph_school.signup_rate_window_minutes": Setting(int, 60, 1),
            "mph_school.responsible_user_id": Setting(int, 0, 0),  # 0: the first coordinator
            # Consent hand-over at 16
            "mph_school.own_consent_days": Setting(int, 30, 1),
            # Privacy requests: days before the deadline that a to-do warns
            "mph_school.privacy_request_warning_days": Setting(int, 7, 0),
            # Aggregated reports: the smallest group shown (the reports never
            # go below 3, the floor their rounding needs)
            "mph_school.insight_min_count": Setting(int, 5),
            # Retention (privacy policy, "Bewaartermijnen")
            "mph_school.retention_archive_months": Setting(int, 24, 1),
            "mph_school.retention_years": Setting(int, 7, 1),
            "mph_school.retention_batch_size": Setting(int, 200, 1),
            "mph_school.read_log_days": Setting(int, 365, 1),
        }

    @api.model
    def _spec(self, key):
        spec = self._mph_settings().get(key)
        if spec is None:
            raise KeyError(f"{key} is not a declared music school setting")
        return spec

    @api.model
    def _default(self, key):
        return self._spec(key).default

    @api.model
    def _get(self, key):
        """The setting's value as its type; the default when it is missing,
        unreadable or below the lowest valid value."""
        spec = self._spec(key)
        raw = self.env["ir.config_parameter"].sudo().get_param(key)
        if raw in (None, False, ""):
            return spec.default
        if spec.type is str:
            return raw
        try:
            value = spec.type(raw)
        except (TypeError, ValueError):
            _logger.warning("Setting %s has an unreadable value; using its default", key)
            return spec.default
        if spec.minimum is not None and value < spec.minimum:
            return spec.default
        return value

    @api.model
    def _set(self, key, value):
        self._spec(key)
        self.env["ir.config_parameter"].sudo().set_param(key, value)
