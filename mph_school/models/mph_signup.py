from dateutil.relativedelta import relativedelta

from odoo import SUPERUSER_ID, api, fields, models
from odoo.tools import email_normalize


class MphSignup(models.AbstractModel):
    """The website sign-up for a first lesson (``/muziekles/aanmelden``):
    register the pupil and the enrolments, wait for a guardian's consent
    below 16 (``mph.consent``), hold a sign-up that used a known address
    until its owner confirms (``mph.signup.pending``), and delete sign-ups
    that got no consent in time. What is recorded lives on the pupil
    (``signup_state``, ``signup_date``)."""

    _name = "mph.signup"
    _description = "Website Sign-up"

    @api.model
    def _mph_find_signup_student(self, email, birthdate):
        """The existing pupil with this e-mail and birthdate, if any."""
        return (
            self.env["mph.student"]
            .sudo()
            .with_context(active_test=False)
            .search([("email", "=ilike", email), ("birthdate", "=", birthdate)], limit=1)
        )

    @api.model
    def _mph_signup_submit(self, student_vals, guardian_vals, lesson_types, preferred_times, meta):
        """The public form's entry (the caller validated everything).

        A sign-up with the address of a known pupil or guardian changes
        nothing yet: it is held until the owner of that address confirms
        (``mph.signup.pending``). The visitor sees the same page either way,
        so the form does not tell strangers who is a pupil."""
        # A visitor may not read pupils or contacts: the school looks.
        flow = self.sudo()
        emails = [student_vals["email"], guardian_vals and guardian_vals.get("email")]
        # Serialised before looking: of two simultaneous identical sign-ups
        # the second sees the pupil the first one made.
        flow.env["mph.signup.attempt"]._mph_serialise(*emails)
        known = flow.env["mph.signup.pending"]._mph_known_emails(emails)
        if known:
            payload = {
                "student": student_vals,
                "guardian": guardian_vals,
                "lesson_type_ids": lesson_types.ids,
                "preferred_times": preferred_times,
                "meta": meta,
            }
            flow.env["mph.signup.pending"]._mph_hold(payload, known)
        else:
            flow._mph_signup(student_vals, guardian_vals, lesson_types, preferred_times, meta)

    @api.model
    def _mph_signup(
        self, student_vals, guardian_vals, lesson_types, preferred_times, meta, confirmed_emails=(), consent_meta=None
    ):
        """Register a sign-up (runs as superuser: the caller validated
        everything and, for a known address, its owner confirmed). Returns
        the pupil and the enrolments made for this sign-up. ``meta`` holds
        the request's ip and user agent; ``confirmed_emails`` the addresses
        whose owner confirmed through their signed link."""
        # As the system, not the website's public user: the records, their
        # chatter and the to-do are the school's (OdooBot), not "Public user".
        self = self.with_user(SUPERUSER_ID)
        self.env["mph.signup.attempt"]._mph_serialise(
            student_vals["email"], guardian_vals and guardian_vals.get("email")
        )
        now = fields.Datetime.now()
        student = self._mph_find_signup_student(student_vals["email"], student_vals["birthdate"])
        if not student:
            vals = dict(student_vals, signup_date=now, privacy_accepted_date=now)
            if guardian_vals:
                vals["guardian_id"] = self._mph_signup_guardian(guardian_vals).id
                vals["guardian_phone"] = guardian_vals.get("phone") or False
                vals["signup_state"] = "awaiting_consent"
            else:
                vals["signup_state"] = "done"
            student = self.env["mph.student"].create(vals)
        else:
            # A pupil back from the passive archive is a current pupil again.
            student.filtered(lambda s: not s.active and s.state == "archived").action_unarchive()
            student.privacy_accepted_date = now
        open_types = student.enrollment_ids.filtered(lambda e: e.state in ("waiting", "trial", "active"))
        enrollments = self.env["mph.enrollment"].create(
            [
                {
                    "student_id": student.id,
                    "lesson_type_id": lesson_type.id,
                    "state": "waiting",
                    "preferred_times": preferred_times,
                }
                for lesson_type in lesson_types - open_types.lesson_type_id
            ]
        )
        self.env["mph.privacy.acceptance"].create(
            {
                "student_id": student.id,
                "partner_id": student.partner_id.id,
                "kind": "policy",
                "policy_id": self.env["mph.privacy.policy"]._get_current().id,
                "method": "website",
                "ip_address": meta.get("ip"),
                "user_agent": meta.get("user_agent"),
            }
        )
        ctx = {"mph_signup_enrollment_ids": enrollments.ids}
        if student.signup_state != "awaiting_consent":
            self._mph_start_processing(student, enrollments)
        elif email_normalize(student.guardian_id.email or "") in confirmed_emails:
            # The guardian confirmed through a signed link mailed to their own
            # address: that is the consent the consent link would ask for.
            self.env["mph.consent"]._mph_give_consent(student, consent_meta or meta)
        else:
            self.env.ref("mph_school.mail_template_guardian_consent").with_context(**ctx).send_mail(student.id)
        self.env.ref("mph_school.mail_template_signup_confirmation").with_context(**ctx).send_mail(student.id)
        return student, enrollments

    @api.model
    def _mph_signup_guardian(self, guardian_vals):
        """The guardian's contact: one already known as a guardian with this
        e-mail address, else a new one. A known contact is never changed
        from the public form."""
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        known = Partner.search([("email", "=ilike", guardian_vals["email"]), ("mph_ward_ids", "!=", False)], limit=1)
        if known:
            return known
        return Partner.create(
            {"name": guardian_vals["name"], "email": guardian_vals["email"], "lang": guardian_vals.get("lang")}
        )

    @api.model
    def _mph_start_processing(self, student, enrollments):
        """The sign-up may be processed (adult, or consent given): plan trial
        lessons where there is room and a teacher, and tell the coordinator."""
        student.ensure_one()
        for enrollment in enrollments.filtered(lambda e: e.state == "waiting"):
            teacher = enrollment._mph_free_teacher()
            if teacher and enrollment.lesson_type_id._has_room():
                enrollment.write({"state": "trial", "teacher_id": teacher.id})
        student.activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=student._default_coordinator().id,
            summary=student.env._("New website sign-up"),
            note=student.env._("Lesson types: %s", ", ".join(enrollments.mapped("lesson_type_id.name"))),
        )

    @api.model
    def _mph_signup_lines(self, student):
        """What the confirmation mail lists: the lesson types of this sign-up
        with their status and waiting-list position."""
        student.ensure_one()
        ids = self.env.context.get("mph_signup_enrollment_ids") or []
        enrollments = self.env["mph.enrollment"].sudo().browse(ids).exists()
        return [
            {
                "lesson_type": enrollment.lesson_type_id.name,
                "trial": enrollment.state == "trial",
                "position": enrollment.waiting_position,
            }
            for enrollment in enrollments
        ]

    # ------------------------------------------------------------
    # Sign-ups without consent in time
    # ------------------------------------------------------------

    @api.model
    def _cron_purge_unconsented_signups(self):
        """Delete sign-ups of pupils under 16 whose guardian did not consent
        in time, completely: the pupil, its contact, a guardian contact
        nobody else uses, enrolments, consent records, mail and messages.
        Held sign-ups of known addresses that nobody confirmed in the same
        term go too (``mph.signup.pending``)."""
        self.env["mph.signup.attempt"]._mph_purge()
        self.env["mph.signup.pending"]._mph_purge()
        limit = fields.Datetime.now() - relativedelta(days=self.env["mph.consent"]._mph_consent_days())
        stale = (
            self.env["mph.student"]
            .sudo()
            .with_context(active_test=False)
            .search([("signup_state", "=", "awaiting_consent"), ("signup_date", "<", limit)])
        )
        # One transaction: every stale sign-up is erased, or (on an error) none.
        self.env["mph.erasure"]._erase_signup(stale)
        return len(stale)
