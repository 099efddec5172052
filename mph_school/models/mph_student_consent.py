from odoo import api, fields, models

from ..groups import COORDINATOR


class MphStudent(models.Model):
    """Whose consent counts for a pupil (UAVG art. 5): below 16 a parent or
    guardian consents for the pupil; from the 16th birthday that consent no
    longer counts for processing based on consent (the newsletter), which stops
    until the pupil answers a signed link in an e-mail. The lessons themselves
    rest on the agreement, not on consent, and go on. The flows (the daily
    hand-over, the links, the answers) are ``mph.consent``."""

    _inherit = "mph.student"

    # ------------------------------------------------------------
    # Fields (coordinator only)
    # ------------------------------------------------------------

    consent_by = fields.Selection(
        [("guardian", "Parent/guardian (under 16)"), ("pupil", "The pupil"), ("none", "Nobody")],
        string="Consent given by",
        compute="_compute_consent_by",
        groups=COORDINATOR,
        help="Whose consent counts today for processing based on consent, such as the newsletter. "
        "From 16 a guardian's consent no longer counts: only the pupil's own.",
    )
    guardian_consent_lapsed_on = fields.Date(
        string="Guardian consent lapsed on",
        copy=False,
        groups=COORDINATOR,
        help="The day the daily job found the pupil 16 or older: the guardian's consent stopped counting.",
    )
    own_consent_state = fields.Selection(
        [
            ("requested", "Asked by e-mail, no answer yet"),
            ("no_email", "To ask: no e-mail address"),
            ("given", "Given by the pupil"),
            ("refused", "Refused by the pupil"),
        ],
        string="Own consent (16+)",
        index=True,
        copy=False,
        tracking=True,
        groups=COORDINATOR,
    )
    own_consent_requested_on = fields.Datetime(string="Own consent asked on", copy=False, groups=COORDINATOR)
    own_consent_date = fields.Datetime(string="Own consent answered on", copy=False, groups=COORDINATOR)

    @api.depends("birthdate", "guardian_consent_date", "own_consent_state")
    @api.depends_context("date")
    def _compute_consent_by(self):
        for student in self:
            if student.is_under_guardian_age:
                student.consent_by = "guardian" if student.guardian_consent_date else "none"
            elif student.own_consent_state == "given":
                student.consent_by = "pupil"
            elif student.guardian_consent_date or student.own_consent_state:
                # Consent came from the guardian: it lapsed at 16.
                student.consent_by = "none"
            else:
                student.consent_by = "pupil"  # signed up, or registered, at 16 or older

    # ------------------------------------------------------------
    # What rests on consent (the flow: mph_consent.py)
    # ------------------------------------------------------------

    def _mph_suspend_consent_processing(self):
        """Stop what rests on the guardian's consent. Here: the newsletter
        consent; the newsletter module also takes the pupil's own address off
        the list."""
        self.sudo().write({"newsletter_consent": False})

    def _mph_resume_consent_processing(self):
        """The pupil consented: what rests on consent may go on."""
        self.sudo().write({"newsletter_consent": True})

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------

    def action_record_own_consent(self):
        """The coordinator records the answer the pupil gave in person (for a
        pupil without e-mail, or one who answered by phone or at the desk)."""
        return self.env["mph.consent"]._mph_record_own_answer(self, True)

    def action_record_own_refusal(self):
        return self.env["mph.consent"]._mph_record_own_answer(self, False)
