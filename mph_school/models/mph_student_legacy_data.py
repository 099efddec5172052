from odoo import api, models


class MphStudentLegacyData(models.AbstractModel):
    """LEGACY: the names the ``noupdate`` data of databases installed before
    the sign-up and consent flows moved out of ``mph.student`` still call: the
    cron codes (``model._cron_purge_unconsented_signups()``,
    ``model._cron_consent_handover()``) and the mail template bodies
    (``object._mph_signup_lines()``, ``object._mph_consent_url()``, ...). An
    upgrade does not rewrite ``noupdate`` records, so these delegate to the
    flows. Inherited by ``mph.student``. Delete this file (and its name in
    ``mph.student._inherit``) with the migration that rewrites those records."""

    _name = "mph.student.legacy.data"
    _description = "Pupil: names called by data of older installations"

    @api.model
    def _cron_purge_unconsented_signups(self):
        return self.env["mph.signup"]._cron_purge_unconsented_signups()

    def _mph_signup_lines(self):
        return self.env["mph.signup"]._mph_signup_lines(self)

    @api.model
    def _mph_consent_days(self):
        return self.env["mph.consent"]._mph_consent_days()

    def _mph_consent_url(self):
        return self.env["mph.consent"]._mph_consent_url(self)

    @api.model
    def _cron_consent_handover(self):
        return self.env["mph.consent"]._cron_consent_handover()

    @api.model
    def _mph_own_consent_days(self):
        return self.env["mph.consent"]._mph_own_consent_days()

    def _mph_own_consent_url(self):
        return self.env["mph.consent"]._mph_own_consent_url(self)
