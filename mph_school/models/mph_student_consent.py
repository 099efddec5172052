import logging
import time

from dateutil.relativedelta import relativedelta

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import consteq
from odoo.tools.misc import hmac as hmac_tool

from .mph_student import COORDINATOR, GUARDIAN_AGE

_logger = logging.getLogger(__name__)

OWN_CONSENT_TOKEN_SCOPE = "mph_school-own-consent"


class MphStudent(models.Model):
    """The consent hand-over at 16 (UAVG art. 5): below 16 a parent or
    guardian consents for the pupil; from the 16th birthday that consent no
    longer counts for processing based on consent (the newsletter), which stops
    until the pupil answers a signed link in an e-mail. The lessons themselves
    rest on the agreement, not on consent, and go on."""

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
    # The daily job
    # ------------------------------------------------------------

    @api.model
    def _mph_own_consent_days(self):
        return self.env["mph.settings"]._get("mph_school.own_consent_days")

    @api.model
    def _mph_consent_handover_domain(self, today):
        """Pupils due for the hand-over: 16 or older today, with a guardian's
        consent, not handed over yet (or handed over without an e-mail
        address, which may have been added since). Based on the data, not on
        the date of the last run: a missed run is caught up, and a pupil once
        asked is never asked again by the job."""
        return [
            ("birthdate", "<=", today - relativedelta(years=GUARDIAN_AGE)),
            ("guardian_consent_date", "!=", False),
            ("own_consent_state", "in", (False, "no_email")),
            ("state", "in", ("prospect", "active", "stopped")),
        ]

    @api.model
    def _cron_consent_handover(self):
        """Daily: the guardian's consent of every pupil who turned 16 lapses
        and the pupil is asked for their own, each pupil in its own savepoint
        (fully handed over with the mail queued, or untouched). Returns the
        number of pupils (asked by e-mail, without an e-mail address)."""
        today = fields.Date.context_today(self)
        students = self.sudo().search(self._mph_consent_handover_domain(today), order="id")
        asked = no_email = 0
        for student in students:
            try:
                with self.env.cr.savepoint():
                    if student._mph_consent_handover(today):
                        asked += 1
                    elif student.own_consent_state == "no_email":
                        no_email += 1
            except Exception:  # one pupil's failure must not stop the others
                _logger.exception("Consent hand-over of pupil id %s failed; retried on the next run", student.id)
        if students:
            _logger.info("Consent hand-over at 16: %s asked by e-mail, %s without e-mail", asked, no_email)
        return asked, no_email

    def _mph_consent_handover(self, today):
        """Hand one pupil over; True when the e-mail was queued."""
        self.ensure_one()
        student = self.sudo()
        if not student.own_consent_state:
            student.write({"guardian_consent_lapsed_on": today})
            student._mph_suspend_consent_processing()
            student.message_post(
                body=self.env._(
                    "%s turned 16: the guardian's consent no longer counts for processing based on consent "
                    "(the newsletter), which stops until the pupil gives their own consent.",
                    student.name,
                ),
            )
        if not student.email:
            if student.own_consent_state != "no_email":
                student.own_consent_state = "no_email"
                student.activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=student._default_coordinator().id,
                    summary=self.env._("Ask for the pupil's own consent (turned 16)"),
                    note=self.env._(
                        "This pupil turned 16 and has no e-mail address: ask for their own consent in person, "
                        "or enter an e-mail address and the daily job sends the request."
                    ),
                )
            return False
        student.write({"own_consent_state": "requested", "own_consent_requested_on": fields.Datetime.now()})
        template = self.env.ref("mph_school.mail_template_own_consent_request").sudo()
        template.send_mail(student.id, force_send=False)
        return True

    def _mph_suspend_consent_processing(self):
        """Stop what rests on the guardian's consent. Here: the newsletter
        consent; the newsletter module also takes the pupil's own address off
        the list."""
        self.sudo().write({"newsletter_consent": False})

    def _mph_resume_consent_processing(self):
        """The pupil consented: what rests on consent may go on."""
        self.sudo().write({"newsletter_consent": True})

    # ------------------------------------------------------------
    # The signed link
    # ------------------------------------------------------------

    # HMAC over the pupil, the pupil's own address and the expiry, with the
    # database secret; compared in constant time. A changed address makes the
    # link invalid.

    def _mph_own_consent_token(self, expires):
        self.ensure_one()
        message = f"{self.id}:{(self.sudo().email or '').lower()}:{int(expires)}"
        return hmac_tool(self.env(su=True), OWN_CONSENT_TOKEN_SCOPE, message)

    def _mph_own_consent_url(self):
        self.ensure_one()
        expires = int(time.time()) + self._mph_own_consent_days() * 86400
        token = self._mph_own_consent_token(expires)
        return f"{self.get_base_url()}/muziekles/eigen-toestemming/{self.id}?exp={expires}&token={token}"

    def _mph_check_own_consent_token(self, expires, token):
        """True when ``token`` is this pupil's valid, unexpired link (whether
        or not it was answered already)."""
        self.ensure_one()
        try:
            expires = int(expires)
        except (TypeError, ValueError):
            return False
        student = self.sudo()
        if expires < time.time() or not student.email or not student.own_consent_state:
            return False
        return consteq(self._mph_own_consent_token(expires), token or "")

    def _mph_answer_own_consent(self, give, meta, method="email_link"):
        """Record the pupil's own answer (who, when, which policy version,
        how) and start or keep stopped what rests on consent. Returns False
        when the question was answered already: then nothing changes."""
        self.ensure_one()
        # Through the link the website's public user runs this: act as the system.
        student = self.sudo() if method == "manual" else self.with_user(SUPERUSER_ID)
        open_states = ("requested", "no_email") if method == "manual" else ("requested",)
        if student.own_consent_state not in open_states:
            return False
        now = fields.Datetime.now()
        student.write({"own_consent_state": "given" if give else "refused", "own_consent_date": now})
        self.env["mph.privacy.acceptance"].sudo().create(
            {
                "student_id": student.id,
                "partner_id": student.partner_id.id,
                "kind": "pupil" if give else "pupil_refused",
                "policy_id": self.env["mph.privacy.policy"]._get_current().id,
                "method": method,
                "date": now,
                "ip_address": meta.get("ip"),
                "user_agent": meta.get("user_agent"),
            }
        )
        if give:
            student._mph_resume_consent_processing()
        if method == "manual":
            body = (
                self.env._("%s recorded that the pupil gave their own consent.", self.env.user.name)
                if give
                else self.env._("%s recorded that the pupil refused consent.", self.env.user.name)
            )
            student.message_post(body=body)
            return True
        if give:
            body = self.env._("The pupil gave their own consent through the link in the e-mail.")
        else:
            body = self.env._("The pupil refused consent through the link in the e-mail.")
        # Answered through the link by the pupil, not by the website's public
        # user: logged in the pupil's name, without subscribing them.
        student._message_log(body=body, author_id=student.partner_id.id)
        return True

    def action_record_own_consent(self):
        """The coordinator records the answer the pupil gave in person (for a
        pupil without e-mail, or one who answered by phone or at the desk)."""
        return self._mph_record_own_answer(True)

    def action_record_own_refusal(self):
        return self._mph_record_own_answer(False)

    def _mph_record_own_answer(self, give):
        self.ensure_one()
        self.check_access("write")  # the coordinator's; recorded as superuser below
        if not self._mph_answer_own_consent(give, {}, method="manual"):
            raise UserError(self.env._("The pupil's own consent was not asked, or was already answered."))
        return True
