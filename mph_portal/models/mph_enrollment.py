from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import plaintext2html

from odoo.addons.mph_school.models.mph_enrollment import OPEN_STATES, RUNNING_STATES


class MphEnrollment(models.Model):
    _inherit = "mph.enrollment"

    # The teacher's name for Mijn MPH (the teacher's record is not the
    # family's to read).
    mph_teacher_name = fields.Char(related="teacher_id.name", string="Teacher name")

    def _mph_may_cancel(self):
        """The pupil of 16 or older, or the guardian who pays (a minor's
        primary guardian) or who may see the pupil, cancels the lessons."""
        self.ensure_one()
        partner = self.env.user.partner_id
        student = self.student_id.sudo()
        if student.partner_id == partner:
            return not student.is_under_guardian_age
        if student.guardian_id == partner and student.is_minor:
            return True
        return partner in student.guardian_ids and student.is_under_guardian_age

    def _mph_portal_cancel(self, date_end):
        """Cancel (opzeggen) per ``date_end`` from Mijn MPH: a waiting or trial
        enrolment is cancelled at once; running lessons get that end date and
        stop on it (the daily job), which starts the archive clock. The
        enrolment is checked as the user; the change is the school's
        agreement, written as the system and noted for the coordinator."""
        self.ensure_one()
        self.check_access("read")
        if not self._mph_may_cancel():
            raise AccessError(self.env._("You cannot cancel these lessons."))
        today = fields.Date.context_today(self)
        date_end = fields.Date.to_date(date_end) if date_end else None
        if not date_end or date_end < today:
            raise UserError(self.env._("Choose an end date from today on."))
        enrollment = self.sudo()
        if enrollment.state not in OPEN_STATES:
            raise UserError(self.env._("These lessons have already ended."))
        if enrollment.state in ("waiting", "trial") and date_end == today or enrollment.state == "waiting":
            enrollment.action_cancel()
        else:
            if enrollment.date_start and date_end < enrollment.date_start:
                date_end = enrollment.date_start
            enrollment.date_end = date_end
            if date_end <= today:
                enrollment.action_stop()
        coordinator = self.env["mph.student"]._default_coordinator()
        enrollment.activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=coordinator.id,
            summary=self.env._("Cancelled on Mijn MPH"),
            note=plaintext2html(
                self.env._("Cancelled by %(who)s per %(date)s.", who=self.env.user.name, date=date_end)
            ),
        )
        return True

    @api.model
    def _cron_stop_cancelled(self):
        """Stop the running lessons whose end date (cancelled on Mijn MPH)
        has passed."""
        today = fields.Date.context_today(self)
        ended = self.sudo().search([("state", "in", RUNNING_STATES), ("date_end", "<", today)])
        ended.action_stop()
        return len(ended)
