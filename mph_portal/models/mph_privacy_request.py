from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

PORTAL_TYPES = ("access", "erasure", "objection")
# What the export downloaded on Mijn MPH holds only when the user may read it.
PORTAL_EXPORT_CHECKED = ("mph.student", "mph.enrollment", "res.partner", "account.move", "account.move.line")


class MphPrivacyRequest(models.Model):
    _inherit = "mph.privacy.request"

    identity_method = fields.Selection(
        selection_add=[("portal_login", "Logged in to Mijn MPH")], ondelete={"portal_login": "set null"}
    )
    # Cancelling lessons on Mijn MPH is no request under the GDPR, but it
    # starts the clock of the passive archive: it is on the same log.
    request_type = fields.Selection(
        selection_add=[("cancellation", "Cancellation of lessons")], ondelete={"cancellation": "cascade"}
    )
    correction_ids = fields.One2many("mph.correction.request", "privacy_request_id", string="Corrections")

    @api.model
    def _mph_portal_file(self, request_type, student=None, description=None):
        """A data-subject request filed by the logged-in pupil or guardian
        on Mijn MPH (about themself, or a pupil they may see): received with
        the one-month clock, the identity known from the login. The pupil is
        checked as the user (record rules); the request is the school's
        record and is created as the system."""
        if request_type not in PORTAL_TYPES + ("rectification", "cancellation"):
            raise UserError(self.env._("Unknown kind of request."))
        partner = self.env.user.partner_id
        if student:
            student.check_access("read")
        vals = {
            "request_type": request_type,
            "partner_id": partner.id,
            "student_id": student.id if student else False,
            "channel": "website",
            "description": (description or "").strip()[:2000] or False,
            "identity_method": "portal_login",
            "user_id": self.env["mph.student"]._default_coordinator().id,
        }
        request = self.sudo().with_context(mail_create_nosubscribe=True).create(vals)
        request.write({"state": "verified", "date_identity_verified": fields.Datetime.now()})
        return request.with_env(self.env)

    @api.model
    def _mph_portal_log_done(self, request_type, response, student=None):
        """Something the pupil or guardian did themself on Mijn MPH (an
        unsubscription is an objection to direct marketing, GDPR art. 21(2);
        a cancellation of lessons): on the request log, received and
        answered at once, with the date and the login that did it."""
        request = self._mph_portal_file(request_type, student=student, description=response)
        request.sudo().write({"state": "done", "date_done": fields.Date.context_today(self), "response": response})
        return request

    def _mph_portal_fulfil_access(self):
        """Answer an access request at once: the export (JSON, readable page,
        PDF) is made and the request is done."""
        self.ensure_one()
        self.check_access("read")
        if self.request_type != "access" or self.sudo().state != "verified":
            raise AccessError(self.env._("This request cannot be answered here."))
        # Made in the name of the coordinator who handles the request (the
        # export report is the coordinator's).
        handler = self.sudo().user_id or self.env["mph.student"]._default_coordinator()
        request = self.with_user(handler).sudo().with_context(mph_portal_uid=self.env.uid)
        request._process_access()
        request.write(
            {
                "state": "done",
                "date_done": fields.Date.context_today(self),
                "response": self.env._("Downloaded at once on Mijn MPH."),
            }
        )
        return True

    def _mph_export_attachment(self, extension):
        """The export file of this request."""
        self.ensure_one()
        return self.env["ir.attachment"].search(
            [("res_model", "=", self._name), ("res_id", "=", self.id), ("name", "=like", f"%-inzage.{extension}")],
            limit=1,
        )


class MphAccessExport(models.AbstractModel):
    """The export downloaded at once on Mijn MPH: the age-16 split holds in
    it too."""

    _inherit = "mph.access.export"

    def _mph_portal_user(self):
        uid = self.env.context.get("mph_portal_uid")
        return self.env["res.users"].browse(uid) if uid else None

    def _mph_hidden_from_portal_user(self, record):
        """Downloaded on Mijn MPH without the coordinator's review: a pupil,
        enrolment, contact or invoice the user may not see (a child of 16 or
        older, another family, the other parent's invoices) is not in it."""
        user = self._mph_portal_user()
        return bool(
            user
            and record._name in PORTAL_EXPORT_CHECKED
            and not record.with_user(user).with_context(active_test=False).has_access("read")
        )

    def _references_to(self, record, persons, student):
        if self._mph_hidden_from_portal_user(record):
            return {}
        return super()._references_to(record, persons, student)

    def _export_invoices(self, student, persons):
        moves = super()._export_invoices(student, persons)
        if self._mph_portal_user():
            moves = moves.filtered(lambda move: not self._mph_hidden_from_portal_user(move))
        return moves

    def _gather_personal_data(self, request):
        data = super()._gather_personal_data(request)
        user = self._mph_portal_user()
        if not user:
            return data
        guardian = request.student_id.sudo().guardian_id
        if guardian and data.get("guardian") and self._mph_hidden_from_portal_user(guardian):
            del data["guardian"]  # the other parent's contact data
        if data.get("guardian_of"):
            visible = set(self.env["mph.student"].with_user(user).search([]).mapped("name"))
            data["guardian_of"] = [name for name in data["guardian_of"] if name in visible]
            if not data["guardian_of"]:
                del data["guardian_of"]
        return data
