from odoo import fields, models
from odoo.exceptions import UserError


class MphEnrollmentTrialWizard(models.TransientModel):
    """Proefles plannen: the coordinator says when the trial lesson is,
    instead of the trial being set to today."""

    _name = "mph.enrollment.trial.wizard"
    _description = "Plan a trial lesson"

    enrollment_id = fields.Many2one("mph.enrollment", string="Enrolment", required=True, ondelete="cascade")
    date_trial = fields.Date(string="Trial lesson on", required=True)
    trial_time = fields.Float(string="At", required=True)

    def action_confirm(self):
        self.ensure_one()
        enrollment = self.enrollment_id
        if self.date_trial < fields.Date.context_today(self):
            raise UserError(self.env._("The trial lesson cannot be in the past. Choose today or a later date."))
        if not 0 <= self.trial_time < 24:
            raise UserError(self.env._("The time of the trial lesson must be between 00:00 and 23:59."))
        enrollment._check_state(("waiting",), self.env._("Planning a trial lesson"))
        enrollment._check_room()
        enrollment.write({"state": "trial", "date_trial": self.date_trial, "trial_time": self.trial_time})
        return {"type": "ir.actions.act_window_close"}
