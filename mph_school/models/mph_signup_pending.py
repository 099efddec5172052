import json
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import email_normalize

CONFIRM_TOKEN_SCOPE = "mph_school-signup-confirm"


class MphSignupPending(models.Model):
    """A website sign-up that used the e-mail address of a known pupil or
    guardian, held until the owner of that address confirms it.

    The form answers such a sign-up exactly as it answers a new person's, so
    it tells a stranger nothing about who is a pupil. What was typed waits
    here, for the coordinator only, and touches no existing record: only
    the owner's signed confirmation link (mailed to the address, with none
    of the typed data) or the coordinator applies it. Unconfirmed holds are
    deleted by the sign-up cron after the consent term."""

    _name = "mph.signup.pending"
    _description = "Sign-up awaiting confirmation"
    _order = "create_date desc, id desc"

    # ------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------

    # The validated form: {"student": {...}, "guardian": {...} or None,
    # "lesson_type_ids": [...], "preferred_times": ..., "meta": {...}}.
    payload = fields.Json(required=True)
    # Normalised known addresses whose owner must confirm, and those who did.
    confirm_emails = fields.Json(required=True)
    confirmed_emails = fields.Json(default=list)
    name = fields.Char(string="Pupil (as typed)", compute="_compute_summary")
    addresses = fields.Char(string="Waiting for", compute="_compute_summary")
    summary = fields.Text(string="Sign-up as typed", compute="_compute_summary")

    # ------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------

    @api.depends("payload", "confirm_emails", "confirmed_emails")
    def _compute_summary(self):
        LessonType = self.env["mph.lesson.type"].sudo().with_context(active_test=False)
        for pending in self:
            payload = pending.payload or {}
            student = payload.get("student") or {}
            guardian = payload.get("guardian") or {}
            pending.name = student.get("name")
            waiting = [e for e in pending.confirm_emails or [] if e not in (pending.confirmed_emails or [])]
            pending.addresses = ", ".join(waiting)
            lines = [f"{key}: {value}" for key, value in student.items() if value and key != "lang"]
            lines += [f"guardian_{key}: {value}" for key, value in guardian.items() if value and key != "lang"]
            names = LessonType.browse(payload.get("lesson_type_ids") or []).exists().mapped("name")
            lines.append(f"lesson types: {', '.join(names)}")
            if payload.get("preferred_times"):
                lines.append(f"preferred_times: {payload['preferred_times']}")
            pending.summary = "\n".join(lines)

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    def unlink(self):
        # The confirmation mails (and their messages) go with the hold.
        if self:
            messages = self.env["mail.message"].sudo().search([("model", "=", self._name), ("res_id", "in", self.ids)])
            self.env["mail.mail"].sudo().search([("mail_message_id", "in", messages.ids)]).unlink()
            messages.exists().unlink()
        return super().unlink()

    # ------------------------------------------------------------
    # Hold, confirm, apply
    # ------------------------------------------------------------

    @api.model
    def _mph_hold(self, payload, emails):
        """Keep a sign-up until every address in ``emails`` confirmed it, and
        mail each address its link. An identical sign-up already waiting
        (a double click, a retrying browser) is not held or mailed twice."""
        # Public visitors hold nothing themselves: the school keeps the sign-up.
        Pending = self.sudo()
        emails = sorted(set(emails))
        payload = json.loads(json.dumps(payload, default=str))
        for pending in Pending.search([("create_date", ">=", fields.Datetime.now() - timedelta(days=1))]):
            if pending.payload == payload and sorted(pending.confirm_emails) == emails:
                return pending
        pending = Pending.create({"payload": payload, "confirm_emails": emails, "confirmed_emails": []})
        template = Pending.env.ref("mph_school.mail_template_signup_confirm_address")
        Partner = Pending.env["res.partner"].with_context(active_test=False)
        for email in emails:
            # In the owner's language, not the submitter's.
            lang = Partner.search([("email_normalized", "=", email)], limit=1).lang
            template.with_context(mph_confirm_email=email, mph_confirm_lang=lang).send_mail(pending.id)
        return pending

    def _mph_confirm_url(self, email):
        self.ensure_one()
        token = self.env["mph.signed.link"]._sign(
            CONFIRM_TOKEN_SCOPE, {"id": self.id, "email": email}, days=self._mph_days()
        )
        return f"{self.get_base_url()}/muziekles/bevestigen?token={token}"

    @api.model
    def _mph_from_token(self, token):
        """The hold and the address a confirmation link belongs to, or an
        empty recordset and None for anything that is not a valid, unexpired
        link of a hold that still waits."""
        empty = self.browse(), None
        if not isinstance(token, str) or not token.isascii() or not 20 <= len(token) <= 600:
            return empty
        values = self.env["mph.signed.link"]._verify(CONFIRM_TOKEN_SCOPE, token)
        if not isinstance(values, dict) or not isinstance(values.get("id"), int):
            return empty
        pending = self.sudo().browse(values["id"]).exists()
        email = values.get("email")
        if not pending or email not in pending.confirm_emails:
            return empty
        return pending, email

    def _mph_confirm(self, email, meta):
        """The owner of ``email`` confirmed. Once every address did, the
        sign-up is applied; returns True then."""
        self.ensure_one()
        pending = self.sudo()
        confirmed = sorted(set(pending.confirmed_emails or []) | {email})
        pending.confirmed_emails = confirmed
        if set(pending.confirm_emails) - set(confirmed):
            return False
        pending._mph_apply(confirmed, meta)
        return True

    def action_apply(self):
        """The coordinator merges the held sign-ups (having checked them)."""
        for pending in self:
            pending.check_access("write")
            pending.sudo()._mph_apply([], pending.payload.get("meta") or {})
        return {"type": "ir.actions.client", "tag": "reload"}

    def _mph_apply(self, confirmed_emails, consent_meta):
        """Run the held sign-up as if it had just been sent, then forget it."""
        self.ensure_one()
        payload = self.payload
        student_vals = dict(payload["student"], birthdate=fields.Date.to_date(payload["student"]["birthdate"]))
        lesson_types = self.env["mph.lesson.type"].sudo().browse(payload.get("lesson_type_ids") or []).exists()
        self.env["mph.signup"].sudo()._mph_signup(
            student_vals,
            payload.get("guardian"),
            lesson_types.filtered("active"),
            payload.get("preferred_times") or False,
            payload.get("meta") or {},
            confirmed_emails=confirmed_emails,
            consent_meta=consent_meta,
        )
        self.sudo().unlink()

    # ------------------------------------------------------------
    # Known addresses and retention
    # ------------------------------------------------------------

    @api.model
    def _mph_known_emails(self, emails):
        """The addresses among ``emails`` (normalised) that belong to a pupil
        or a guardian, archived ones included."""
        Student = self.env["mph.student"].sudo().with_context(active_test=False)
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        known = []
        for email in {email_normalize(e) for e in emails if e} - {False, None}:
            partners = Partner.search([("email_normalized", "=", email)])
            if partners and Student.search_count(
                ["|", ("partner_id", "in", partners.ids), ("guardian_id", "in", partners.ids)], limit=1
            ):
                known.append(email)
        return known

    @api.model
    def _mph_days(self):
        return self.env["mph.consent"]._mph_consent_days()

    @api.model
    def _mph_purge(self):
        limit = fields.Datetime.now() - timedelta(days=self._mph_days())
        stale = self.sudo().search([("create_date", "<", limit)])
        stale.unlink()
        return len(stale)
