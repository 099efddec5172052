import json

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

OPEN_STATES = ("received", "verified")
ANSWER_MONTHS = 1  # GDPR art. 12(3): one month
EXTENSION_MONTHS = 2  # ... extendable by two months, with reasons


class MphPrivacyRequest(models.Model):
    """A data-subject request (GDPR art. 15-21): access, rectification,
    erasure, objection or restriction, with its one-month clock. Every step
    is tracked in the chatter."""

    _name = "mph.privacy.request"
    _description = "Data-Subject Request"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_due, id"

    # ------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default=lambda self: self.env._("New")
    )
    request_type = fields.Selection(
        [
            ("access", "Access"),
            ("rectification", "Rectification"),
            ("erasure", "Erasure"),
            ("objection", "Objection"),
            ("restriction", "Restriction of processing"),
        ],
        string="Request",
        required=True,
        tracking=True,
    )
    student_id = fields.Many2one(
        "mph.student", string="Pupil", index=True, tracking=True, context={"active_test": False}
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Person",
        required=True,
        index=True,
        tracking=True,
        help="Who made the request: the pupil's contact, a guardian or someone else.",
    )
    channel = fields.Selection(
        [
            ("email", "E-mail"),
            ("letter", "Letter"),
            ("phone", "Phone"),
            ("in_person", "In person"),
            ("website", "Website"),
        ],
        required=True,
        default="email",
        tracking=True,
    )
    description = fields.Text(string="What is asked")
    user_id = fields.Many2one("res.users", string="Handled by", default=lambda self: self.env.user, tracking=True)
    state = fields.Selection(
        [
            ("received", "Received"),
            ("verified", "Identity verified"),
            ("done", "Answered"),
            ("rejected", "Rejected"),
        ],
        # Without a label it would be "State", which Dutch shares with a province.
        string="Status",
        required=True,
        default="received",
        tracking=True,
        index=True,
    )
    date_received = fields.Date(string="Received on", required=True, default=fields.Date.context_today, tracking=True)
    date_due = fields.Date(string="Answer due by", compute="_compute_date_due", store=True, tracking=True)
    is_extended = fields.Boolean(string="Extended", readonly=True, tracking=True)
    extension_reason = fields.Text(tracking=True, help="Why the answer needs two more months (required to extend).")
    identity_method = fields.Selection(
        [
            ("known_email", "Reply from the known e-mail address"),
            ("id_document", "Identity document shown"),
            ("in_person", "Known in person"),
        ],
        string="Identity checked by",
        tracking=True,
    )
    date_identity_verified = fields.Datetime(string="Identity verified on", readonly=True, tracking=True)
    date_done = fields.Date(string="Answered on", readonly=True, tracking=True)
    response = fields.Text(string="Answer or reason", tracking=True)
    deadline_state = fields.Selection(
        [("ok", "On time"), ("soon", "Nearly due"), ("overdue", "Overdue"), ("closed", "Closed")],
        compute="_compute_deadline_state",
        string="Deadline",
    )
    export_attachment_id = fields.Many2one("ir.attachment", string="Export", readonly=True, copy=False)

    # ------------------------------------------------------------
    # Compute, constraints, onchange
    # ------------------------------------------------------------

    @api.depends("date_received", "is_extended")
    def _compute_date_due(self):
        for request in self:
            months = ANSWER_MONTHS + (EXTENSION_MONTHS if request.is_extended else 0)
            request.date_due = request.date_received and request.date_received + relativedelta(months=months)

    @api.depends("date_due", "state")
    @api.depends_context("date")
    def _compute_deadline_state(self):
        today = fields.Date.context_today(self)
        warning = self._get_warning_days()
        for request in self:
            if request.state not in OPEN_STATES:
                request.deadline_state = "closed"
            elif request.date_due and request.date_due < today:
                request.deadline_state = "overdue"
            elif request.date_due and request.date_due <= today + relativedelta(days=warning):
                request.deadline_state = "soon"
            else:
                request.deadline_state = "ok"

    @api.model
    def _get_warning_days(self):
        return self.env["mph.settings"]._get("mph_school.privacy_request_warning_days")

    @api.constrains("is_extended", "extension_reason")
    def _check_extension_reason(self):
        for request in self:
            if request.is_extended and not (request.extension_reason or "").strip():
                raise ValidationError(self.env._("Extending the answer period needs a reason."))

    @api.constrains("student_id", "partner_id")
    def _check_person(self):
        for request in self.filtered("student_id"):
            student = request.student_id.sudo()
            if request.partner_id not in student.partner_id | student.guardian_id | student.guardian_ids:
                raise ValidationError(
                    self.env._("The person of %s must be the pupil or the pupil's guardian.", request.name)
                )

    @api.onchange("student_id")
    def _onchange_student_id(self):
        if self.student_id and not self.partner_id:
            self.partner_id = self.student_id.partner_id

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") in ("/", self.env._("New")):
                vals["name"] = self.env["ir.sequence"].next_by_code("mph.privacy.request") or "/"
            if vals.get("student_id") and not vals.get("partner_id"):
                vals["partner_id"] = self.env["mph.student"].browse(vals["student_id"]).partner_id.id
        return super().create(vals_list)

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------

    def _check_open(self):
        for request in self:
            if request.state not in OPEN_STATES:
                raise UserError(self.env._("Request %s is already closed.", request.name))

    def action_verify_identity(self):
        self._check_open()
        for request in self:
            if not request.identity_method:
                raise UserError(self.env._("Record how the identity was checked before verifying %s.", request.name))
        self.write({"state": "verified", "date_identity_verified": fields.Datetime.now()})
        return True

    def action_extend(self):
        self._check_open()
        for request in self:
            if request.is_extended:
                raise UserError(self.env._("Request %s was already extended once.", request.name))
            if not (request.extension_reason or "").strip():
                raise UserError(self.env._("Enter the reason for the extension first; the person is told."))
        self.write({"is_extended": True})
        return True

    def action_reject(self):
        self._check_open()
        for request in self:
            if not (request.response or "").strip():
                raise UserError(self.env._("Enter the reason for rejecting %s in the answer.", request.name))
        self.write({"state": "rejected", "date_done": fields.Date.context_today(self)})
        return True

    def action_process(self):
        """Carry out the request: what it means depends on its type."""
        self.ensure_one()
        self._check_open()
        if self.state != "verified":
            raise UserError(self.env._("Verify the identity of the person before processing %s.", self.name))
        if self.request_type in ("rectification", "erasure", "objection") and not self.student_id:
            raise UserError(self.env._("Link the pupil the request is about first."))
        result = self._process()
        if self.request_type != "rectification":
            self.write({"state": "done", "date_done": fields.Date.context_today(self)})
        return result

    def action_done(self):
        self._check_open()
        if any(request.state != "verified" for request in self):
            raise UserError(self.env._("Verify the identity of the person first."))
        self.write({"state": "done", "date_done": fields.Date.context_today(self)})
        return True

    def _process(self):
        """Runs the handler of the request's type; a type without one (such
        as a cancellation of lessons, logged as done) is not processed."""
        handlers = {
            "access": self._process_access,
            "rectification": self._process_rectification,
            "erasure": self._process_erasure,
            "objection": self._process_objection,
            "restriction": self._process_restriction,
        }
        return handlers[self.request_type]()

    def _process_access(self):
        Export = self.env["mph.access.export"]
        data = Export._collect_personal_data(self)
        # The files use the labels of the person's language as keys.
        localised = Export._localise_export(self, data)
        content = json.dumps(localised, indent=2, ensure_ascii=False, default=str)
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"{self.name}-inzage.json",
                "raw": content.encode(),
                "mimetype": "application/json",
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        # The readable page and PDF, from the same data (as it reads back
        # from JSON) and the same template. Odoo stores HTML attached by
        # non-administrators as text/plain (no script in attachments): the
        # form opens it as a page through action_open_export_page;
        # downloaded, the .html file opens as one too.
        plain = json.loads(json.dumps(data, ensure_ascii=False, default=str))
        readable = self.env["ir.attachment"].create(
            {
                "name": f"{self.name}-inzage.html",
                "raw": Export._render_export_page(self, plain).encode(),
                "mimetype": "text/html",
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        report = self.env.ref("mph_school.action_report_privacy_export")
        pdf, _type = self.env["ir.actions.report"]._render_qweb_pdf(
            report, self.ids, data={"exports": {str(self.id): plain}}
        )
        printable = self.env["ir.attachment"].create(
            {
                "name": f"{self.name}-inzage.pdf",
                "raw": pdf,
                "mimetype": "application/pdf",
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        self.export_attachment_id = attachment
        self.message_post(
            body=self.env._("Export of the personal data created."),
            attachment_ids=(attachment | readable | printable).ids,
        )
        # A download in the background: the form stays and shows the request answered.
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "download",
        }

    def _export_page_attachment(self):
        """The readable (HTML) copy of this request's access export."""
        self.ensure_one()
        return self.env["ir.attachment"].search(
            [("res_model", "=", self._name), ("res_id", "=", self.id), ("name", "=", f"{self.name}-inzage.html")],
            order="id desc",
            limit=1,
        )

    def action_open_export_page(self):
        self.ensure_one()
        if not self._export_page_attachment():
            raise UserError(self.env._("Request %s has no export yet.", self.name))
        return {"type": "ir.actions.act_url", "url": f"/mph/privacy-request/{self.id}/inzage.html", "target": "new"}

    def _export_lang(self):
        """The export is written in the person's language (Dutch by default)."""
        langs = {code for code, _name in self.env["res.lang"].get_installed()}
        for lang in (self.partner_id.sudo().lang, "nl_NL"):
            if lang in langs:
                return lang
        return self.env.lang

    def _process_rectification(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("mph_school.mph_student_action")
        action.update({"res_id": self.student_id.id, "views": [(False, "form")], "view_mode": "form"})
        self.message_post(body=self.env._("Pupil record opened for rectification; changes are tracked there."))
        return action

    def _process_erasure(self):
        return self.env["mph.erasure"]._erase_on_request(self)

    def _process_objection(self):
        student = self.student_id.sudo()
        student.newsletter_consent = False
        student.message_post(
            body=self.env._("Objection recorded (%s): no newsletter, no processing on legitimate interest.", self.name)
        )
        return True

    def _process_restriction(self):
        self.message_post(body=self.env._("Restriction of processing recorded."))
        return True

    # ------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------

    @api.model
    def _cron_deadline_activities(self):
        """An activity for the handler of every open request that is nearly
        due or overdue, once per request."""
        today = fields.Date.context_today(self)
        limit = today + relativedelta(days=self._get_warning_days())
        activity_type = self.env.ref("mph_school.mail_activity_type_privacy_deadline")
        requests = self.search([("state", "in", OPEN_STATES), ("date_due", "<=", limit)])
        for request in requests:
            if request.activity_ids.filtered(lambda a, t=activity_type: a.activity_type_id == t):
                continue
            request.activity_schedule(
                activity_type_id=activity_type.id,
                date_deadline=request.date_due,
                user_id=(request.user_id or self.env.user).id,
                summary=self.env._("Answer due by %s", request.date_due),
            )
        return True
