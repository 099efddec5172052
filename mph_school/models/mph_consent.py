import logging

from dateutil.relativedelta import relativedelta

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError

from .mph_student import GUARDIAN_AGE

_logger = logging.getLogger(__name__)

GUARDIAN_CONSENT_SCOPE = "mph_school-guardian-consent"
OWN_CONSENT_SCOPE = "mph_school-own-consent"
# Pupils handed over per savepoint (and per call of the cron runner).
CONSENT_HANDOVER_BATCH = 100


class MphConsent(models.AbstractModel):
    """The consent flows of a pupil, each through a signed link mailed to the
    person who consents:

    - the guardian's consent for the sign-up of a pupil under 16 (the link
      ``/muziekles/toestemming/<id>``): until given nothing is planned;
    - the hand-over at 16 (UAVG art. 5): from the 16th birthday the
      guardian's consent no longer counts for processing based on consent
      (the newsletter), which stops until the pupil answers their own link
      (``/muziekles/eigen-toestemming/<id>``). The lessons rest on the
      agreement, not on consent, and go on.

    What is recorded lives on the pupil (``mph_student_consent.py``)."""

    _name = "mph.consent"
    _description = "Consent of Pupils and Guardians"

    @api.model
    def _mph_link_url(self, student, path, scope, payload, days):
        """The signed link ``<path>/<pupil id>?token=…`` over ``payload(student)``."""
        student.ensure_one()
        token = self.env["mph.signed.link"]._sign(scope, payload(student), days=days)
        return f"{student.get_base_url()}{path}/{student.id}?token={token}"

    # ------------------------------------------------------------
    # The guardian's consent for a sign-up under 16
    # ------------------------------------------------------------

    @api.model
    def _mph_consent_days(self):
        return self.env["mph.settings"]._get("mph_school.signup_consent_days")

    @api.model
    def _mph_consent_payload(self, student):
        """What the guardian's link is signed over: the pupil and the
        guardian's address (a changed address makes the link invalid)."""
        return [student.id, (student.sudo().guardian_id.email or "").lower()]

    @api.model
    def _mph_consent_url(self, student):
        return self._mph_link_url(
            student,
            "/muziekles/toestemming",
            GUARDIAN_CONSENT_SCOPE,
            self._mph_consent_payload,
            self._mph_consent_days(),
        )

    @api.model
    def _mph_check_consent_token(self, student, token, exp=None):
        """True when ``token`` (``exp``: a link of the legacy form) is the
        valid, unexpired consent link of this sign-up (whether or not consent
        was already given)."""
        student.ensure_one()
        if not student.sudo().guardian_id.email:
            return False
        payload = self._mph_consent_payload(student)
        return self.env["mph.signed.link"]._check(GUARDIAN_CONSENT_SCOPE, payload, token, exp=exp)

    @api.model
    def _mph_give_consent(self, student, meta):
        """Record the guardian's consent (who, when, how) and release the
        sign-up for processing."""
        student.ensure_one()
        student = student.with_user(SUPERUSER_ID)
        now = fields.Datetime.now()
        student.write({"guardian_consent_date": now, "signup_state": "done"})
        self.env["mph.privacy.acceptance"].sudo().create(
            {
                "student_id": student.id,
                "partner_id": student.guardian_id.id,
                "kind": "guardian",
                "policy_id": self.env["mph.privacy.policy"]._get_current().id,
                "method": "email_link",
                "date": now,
                "ip_address": meta.get("ip"),
                "user_agent": meta.get("user_agent"),
            }
        )
        # Logged in the guardian's name, without notifying or subscribing them.
        student._message_log(
            body=self.env._(
                "Guardian %s gave consent for the lessons through the link in the e-mail.", student.guardian_id.name
            ),
            author_id=student.guardian_id.id,
        )
        self.env["mph.signup"]._mph_start_processing(
            student, student.enrollment_ids.filtered(lambda e: e.state == "waiting")
        )

    # ------------------------------------------------------------
    # The hand-over at 16: the daily job
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
        and the pupil is asked for their own; every pupil fully handed over
        with the mail queued, or untouched (see mph.batch: batches of
        ``CONSENT_HANDOVER_BATCH``, one per call of the cron runner). Returns
        the number of pupils (asked by e-mail, without an e-mail address)."""
        today = fields.Date.context_today(self)
        students = self.env["mph.student"].sudo().search(self._mph_consent_handover_domain(today), order="id")
        job = self.env["mph.batch"]._mph_batch_run(per_call=True)
        counts = job.state.setdefault("counts", [0, 0])

        def hand_over(batch):
            asked = no_email = 0
            for student in batch:
                if self._mph_consent_handover(student, today):
                    asked += 1
                elif student.own_consent_state == "no_email":
                    no_email += 1
            return asked, no_email

        def pupil_error(student, error):  # one pupil's failure must not stop the others
            _logger.exception("Consent hand-over of pupil id %s failed; retried on the next run", student.id)

        for batch in job.batches(
            list(students), hand_over, size=CONSENT_HANDOVER_BATCH, key=lambda s: (s.id,), on_item_error=pupil_error
        ):
            for asked, no_email in batch.results:
                counts[0] += asked
                counts[1] += no_email
        asked, no_email = counts
        if students and not job.remaining:
            _logger.info("Consent hand-over at 16: %s asked by e-mail, %s without e-mail", asked, no_email)
        return asked, no_email

    @api.model
    def _mph_consent_handover(self, student, today):
        """Hand one pupil over; True when the e-mail was queued."""
        student.ensure_one()
        student = student.sudo()
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

    # ------------------------------------------------------------
    # The hand-over at 16: the pupil's signed link and answer
    # ------------------------------------------------------------

    @api.model
    def _mph_own_consent_payload(self, student):
        """Signed over the pupil and the pupil's own address: a changed
        address makes the link invalid."""
        return [student.id, (student.sudo().email or "").lower()]

    @api.model
    def _mph_own_consent_url(self, student):
        return self._mph_link_url(
            student,
            "/muziekles/eigen-toestemming",
            OWN_CONSENT_SCOPE,
            self._mph_own_consent_payload,
            self._mph_own_consent_days(),
        )

    @api.model
    def _mph_check_own_consent_token(self, student, token, exp=None):
        """True when ``token`` (``exp``: a link of the legacy form) is this
        pupil's valid, unexpired link (whether or not it was answered
        already)."""
        student.ensure_one()
        if not student.sudo().email or not student.sudo().own_consent_state:
            return False
        payload = self._mph_own_consent_payload(student)
        return self.env["mph.signed.link"]._check(OWN_CONSENT_SCOPE, payload, token, exp=exp)

    @api.model
    def _mph_answer_own_consent(self, student, give, meta, method="email_link"):
        """Record the pupil's own answer (who, when, which policy version,
        how) and start or keep stopped what rests on consent. Returns False
        when the question was answered already: then nothing changes."""
        student.ensure_one()
        # Through the link the website's public user runs this: act as the system.
        student = student.sudo() if method == "manual" else student.with_user(SUPERUSER_ID)
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

    @api.model
    def _mph_record_own_answer(self, student, give):
        """The coordinator records the answer the pupil gave in person."""
        student.ensure_one()
        student.check_access("write")  # the coordinator's; recorded as superuser below
        if not self._mph_answer_own_consent(student, give, {}, method="manual"):
            raise UserError(self.env._("The pupil's own consent was not asked, or was already answered."))
        return True
