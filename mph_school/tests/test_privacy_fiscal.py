import io
import json
from datetime import date

import PyPDF2
from freezegun import freeze_time
from lxml import html as lxml_html

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import config

from ..models.account_move import FISCAL_FIELDS
from ..models.mph_access_export import EXPORT_PARTNER_FIELDS
from ..models.mph_erasure import PARTNER_PERSONAL_FIELDS
from .test_invoicing import MphInvoicingCommon

# Stored fields that are bookkeeping, or exported in a section of their own:
# every other stored field of these models is personal and must be in the
# export. A new field fails the test below until the fixture fills it (and
# the export shows it) or it is added here with a reason.
NOT_PERSONAL = {
    "id",
    "create_date",
    "create_uid",
    "write_date",
    "write_uid",
    "partner_id",  # the contact, its own section
    "enrollment_ids",  # the enrolments, their own section
    "activity_ids",
    "message_follower_ids",
    "message_ids",
    "website_message_ids",
    "student_id",  # an enrolment's pupil: the export is about them
    "mph_phone_search",  # the search index of the phone numbers, which are exported themselves
}


def page_text(html):
    return lxml_html.fromstring(html).text_content()


class PrivacyFiscalCommon(MphInvoicingCommon):
    def request(self, request_type, student, **vals):
        request = (
            self.env["mph.privacy.request"]
            .with_user(self.user_coordinator)
            .create({"request_type": request_type, "student_id": student.id, "identity_method": "known_email", **vals})
        )
        request.action_verify_identity()
        return request

    def pay(self, move):
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=move.ids).create(
            {}
        )._create_payments()
        self.assertIn(move.payment_state, ("paid", "in_payment"))


