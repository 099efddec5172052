import re

from odoo import fields, models
from odoo.osv import expression
from odoo.tools import html2plaintext

from .account_move import FISCAL_FIELDS
from .mph_erasure import PARTNER_PERSONAL_FIELDS

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


class MphAccessExport(models.AbstractModel):
    """The access export of a data-subject request (GDPR art. 15): every
    datum the school holds on the person, collected as a dict in the
    person's language; written as JSON, as a readable page and as a PDF
    (one QWeb template for both, see report/mph_privacy_export_report.xml)
    by mph.privacy.request._process_access."""

    _name = "mph.access.export"
    _description = "Access Export of Personal Data"

    # ------------------------------------------------------------
    # Collecting the data
    # ------------------------------------------------------------

    def _export_persons(self, request):
        """The contacts the export is about: the person who asked, the
        pupil's contact, and every other contact with the same e-mail address
        (a duplicate is the same person; a namesake without it is not)."""
        request.ensure_one()
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        persons = request.partner_id.sudo() | request.student_id.sudo().partner_id
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

    def _collect_personal_data(self, request):
        """Every datum the school holds on the person: the pupil record, its
        contact, the guardian, the enrolments, invoices, consent records,
        chatter and files, and whatever else in the database refers to them
        (found with Odoo's privacy lookup, and by links to the pupil). In the
        person's language."""
        request.ensure_one()
        lang = request._export_lang()
        return self.with_context(lang=lang)._gather_personal_data(request.with_context(lang=lang))

    def _gather_personal_data(self, request):
        """The export of ``request`` as a dict (see _collect_personal_data)."""
        student = request.student_id.sudo().with_context(active_test=False)
        partner = request.partner_id.sudo().with_context(active_test=False)
        persons = self._export_persons(request)
        data = {"request": request.name, "generated_on": fields.Datetime.now(), "person": self._dump(partner)}
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
        covered.add((request._name, request.id))
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

    # ------------------------------------------------------------
    # In the person's language
    # ------------------------------------------------------------

    def _export_labels(self, request):
        """The keys of the export in the person's language: (section titles,
        keys of messages, files and other records)."""
        env = self.with_context(lang=request._export_lang()).env
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

    def _localise_export(self, request, data):
        """The export with the keys of the person's language, for the files
        the person receives."""
        titles, labels = self._export_labels(request)
        result = {}
        for key, value in data.items():
            if key in ("messages", "files", "other_records"):
                value = [{labels.get(k, k): v for k, v in item.items()} for item in value]
            result[titles.get(key, key)] = value
        return result

    def _export_sections(self, request, data):
        """The export as titled sections of (label, text) rows, for the
        readable page and PDF: [{"title", "items": [{"title", "rows"}]}]."""
        request.ensure_one()
        engine = self.with_context(lang=request._export_lang())
        env = engine.env
        titles, labels = engine._export_labels(request)

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

    def _render_export_page(self, request, data):
        """The readable page of the export (``data`` as it reads back from
        JSON): the template of the PDF, as a web page of its own."""
        values = {"docs": request, "export_page": True, "sections": {request.id: self._export_sections(request, data)}}
        return str(self.env["ir.qweb"]._render("mph_school.report_privacy_export", values))

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
