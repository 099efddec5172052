import json
import re

from dateutil.relativedelta import relativedelta
from markupsafe import escape

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import html2plaintext, plaintext2html

from .account_move import FISCAL_FIELDS
from .mph_retention import PARTNER_PERSONAL_FIELDS

OPEN_STATES = ("received", "verified")
ANSWER_MONTHS = 1  # GDPR art. 12(3): one month
EXTENSION_MONTHS = 2  # ... extendable by two months, with reasons

# Fields of a record that are bookkeeping, not data about the person.
EXPORT_SKIP = {"id", "display_name", "create_uid", "write_uid", "create_date", "write_date", "partner_id"}
# Technical copies of data that is exported itself: the phone search index.
EXPORT_SKIP |= {"mph_phone_search"}
EXPORT_SKIP_PREFIXES = ("message_", "activity_", "website_message", "rating_")
# Found by the lookup but no data about the person: technical links and the
# mail machinery (the messages themselves are exported).
LOOKUP_SKIP_MODELS = {
    "mail.followers",
    "mail.notification",
    "mail.mail",
    "mail.tracking.value",
    "mail.activity",
    "bus.presence",
    "res.users.log",
    "privacy.log",
}
# The fields of a contact that are data about the person; the rest of a
# contact is the bookkeeping of Odoo's apps (receivable account, Peppol
# address, payment terms...), not something the person gave or recognises.
EXPORT_PARTNER_FIELDS = {
    *PARTNER_PERSONAL_FIELDS,
    "name",
    "country_id",
    "lang",
    "category_id",
    "parent_id",
    "bank_ids",
}


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
        handler = getattr(self, f"_process_{self.request_type}")
        result = handler()
        if self.request_type != "rectification":
            self.write({"state": "done", "date_done": fields.Date.context_today(self)})
        return result

    def action_done(self):
        self._check_open()
        if any(request.state != "verified" for request in self):
            raise UserError(self.env._("Verify the identity of the person first."))
        self.write({"state": "done", "date_done": fields.Date.context_today(self)})
        return True

    def _process_access(self):
        data = self._collect_personal_data()
        # The files use the labels of the person's language as keys.
        localised = self._localise_export(data)
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
        # Odoo stores HTML attached by non-administrators as text/plain (no
        # script in attachments): the form opens it as a page through
        # action_open_export_page; downloaded, the .html file opens as one too.
        readable = self.env["ir.attachment"].create(
            {
                "name": f"{self.name}-inzage.html",
                "raw": self._render_export_html(localised).encode(),
                "mimetype": "text/html",
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        # The readable PDF, from the same data (as it reads back from JSON).
        report = self.env.ref("mph_school.action_report_privacy_export")
        plain = json.loads(json.dumps(data, ensure_ascii=False, default=str))
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

    def _process_rectification(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("mph_school.mph_student_action")
        action.update({"res_id": self.student_id.id, "views": [(False, "form")], "view_mode": "form"})
        self.message_post(body=self.env._("Pupil record opened for rectification; changes are tracked there."))
        return action

    def _process_erasure(self):
        student = self.student_id.sudo()
        if student._get_legal_hold_students():
            raise UserError(
                self.env._(
                    "%s is under legal hold (for example an unpaid invoice): the data cannot be erased now. "
                    "Answer the person with the reason, or clear the hold first.",
                    self.name,
                )
            )
        # The confirmation goes out first: afterwards there is no address left.
        sent = self._send_erasure_confirmation()
        self.env["mph.retention"]._erase_on_request(student)
        self.message_post(body=self.env._("The pupil's personal data has been anonymised."))
        if sent:
            self.message_post(body=self.env._("The person was told by e-mail before the data was erased."))
        return True

    def _send_erasure_confirmation(self):
        """Tell the person who asked that the data is erased, in their own
        language, and send it now: the erasure removes the address and every
        queued mail to it."""
        partner = self.partner_id.sudo()
        if not partner.email:
            return False
        request = self.with_context(lang=self._export_lang())
        env = request.env
        student = self.student_id.sudo()
        company = self.env.company.sudo()
        body = env._(
            "Dear %(name)s,\n\n"
            "As you asked on %(date)s (request %(reference)s), we have erased the personal data of %(pupil)s "
            "from our administration. Invoices we must keep by law keep only the name and address they were "
            "sent with, for the tax authorities.\n\n"
            "Kind regards,\n%(school)s",
            name=partner.name,
            date=fields.Date.to_string(self.date_received),
            reference=self.name,
            pupil=student.name,
            school=company.name,
        )
        mail = (
            self.env["mail.mail"]
            .sudo()
            .create(
                {
                    "subject": env._("Your request %s: personal data erased", self.name),
                    "body_html": plaintext2html(body),
                    "email_to": partner.email_formatted,
                    "email_from": company.email_formatted or self.env.user.email_formatted,
                    "auto_delete": True,
                }
            )
        )
        mail.send(raise_exception=False)
        return True

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
    # Access export
    # ------------------------------------------------------------

    def _export_lang(self):
        """The export is written in the person's language (Dutch by default)."""
        langs = {code for code, _name in self.env["res.lang"].get_installed()}
        for lang in (self.partner_id.sudo().lang, "nl_NL"):
            if lang in langs:
                return lang
        return self.env.lang

    def _export_persons(self):
        """The contacts the export is about: the person who asked, the
        pupil's contact, and every other contact with the same e-mail address
        (a duplicate is the same person; a namesake without it is not)."""
        self.ensure_one()
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        persons = self.partner_id.sudo() | self.student_id.sudo().partner_id
        emails = {email for email in persons.mapped("email_normalized") if email}
        if emails:
            persons |= Partner.search([("email_normalized", "in", list(emails))])
        return persons

    def _lookup_references(self, persons):
        """(model, id) pairs of records anywhere in the database that refer to
        ``persons`` by a contact link or their e-mail address, found with
        Odoo's privacy lookup (the query its wizard runs, nothing stored)."""
        self.env.flush_all()
        found = set()
        Wizard = self.env["privacy.lookup.wizard"].sudo()
        for person in persons:
            # Without an e-mail address the lookup must not match everything.
            email = person.email or f"no-email-{person.id}@invalid.invalid"
            self.env.cr.execute(Wizard.new({"name": person.name or "", "email": email})._get_query())
            found.update((row[0], row[1]) for row in self.env.cr.fetchall())
        models_by_id = {
            model.id: model.model for model in self.env["ir.model"].sudo().browse({model_id for model_id, _ in found})
        }
        return {(models_by_id[model_id], res_id) for model_id, res_id in found if models_by_id.get(model_id)}

    def _references_to(self, record, persons, student):
        """The fields of ``record`` that point at the person: a link to one of
        ``persons`` or to the pupil, or text holding their e-mail address."""
        emails = [email for email in persons.mapped("email_normalized") if email]
        # The whole address, not a part of another one (daan@ in andere.daan@).
        pattern = emails and re.compile(
            "|".join(rf"(?<![\w.+-]){re.escape(email)}(?![\w-]|\.\w)" for email in emails), re.IGNORECASE
        )
        values = {}
        for name, field in record._fields.items():
            if not field.store or name in EXPORT_SKIP or name.startswith(EXPORT_SKIP_PREFIXES):
                continue
            value = record[name]
            if field.type == "many2one" and (
                (field.comodel_name == "res.partner" and value in persons)
                or (field.comodel_name == "mph.student" and student and value == student)
            ):
                values[field._description_string(self.env)] = value.display_name
            elif field.type in ("char", "text") and isinstance(value, str) and pattern and pattern.search(value):
                values[field._description_string(self.env)] = value
        return values

    def _collect_personal_data(self):
        """Every datum the school holds on the person: the pupil record, its
        contact, the guardian, the enrolments, invoices, consent records,
        chatter and files, and whatever else in the database refers to them
        (found with Odoo's privacy lookup, and by links to the pupil). In the
        person's language."""
        self.ensure_one()
        return self.with_context(lang=self._export_lang())._gather_personal_data()

    def _gather_personal_data(self):
        student = self.student_id.sudo().with_context(active_test=False)
        partner = self.partner_id.sudo().with_context(active_test=False)
        persons = self._export_persons()
        data = {"request": self.name, "generated_on": fields.Datetime.now(), "person": self._dump(partner)}
        threads = [partner]
        covered = {("res.partner", partner.id)}
        if student:
            data["pupil"] = self._dump(student)
            data["pupil_contact"] = self._dump(student.partner_id)
            if student.guardian_id:
                data["guardian"] = self._dump(student.guardian_id)
                covered.add(("res.partner", student.guardian_id.id))
            data["enrolments"] = [self._dump(enrollment) for enrollment in student.enrollment_ids]
            threads += [student, student.partner_id, *student.enrollment_ids]
            covered |= {("mph.student", student.id), ("res.partner", student.partner_id.id)}
            covered |= {("mph.enrollment", enrollment.id) for enrollment in student.enrollment_ids}
        wards = partner.mph_ward_ids - student
        if wards:
            data["guardian_of"] = [ward.name for ward in wards]
        duplicates = persons.filtered(lambda p: ("res.partner", p.id) not in covered)
        if duplicates:
            data["other_contacts"] = [self._dump(duplicate) for duplicate in duplicates]
            threads += list(duplicates)
            covered |= {("res.partner", p.id) for p in duplicates}

        moves = self._export_invoices(student, persons)
        if moves:
            data["invoices"] = [self._dump_invoice(move, student, persons) for move in moves]
            threads += list(moves)
            covered |= {("account.move", move.id) for move in moves}
            covered |= {("account.move.line", line.id) for line in moves.line_ids}

        references = self._lookup_references(persons)
        if student:
            references |= self._student_references(student)
        messages = self.env["mail.message"].sudo()
        for thread in threads:
            messages |= messages.search([("model", "=", thread._name), ("res_id", "=", thread.id)])
        messages |= messages.browse([res_id for model, res_id in references if model == "mail.message"]).exists()
        data["messages"] = [
            {
                "record": f"{message.model},{message.res_id}" if message.model else "",
                "date": message.date,
                "author": message.author_id.name or message.email_from,
                "subject": message.subject,
                "body": html2plaintext(message.body or ""),
            }
            for message in messages.sorted(lambda m: (m.date, m.id))
        ]
        attachments = self.env["ir.attachment"].sudo()
        for thread in threads:
            attachments |= attachments.search([("res_model", "=", thread._name), ("res_id", "=", thread.id)])
        data["files"] = [
            {"record": f"{att.res_model},{att.res_id}", "name": att.name, "created": att.create_date}
            for att in attachments.sorted("id")
        ]
        covered |= {("mail.message", message.id) for message in messages}
        covered |= {("ir.attachment", attachment.id) for attachment in attachments}
        covered.add((self._name, self.id))
        others = []
        for model, res_id in sorted(references - covered):
            if model in LOOKUP_SKIP_MODELS:
                continue
            record = self.env[model].sudo().with_context(active_test=False).browse(res_id).exists()
            # Only what refers to the person by link or e-mail: a record that
            # merely carries the same name may be about a namesake.
            if record and self._references_to(record, persons, student):
                description = self.env["ir.model"]._get(model).name
                others.append({"model": description, "record": record.display_name, "data": self._dump(record)})
        if others:
            data["other_records"] = others
        return data

    def _student_references(self, student):
        """Records of any model that link to the pupil (privacy lookup only
        follows links to contacts)."""
        references = set()
        for model_name in self.env:
            Model = self.env[model_name]
            if Model._transient or not Model._auto or model_name in LOOKUP_SKIP_MODELS:
                continue
            links = [
                name
                for name, field in Model._fields.items()
                if field.type == "many2one" and field.comodel_name == "mph.student" and field.store
            ]
            if links:
                domain = expression.OR([[(name, "=", student.id)] for name in links])
                records = Model.sudo().with_context(active_test=False).search(domain)
                references |= {(model_name, res_id) for res_id in records.ids}
        return references

    def _export_invoices(self, student, persons):
        """The issued invoices of the person, and those billing the pupil."""
        Move = self.env["account.move"].sudo()
        moves = Move._mph_fiscal_invoices(persons)
        if student:
            lines = self.env["account.move.line"].sudo().search([("mph_student_id", "=", student.id)])
            moves |= lines.move_id.filtered(lambda m: m.state != "draft")
        return moves.sorted(lambda m: (m.invoice_date or fields.Date.today(), m.id))

    def _dump_invoice(self, move, student, persons):
        """An invoice as the person sees it: number, dates, who it is
        addressed to (the fiscal copy if the contact was anonymised), the
        lines about them and what is still due."""
        values = self._dump_fields(
            move,
            (
                "name",
                "invoice_date",
                "invoice_date_due",
                "invoice_origin",
                "ref",
                "amount_untaxed",
                "amount_tax",
                "amount_total",
                "amount_residual",
                "payment_state",
                "state",
            ),
        )
        if move.mph_fiscal_frozen_date:
            values.update({k: v for k, v in self._dump_fields(move, tuple(FISCAL_FIELDS)).items() if v})
        else:
            values[self.env._("Addressed to")] = move.partner_id.display_name
            values[self.env._("Address")] = move.partner_id._display_address(without_company=True)
        own = move.commercial_partner_id in persons.commercial_partner_id
        values[self.env._("Lines")] = [
            self._dump_fields(line, ("name", "quantity", "price_unit", "price_total"))
            for line in move.invoice_line_ids
            if own or (student and line.mph_student_id == student)
        ]
        return values

    def _dump_fields(self, record, names):
        values = {}
        for name in names:
            field = record._fields[name]
            value = record[name]
            if field.type == "selection":
                value = dict(field._description_selection(self.env)).get(value, value)
            elif field.type == "many2one":
                value = value.display_name
            values[field._description_string(self.env)] = value
        return values

    def _export_labels(self):
        """The keys of the export in the person's language: (section titles,
        keys of messages, files and other records)."""
        env = self.with_context(lang=self._export_lang()).env
        titles = {
            "request": env._("Request"),
            "generated_on": env._("Made on"),
            "person": env._("Person who made the request"),
            "pupil": env._("Pupil"),
            "pupil_contact": env._("Contact details of the pupil"),
            "guardian": env._("Parent/guardian"),
            "guardian_of": env._("Parent/guardian of"),
            "other_contacts": env._("Other contacts with the same e-mail address"),
            "enrolments": env._("Enrolments"),
            "invoices": env._("Invoices"),
            "messages": env._("Messages and notes"),
            "files": env._("Files"),
            "other_records": env._("Other records that refer to the person"),
        }
        labels = {
            "record": env._("Record"),
            "date": env._("Date"),
            "author": env._("Author"),
            "subject": env._("Subject"),
            "body": env._("Text"),
            "name": env._("Name"),
            "created": env._("Created on"),
            "model": env._("Kind of record"),
            "data": env._("Data"),
        }
        return titles, labels

    def _localise_export(self, data):
        """The export with the keys of the person's language, for the files
        the person receives."""
        titles, labels = self._export_labels()
        result = {}
        for key, value in data.items():
            if key in ("messages", "files", "other_records"):
                value = [{labels.get(k, k): v for k, v in item.items()} for item in value]
            result[titles.get(key, key)] = value
        return result

    def _export_sections(self, data):
        """The export as titled sections of (label, text) rows, for the
        readable PDF: [{"title", "items": [{"title", "rows"}]}]."""
        self.ensure_one()
        request = self.with_context(lang=self._export_lang())
        env = request.env
        titles, labels = request._export_labels()

        def text(value):
            if isinstance(value, dict):
                return "; ".join(f"{labels.get(k, k)}: {text(v)}" for k, v in value.items())
            if isinstance(value, list):
                return "\n".join(text(v) for v in value)
            if isinstance(value, bool):
                return env._("Yes") if value else env._("No")
            return "" if value is None else str(value)

        def item(value, title=""):
            if isinstance(value, dict):
                return {"title": title, "rows": [(labels.get(k, k), text(v)) for k, v in value.items()]}
            return {"title": title, "rows": [("", text(value))]}

        sections = []
        for key, value in data.items():
            if key in ("request", "generated_on") or value in (None, [], {}):
                continue
            title = titles.get(key, key)
            values = value if isinstance(value, list) else [value]
            sections.append({"title": title, "items": [item(v) for v in values]})
        return sections

    def _render_export_html(self, data):
        """The same export as a page a person can read (and print)."""

        def render(value):
            if isinstance(value, dict):
                rows = "".join(f"<tr><th>{escape(k)}</th><td>{render(v)}</td></tr>" for k, v in value.items())
                return f"<table>{rows}</table>"
            if isinstance(value, list):
                return "<ul>" + "".join(f"<li>{render(v)}</li>" for v in value) + "</ul>"
            return str(escape(str(value)))

        title = escape(self.env._("Personal data held by the Muziekpakhuis (%s)", self.name))
        return (
            f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>'
            "<style>th{text-align:left;vertical-align:top;padding-right:1em}</style></head>"
            f"<body><h1>{title}</h1>{render(data)}</body></html>"
        )

    def _dump(self, record):
        values = {}
        for name, field in record._fields.items():
            if record._name == "res.partner" and name not in EXPORT_PARTNER_FIELDS:
                continue
            if (
                not field.store
                or field.type == "binary"
                or name in EXPORT_SKIP
                or name.startswith(EXPORT_SKIP_PREFIXES)
                or not record[name]
            ):
                continue
            value = record[name]
            if field.type == "many2one":
                value = value.display_name
            elif field.type in ("one2many", "many2many"):
                if field.comodel_name in ("mph.enrollment", "mph.student", "res.partner") and name not in (
                    "category_id",
                    "guardian_ids",
                ):
                    continue  # exported in their own section
                value = value.mapped("display_name")
            elif field.type == "selection":
                value = dict(field._description_selection(self.env)).get(value, value)
            elif field.type == "html":
                value = html2plaintext(value)
            elif field.type == "boolean":
                value = self.env._("Yes")
            values[field._description_string(self.env)] = value
        return values

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