@tagged("post_install", "-at_install", "mph_privacy_request", "mph_invoicing")
class TestAccessExportComplete(PrivacyFiscalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pupil = cls.minor
        cls.env["mph.contribution.invoice.wizard"].create(
            {"season_id": cls.season.id, "send_email": False}
        ).action_invoice()
        cls.invoice = cls.env["account.move.line"].search([("mph_student_id", "=", cls.pupil.id)]).move_id
        # Every personal field of the pupil, the contact and the guardian filled.
        title = cls.env["res.partner.title"].create({"name": "Jonkheer"})
        cls.pupil.partner_id.write(
            {
                "email": "daan@example.nl",
                "phone": "030-1112223",
                "mobile": "06-11112222",
                "street2": "Achterhuis",
                "website": "https://daan.example.nl",
                "comment": "<p>Speelt ook gitaar</p>",
                "function": "Scholier",
                "vat": "NL000099998B57",
                "ref": "KLANT-0042",
                "title": title.id,
                "company_name": "Daan Muziek",
                "state_id": cls.env["res.country.state"].search([("country_id", "=", cls.nl.id)], limit=1).id,
                "category_id": [Command.create({"name": "Broertje van oud-leerling"})],
            }
        )
        cls.pupil.write(
            {
                "phone": "030-5556667",
                "mobile": "06-55554444",
                "guardian_phone": "06-87654321",
                "note": "Moeder belt liever na 17 uur.",
                "newsletter_consent": True,
                "privacy_accepted_date": "2025-08-01 10:00:00",
                "guardian_consent_date": "2025-08-02 11:00:00",
                "signup_state": "done",
                "signup_date": "2025-08-01 09:30:00",
                "legal_hold": True,
                "guardian_consent_lapsed_on": "2025-09-01",
                "own_consent_state": "given",
                "own_consent_requested_on": "2025-09-01 08:00:00",
                "own_consent_date": "2025-09-03 19:00:00",
                "mph_guardian_access": True,
            }
        )
        cls.env["mph.privacy.acceptance"].create(
            {
                "student_id": cls.pupil.id,
                "partner_id": cls.guardian.id,
                "kind": "guardian",
                "method": "email_link",
                "ip_address": "192.0.2.44",
                "user_agent": "Firefox/140.0 (Daan thuis)",
            }
        )
        enrollment = cls.pupil.enrollment_ids
        enrollment.write(
            {
                "note": "Wil later in het orkest.",
                "preferred_times": "woensdagmiddag",
                "date_requested": "2024-06-01",
                "date_trial": "2024-08-20",
                "trial_time": 15.5,
                "state": "stopped",
                "date_end": "2025-06-30",
            }
        )
        # Chatter on every record about the pupil, the invoice included.
        cls.pupil.message_post(body="Gesprek over lestijden met Daan", message_type="comment")
        cls.pupil.partner_id.message_post(body="Adreswijziging doorgegeven", message_type="comment")
        enrollment.message_post(body="Proefles ging goed", message_type="comment")
        cls.invoice.message_post(body="Betalingsregeling besproken", message_type="comment")
        # Found only by Odoo's privacy lookup: a duplicate contact with the
        # same e-mail, a message Daan wrote elsewhere, a draft invoice.
        cls.duplicate = cls.env["res.partner"].create(
            {"name": "D. de Vries", "email": "Daan@Example.nl", "phone": "030-9998887"}
        )
        cls.company.partner_id.message_post(
            body="Mag ik op vrijdag les?", message_type="comment", author_id=cls.pupil.partner_id.id
        )
        cls.draft = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.pupil.partner_id.id,
                "invoice_line_ids": [Command.create({"name": "Bladmuziek Daan", "price_unit": 12.5})],
            }
        )
        # A namesake (same name, other e-mail) is not the person.
        cls.namesake = cls.env["res.partner"].create({"name": "Daan de Vries", "email": "andere.daan@example.nl"})

    def expected_values(self, record, names):
        """(field, text) for each field: how the export writes the value."""
        result = []
        for name in names:
            field = record._fields[name]
            value = record[name]
            self.assertTrue(
                value or field.type == "boolean",
                f"{record._name}.{name} is empty in the fixture: fill it, or list it as not personal",
            )
            if field.type == "boolean":
                text = None  # the label shows it
            elif field.type == "many2one":
                text = value.display_name
            elif field.type in ("one2many", "many2many"):
                text = value[0].display_name
            elif field.type == "selection":
                text = dict(field._description_selection(self.env))[value]
            elif field.type == "html":
                text = "Speelt ook gitaar"
            elif field.type in ("date", "datetime"):
                text = str(value)
            else:
                text = str(value)
            result.append((field, text))
        return result

    def personal_fields(self, model):
        return [
            name
            for name, field in self.env[model]._fields.items()
            if field.store and not field.inherited and name not in NOT_PERSONAL and field._module == "mph_school"
        ]

    def test_every_personal_datum_in_json_and_pdf(self):
        self.assertTrue(self.invoice, "the minor has a posted contribution invoice")
        self.assertEqual(self.invoice.state, "posted")
        self.assertEqual(self.pupil.state, "stopped")
        request = self.request("access", self.pupil)
        request.action_process()
        attachments = request.message_ids.attachment_ids
        data = json.loads(request.export_attachment_id.raw)
        text = json.dumps(data, ensure_ascii=False)
        pdf_attachment = attachments.filtered(lambda a: a.name.endswith(".pdf"))
        self.assertEqual(len(pdf_attachment), 1)
        self.assertEqual((pdf_attachment.res_model, pdf_attachment.res_id), (request._name, request.id))
        # The PDF's content as rendered (in tests Odoo returns the HTML).
        page = page_text(pdf_attachment.raw.decode())

        checks = [(self.pupil, self.personal_fields("mph.student"))]
        checks.append((self.pupil.enrollment_ids, self.personal_fields("mph.enrollment")))
        partner_fields = [
            "name",
            "country_id",
            *(f for f in PARTNER_PERSONAL_FIELDS if f != "image_1920"),
            "category_id",
        ]
        checks += [(self.pupil.partner_id, partner_fields), (self.guardian, ["name", "email", "street", "zip", "city"])]
        self.assertGreaterEqual(len(checks[0][1]), 15, "the field list is derived, not empty")
        for record, names in checks:
            for field, value in self.expected_values(record, names):
                label = field._description_string(self.env)
                with self.subTest(model=record._name, field=field.name):
                    self.assertIn(label, text)
                    self.assertIn(label, page)
                    if value is not None:
                        self.assertIn(value, text)
                        self.assertIn(value, page)
        # Every field about the person with a value on the contact is there
        # too; the accounting of the contact (receivable account...) is not.
        dumped = data["Contact details of the pupil"]
        for name, field in self.pupil.partner_id._fields.items():
            if field.store and field.type not in ("binary", "one2many") and self.pupil.partner_id[name]:
                if name in EXPORT_PARTNER_FIELDS:
                    with self.subTest(partner_field=name):
                        self.assertIn(field._description_string(self.env), dumped)
        for name in ("property_account_receivable_id", "property_account_payable_id"):
            self.assertTrue(self.pupil.partner_id[name], "the contact has accounting fields")
            self.assertNotIn(self.pupil.partner_id._fields[name]._description_string(self.env), dumped)
        # The invoice: number, date, amounts, address as issued, the pupil's line.
        line = self.invoice.invoice_line_ids.filtered(lambda li: li.mph_student_id == self.pupil)
        for value in (
            self.invoice.name,
            str(self.invoice.invoice_date),
            str(self.invoice.amount_total),
            "Esther de Vries",
            "Oudegracht 12",
            line.name,
        ):
            with self.subTest(invoice=value):
                self.assertIn(value, text)
                self.assertIn(value, page)
        # Chatter everywhere, the consent record, and what only the privacy
        # lookup finds.
        for value in (
            "Gesprek over lestijden met Daan",
            "Adreswijziging doorgegeven",
            "Proefles ging goed",
            "Betalingsregeling besproken",
            "Mag ik op vrijdag les?",
            "192.0.2.44",
            "Firefox/140.0 (Daan thuis)",
            "030-9998887",
            "Bladmuziek Daan",
        ):
            with self.subTest(found=value):
                self.assertIn(value, text)
                self.assertIn(value, page)
        self.assertNotIn("andere.daan@example.nl", text, "a namesake is not the person")
        self.assertEqual([c["Phone"] for c in data["Other contacts with the same e-mail address"]], ["030-9998887"])

    def test_pdf_is_a_real_pdf_in_dutch_for_the_coordinator_only(self):
        self.env["res.lang"]._activate_lang("nl_NL")
        self.env["ir.module.module"]._load_module_terms(["mph_school"], ["nl_NL"], overwrite=True)
        self.pupil.partner_id.lang = "nl_NL"
        # wkhtmltopdf fetches the report's assets from this test server.
        self.registry.enter_test_mode(self.cr)
        self.addCleanup(self.registry.leave_test_mode)
        self.env["ir.config_parameter"].set_param("report.url", f"http://127.0.0.1:{config['http_port']}")
        request = self.request("access", self.pupil)
        request.with_context(force_report_rendering=True).action_process()
        pdf = request.message_ids.attachment_ids.filtered(lambda a: a.name.endswith(".pdf"))
        self.assertTrue(pdf.raw.startswith(b"%PDF"), "rendered by wkhtmltopdf")
        self.assertGreaterEqual(len(PyPDF2.PdfReader(io.BytesIO(pdf.raw)).pages), 2)
        # wkhtmltopdf's fonts defeat text extraction: the content is checked
        # on the same report rendered as HTML (printed again, from scratch).
        html, _type = (
            self.env["ir.actions.report"]
            .with_user(self.user_coordinator)
            ._render_qweb_html("mph_school.action_report_privacy_export", request.ids)
        )
        content = page_text(html)
        for value in ("Leerling", "Facturen", "Daan de Vries", "Oudegracht 12", self.invoice.name, "192.0.2.44"):
            with self.subTest(value=value):
                self.assertIn(value, content)
        data = json.loads(request.export_attachment_id.raw)
        self.assertIn("Geboortedatum", data["Leerling"], "the JSON in the person's language too")
        for user in (self.user_finance, self.user_artistic, self.user_director, self.user_teacher):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                pdf.with_user(user).read(["raw"])
            with self.subTest(user=user.login, report=True), self.assertRaises(AccessError):
                self.env["ir.actions.report"].with_user(user)._render_qweb_html(
                    "mph_school.action_report_privacy_export", request.ids
                )
        self.assertTrue(pdf.with_user(self.user_coordinator).raw.startswith(b"%PDF"))


@tagged("post_install", "-at_install", "mph_privacy_request", "mph_invoicing")
class TestErasureKeepsFiscalSubset(PrivacyFiscalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["mph.contribution.invoice.wizard"].create(
            {"season_id": cls.season.id, "send_email": False}
        ).action_invoice()
        cls.invoice = cls.env["account.move.line"].search([("mph_student_id", "=", cls.adult.id)]).move_id
        cls.adult.partner_id.write({"phone": "030-7654321", "street2": "Tweede verdieping"})
        cls.user_accountant = new_test_user(
            cls.env,
            login="inv_accountant",
            groups="base.group_user,account.group_account_invoice",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    def snapshot(self, move):
        return {
            "amount_total": move.amount_total,
            "amount_residual": move.amount_residual,
            "amount_tax": move.amount_tax,
            "lines": [(li.account_id.id, li.debit, li.credit, li.balance) for li in move.line_ids],
            "name": move.name,
            "state": move.state,
        }

    def invoice_html(self, user):
        html, _type = (
            self.env["ir.actions.report"]
            .with_user(user)
            ._render_qweb_html("account.account_invoices", self.invoice.ids)
        )
        return page_text(html)

    def erase_adult(self):
        self.pay(self.invoice)
        self.adult.message_post(body="Sanne belde over haar rooster", message_type="comment")
        self.invoice.message_post(body="Herinnering gestuurd aan Sanne", message_type="comment")
        before = self.snapshot(self.invoice)
        self.request("erasure", self.adult).action_process()
        self.env.invalidate_all()
        return before

    def test_erasure_keeps_the_invoice_as_issued_for_finance_only(self):
        before = self.erase_adult()
        adult, partner = self.adult, self.adult.partner_id
        # Nothing personal left on the pupil, the contact or in messages.
        self.assertEqual(adult.state, "anonymised")
        self.assertFalse(adult.birthdate or adult.phone or adult.note or adult.guardian_id)
        self.assertTrue(partner.name.startswith("Anonymised pupil"))
        for name in PARTNER_PERSONAL_FIELDS:
            self.assertFalse(partner[name], name)
        Message = self.env["mail.message"].sudo()
        self.assertFalse(Message.search([("body", "ilike", "Sanne")]))
        self.assertFalse(
            Message.search([("model", "in", ("mph.student", "res.partner")), ("res_id", "in", (adult.id, partner.id))])
        )
        self.assertFalse(Message.search([("author_id", "=", partner.id)]))
        # The invoice still opens, unchanged in amounts, with the fiscal copy.
        self.assertEqual(self.snapshot(self.invoice), before)
        invoice = self.invoice.with_user(self.user_finance)
        values = invoice.read(list(FISCAL_FIELDS))[0]
        self.assertEqual(values["mph_fiscal_name"], "Sanne Bakker")
        self.assertEqual(values["mph_fiscal_street"], "Oudegracht 12")
        self.assertEqual(values["mph_fiscal_street2"], "Tweede verdieping")
        self.assertEqual((values["mph_fiscal_zip"], values["mph_fiscal_city"]), ("3511 AB", "Utrecht"))
        self.assertEqual(values["mph_fiscal_country_id"][0], self.nl.id)
        self.assertIn("Sanne Bakker", invoice.invoice_line_ids.mapped("name")[0], "the line as issued")
        # The form opens for finance (every field of its view read, the
        # fiscal copy tab included).
        form = Form(invoice)
        self.assertEqual(form.mph_fiscal_name, "Sanne Bakker")
        self.assertEqual(form.amount_residual, 0.0)
        # Finance prints it as it was issued.
        page = self.invoice_html(self.user_finance)
        self.assertIn("Sanne Bakker", page)
        self.assertIn("Oudegracht 12", page)
        self.assertIn(invoice.name, page)
        # Not what the pupil or contact still say: neither holds it.
        self.assertNotIn("Sanne", adult.sudo().name + partner.sudo().display_name)
        # An accountant without the school's finance role reaches neither the
        # fiscal copy nor the invoice: its partner is a pupil's contact
        # (anonymised or not), hidden by default (issue 13).
        for name in FISCAL_FIELDS:
            with self.subTest(field=name), self.assertRaises(AccessError):
                self.invoice.with_user(self.user_accountant).read([name])
        with self.assertRaises(AccessError):
            self.invoice.with_user(self.user_accountant).read(["amount_total"])
        with self.assertRaises(AccessError):
            self.invoice_html(self.user_accountant)
        # The school's other roles reach neither the invoice nor the copy.
        for user in (self.user_coordinator, self.user_artistic, self.user_director, self.user_teacher):
            Move = self.env["account.move"].with_user(user)
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    Move.browse(self.invoice.id).read(["mph_fiscal_name"])
                with self.assertRaises(AccessError):
                    Move.search([("mph_fiscal_name", "ilike", "Sanne")])

    def test_real_invoice_pdf_after_erasure(self):
        self.erase_adult()
        self.registry.enter_test_mode(self.cr)
        self.addCleanup(self.registry.leave_test_mode)
        self.env["ir.config_parameter"].set_param("report.url", f"http://127.0.0.1:{config['http_port']}")
        pdf, _type = (
            self.env["ir.actions.report"]
            .with_user(self.user_finance)
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("account.account_invoices", self.invoice.ids)
        )
        self.assertTrue(pdf.startswith(b"%PDF"), "rendered by wkhtmltopdf")
        self.assertEqual(len(PyPDF2.PdfReader(io.BytesIO(pdf)).pages), 1)

    def test_destruction_erases_the_fiscal_subset(self):
        self.erase_adult()
        end = date(self.invoice.invoice_date.year + 7, 12, 31)
        Retention = self.env["mph.retention"]
        with freeze_time(end):
            result = Retention._run()
        self.assertEqual(result["fiscal_erased"], 0, "kept until the end of the statutory period")
        self.assertEqual(self.invoice.with_user(self.user_finance).mph_fiscal_name, "Sanne Bakker")
        before = self.snapshot(self.invoice)
        with freeze_time(date(end.year + 1, 1, 1)):
            result = Retention._run()
        self.assertEqual(result["fiscal_erased"], 1)
        self.env.invalidate_all()
        invoice = self.invoice.with_user(self.user_finance)
        self.assertFalse(any(invoice.read(list(FISCAL_FIELDS))[0][name] for name in FISCAL_FIELDS))
        self.assertFalse(invoice.mph_fiscal_frozen_date)
        self.assertNotIn("Sanne", " ".join(invoice.invoice_line_ids.mapped("name")))
        self.assertFalse(invoice.invoice_pdf_report_id)
        self.assertEqual(self.snapshot(self.invoice), before, "amounts and entries stay")
        self.assertNotIn("Sanne", self.invoice_html(self.user_finance))
        log = self.env["mph.retention.log"].search([("rule", "=", "fiscal")])
        self.assertEqual(log.count, 1)

    def test_destruction_of_a_pupil_keeps_a_recent_invoice_fiscal(self):
        """The retention job anonymising a pupil whose invoice is still within
        the statutory period keeps its fiscal copy like an erasure does."""
        self.pay(self.invoice)
        self.env["mph.erasure"]._anonymise(self.adult)
        self.assertEqual(self.invoice.with_user(self.user_finance).mph_fiscal_name, "Sanne Bakker")

    def test_erasure_with_an_unpaid_invoice_is_refused(self):
        """An unpaid invoice is a legal hold: the debt needs the contact. The
        request stays open (answer it with the reason, or process it once
        paid); nothing is changed."""
        self.assertEqual(self.invoice.payment_state, "not_paid")
        request = self.request("erasure", self.adult)
        with self.assertRaisesRegex(UserError, "legal hold"):
            request.action_process()
        self.assertEqual(request.state, "verified")
        self.assertEqual(self.adult.name, "Sanne Bakker")
        self.assertFalse(self.invoice.mph_fiscal_frozen_date)
        self.pay(self.invoice)
        request.action_process()
        self.assertEqual(request.state, "done")
        self.assertEqual(self.invoice.mph_fiscal_name, "Sanne Bakker")


@tagged("post_install", "-at_install", "mph_privacy_request", "mph_invoicing")
class TestErasureRemovesCorrespondence(PrivacyFiscalCommon):
    """An erased person's e-mails go wherever they are (queued or sent, on
    the invoice, on another record or none), as do the copies made for an
    access request; finance keeps the invoice as issued: the fiscal copy and
    its PDF."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["mph.contribution.invoice.wizard"].create(
            {"season_id": cls.season.id, "send_email": True}
        ).action_invoice()
        cls.env["account.move"]._cron_account_move_send(job_count=10)
        cls.invoice = cls.env["account.move.line"].search([("mph_student_id", "=", cls.adult.id)]).move_id
        cls.Mail = cls.env["mail.mail"].sudo()
        cls.Message = cls.env["mail.message"].sudo()
        # What this test made (a database with demo data has its own Sannes).
        cls.since = cls.env.cr.now()
        elsewhere = cls.company.partner_id
        cls.mails = {
            # The invoice as mailed (queued: no mail server in tests).
            "invoice": cls.Mail.search([("model", "=", "account.move"), ("res_id", "=", cls.invoice.id)]),
            # To her address only, on no record.
            "address": cls.Mail.create(
                {"email_to": "Sanne Bakker <sanne@example.nl>", "subject": "Rooster", "body_html": "<p>Beste Sanne</p>"}
            ),
            # To her contact, on another record.
            "recipient": cls.Mail.create(
                {
                    "recipient_ids": [Command.set(cls.adult.partner_id.ids)],
                    "model": "res.partner",
                    "res_id": elsewhere.id,
                    "body_html": "<p>Beste Sanne, je les gaat door.</p>",
                }
            ),
            # Another person whose address contains hers.
            "other": cls.Mail.create({"email_to": "marisanne@example.nl", "body_html": "<p>Beste Marisanne</p>"}),
        }
        # A mail she sent, logged on another record.
        cls.incoming = elsewhere.message_post(
            body="Kan mijn les naar donderdag?", message_type="email", email_from="Sanne Bakker <sanne@example.nl>"
        )
        cls.invoice.message_post(body="Herinnering gestuurd aan Sanne", message_type="comment")

    def test_mails_and_exports_go_the_invoice_as_issued_stays(self):
        self.assertEqual(self.invoice.state, "posted")
        self.assertTrue(self.mails["invoice"], "the invoice was mailed")
        self.assertIn(self.adult.partner_id, self.mails["invoice"].recipient_ids)
        pdf = self.invoice.invoice_pdf_report_id
        self.assertTrue(pdf, "the PDF as issued is stored on the invoice")
        self.pay(self.invoice)
        access = self.request("access", self.adult)
        access.action_process()
        exports = self.env["ir.attachment"].search([("res_model", "=", access._name), ("res_id", "=", access.id)])
        self.assertEqual(len(exports), 3, "JSON, HTML and PDF")
        messages = self.mails["invoice"].mail_message_id | self.mails["recipient"].mail_message_id | self.incoming

        self.request("erasure", self.adult).action_process()
        self.env.invalidate_all()
        # Gone: every mail to or from her, their messages, the exports.
        for key in ("invoice", "address", "recipient"):
            with self.subTest(mail=key):
                self.assertFalse(self.mails[key].exists())
        self.assertFalse(messages.exists())
        self.assertFalse(
            self.Mail.search([("body_html", "ilike", "Sanne"), ("create_date", ">=", self.since)]) - self.mails["other"]
        )
        self.assertFalse(
            self.Message.search([("body", "ilike", "Sanne"), ("create_date", ">=", self.since)])
            - self.mails["other"].mail_message_id
        )
        self.assertFalse(self.Message.search([("email_from", "ilike", "sanne@example.nl")]))
        self.assertFalse(self.Mail.search([("recipient_ids", "in", self.adult.partner_id.ids)]))
        self.assertFalse(exports.exists())
        self.assertEqual(access.state, "done", "the request itself is kept: it was answered")
        self.assertFalse(access.export_attachment_id)
        # Kept: another person's mail, and for finance the invoice as issued
        # (fiscal copy, PDF) and its amounts.
        self.assertTrue(self.mails["other"].exists())
        invoice = self.invoice.with_user(self.user_finance)
        self.assertEqual(invoice.mph_fiscal_name, "Sanne Bakker")
        self.assertEqual(invoice.invoice_pdf_report_id, pdf)
        self.assertTrue(pdf.with_user(self.user_finance).raw)
        self.assertEqual(invoice.amount_total, 120.0)

    def test_an_address_another_contact_still_has_keeps_its_mail(self):
        """A brother who shares the address: mail to the address is his too."""
        self.env["res.partner"].create({"name": "Tim Bakker", "email": "sanne@example.nl"})
        self.pay(self.invoice)
        self.request("erasure", self.adult).action_process()
        self.assertTrue(self.mails["address"].exists())
        self.assertFalse(self.mails["recipient"].exists(), "addressed to her contact")
        self.assertFalse(self.mails["invoice"].exists())

    def test_statutory_end_leaves_no_name_in_tracking(self):
        self.pay(self.invoice)
        self.request("erasure", self.adult).action_process()
        end = date(self.invoice.invoice_date.year + 8, 1, 1)
        tracked = self.env["mph.retention"].with_context(tracking_disable=False, mail_notrack=False)
        with freeze_time(end):
            result = tracked._run()
        self.assertEqual(result["fiscal_erased"], 1)
        self.env.invalidate_all()
        self.assertNotIn("Sanne", " ".join(self.invoice.invoice_line_ids.mapped("name")))
        Tracking = self.env["mail.tracking.value"].sudo()
        self.assertFalse(
            Tracking.search(["|", ("old_value_char", "ilike", "Sanne"), ("new_value_char", "ilike", "Sanne")])
        )
        self.assertFalse(self.invoice.invoice_pdf_report_id, "the PDF as issued goes at the end of the period")
        self.assertFalse(
            self.Message.search([("body", "ilike", "Sanne"), ("create_date", ">=", self.since)])
            - self.mails["other"].mail_message_id
        )
