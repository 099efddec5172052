from unittest.mock import patch

from psycopg2 import IntegrityError

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import config, mute_logger

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .common import run_cron


class MphInvoicingCommon(AccountTestInvoicingCommon):
    """The Dutch chart of accounts, one user per role in the invoicing
    company, and pupils covering every case of the contribution run: an adult,
    a minor with a guardian, a family with three children, a pupil without an
    active enrolment, a payer without address and one without e-mail."""

    @classmethod
    @AccountTestInvoicingCommon.setup_chart_template("nl")
    def setUpClass(cls):
        super().setUpClass()
        # The accounting user of AccountTestInvoicingCommon, as superuser: school data is not theirs to make.
        cls.env = cls.env(su=True, context=dict(cls.env.context, tracking_disable=True, no_reset_password=True))
        cls.company = cls.env.company
        cls.nl = cls.env.ref("base.nl")
        cls.journal = cls.company_data["default_journal_sale"]

        def user(login, groups):
            return new_test_user(
                cls.env,
                login=login,
                groups=groups,
                name=login.replace("_", " ").title(),
                email=f"{login}@example.nl",
                company_id=cls.company.id,
                company_ids=[Command.set(cls.company.ids)],
            )

        cls.user_finance = user("inv_finance", "base.group_user,mph_school.group_finance")
        cls.user_coordinator = user("inv_coordinator", "base.group_user,mph_school.group_coordinator")
        cls.user_artistic = user("inv_artistic", "base.group_user,mph_school.group_artistic")
        cls.user_director = user("inv_director", "base.group_user,mph_school.group_director")
        cls.user_teacher = user("inv_teacher", "base.group_portal,mph_school.group_teacher")

        cls.piano = cls.env["mph.lesson.type"].create({"name": "Piano (factuur)", "kind": "individual"})
        cls.teacher = cls.env["mph.teacher"].create(
            {"name": "Henk Jansen", "user_id": cls.user_teacher.id, "lesson_type_ids": [Command.set(cls.piano.ids)]}
        )
        cls.season = cls.env["mph.season"]._for_date(fields.Date.context_today(cls.env["mph.season"]))
        cls.season.write(
            {
                "contribution_amount": 120.0,
                "use_minor_amount": True,
                "contribution_amount_minor": 90.0,
                "journal_id": cls.journal.id,
                "payment_term_id": cls.pay_terms_a.id,
                "invoice_per_family": True,
            }
        )
        young = cls.season.date_start.replace(year=cls.season.date_start.year - 10)
        teen = cls.season.date_start.replace(year=cls.season.date_start.year - 14)
        cls.guardian = cls.make_partner("Esther de Vries", "esther@example.nl")
        cls.parent = cls.make_partner("Peter Visser", "peter@example.nl")
        cls.adult = cls.make_student("Sanne Bakker", "1990-04-12", email="sanne@example.nl")
        cls.minor = cls.make_student("Daan de Vries", young, guardian_id=cls.guardian.id)
        cls.children = (
            cls.make_student("Anna Visser", young, guardian_id=cls.parent.id)
            | cls.make_student("Bas Visser", teen, guardian_id=cls.parent.id)
            | cls.make_student("Cas Visser", young.replace(day=2), guardian_id=cls.parent.id)
        )
        cls.no_email = cls.make_student("Kees Mulder", "1985-06-01")
        cls.no_address = cls.make_student("Noor Smit", "1988-03-03", email="noor@example.nl", street=False)
        cls.waiting = cls.make_student("Lotte Smit", "2001-02-03", email="lotte@example.nl", state="waiting")

    @classmethod
    def make_partner(cls, name, email):
        return cls.env["res.partner"].create(
            {"name": name, "email": email, "street": "Oudegracht 12", "zip": "3511 AB", "city": "Utrecht"}
        )

    @classmethod
    def make_student(cls, name, birthdate, state="active", **vals):
        student = cls.env["mph.student"].create(
            {
                "name": name,
                "birthdate": birthdate,
                "street": "Oudegracht 12",
                "zip": "3511 AB",
                "city": "Utrecht",
                "country_id": cls.nl.id,
                "company_id": False,
                **vals,
            }
        )
        enrollment = {"student_id": student.id, "lesson_type_id": cls.piano.id, "state": state}
        if state == "active":
            enrollment.update(teacher_id=cls.teacher.id, date_start="2024-09-01")
        cls.env["mph.enrollment"].create(enrollment)
        return student

    def run_wizard(self, user=None, send=True):
        Wizard = self.env["mph.contribution.invoice.wizard"].with_user(user or self.user_finance)
        wizard = Wizard.create({"season_id": self.season.id, "send_email": send})
        wizard.action_invoice()
        return wizard

    def invoice_of(self, student):
        return (
            self.env["account.move.line"]
            .search([("mph_student_id", "in", student.ids), ("mph_season_id", "=", self.season.id)])
            .move_id
        )


@tagged("post_install", "-at_install", "mph_invoicing")
class TestContributionInvoicing(MphInvoicingCommon):
    def test_preview(self):
        wizard = (
            self.env["mph.contribution.invoice.wizard"]
            .with_user(self.user_finance)
            .create({"season_id": self.season.id})
        )
        # Sanne, Daan's guardian, the Vissers' parent, Kees.
        self.assertEqual(wizard.invoice_count, 4)
        self.assertEqual(wizard.student_count, 6)
        self.assertEqual(wizard.amount_total, 120 + 90 + (90 + 90 + 90) + 120)
        skipped = {line.student_id: line.reason for line in wizard.skipped_line_ids}
        self.assertEqual(skipped, {self.waiting: "no_enrollment", self.no_address: "no_address"})
        # The skipped table has its own title with this count (issue 16).
        self.assertEqual(wizard.skipped_count, 2)
        self.assertFalse(self.env["account.move"].search([("partner_id", "=", self.adult.partner_id.id)]))

    def test_result_dialog_has_a_title(self):
        Wizard = self.env["mph.contribution.invoice.wizard"].with_user(self.user_finance)
        wizard = Wizard.create({"season_id": self.season.id})
        result = wizard.action_invoice()
        # Without a name the dialog is titled "Odoo".
        self.assertEqual(result["name"], "Contributions invoiced")
        self.assertEqual((result["res_id"], wizard.state, wizard.skipped_count), (wizard.id, "done", 0))

    def test_single_student(self):
        wizard = self.run_wizard()
        move = self.invoice_of(self.adult)
        self.assertIn(move, wizard.move_ids)
        self.assertRecordValues(
            move,
            [
                {
                    "partner_id": self.adult.partner_id.id,
                    "state": "posted",
                    "move_type": "out_invoice",
                    "journal_id": self.journal.id,
                    "invoice_payment_term_id": self.pay_terms_a.id,
                    "amount_total": 120.0,
                    "amount_tax": 0.0,
                }
            ],
        )
        line = move.invoice_line_ids
        self.assertEqual(len(line), 1)
        self.assertFalse(line.tax_ids, "no VAT unless finance chooses one")
        self.assertEqual(line.product_id, self.env.ref("mph_school.product_contribution"))
        # The pupil's name and nothing more personal.
        self.assertEqual(line.name, f"Yearly contribution {self.season.name} - Sanne Bakker")
        self.assertEqual(self.company.chart_template, "nl")
        self.assertEqual(line.account_id.company_ids, self.company)

    def test_minor_with_guardian(self):
        self.run_wizard()
        move = self.invoice_of(self.minor)
        self.assertEqual(move.partner_id, self.guardian, "the guardian of a minor pays")
        self.assertEqual(move.amount_total, 90.0, "the reduced amount for minors")
        self.assertNotIn(self.guardian.email, move.invoice_line_ids.name)

    def test_family_of_three_children(self):
        self.run_wizard()
        move = self.invoice_of(self.children[0])
        self.assertEqual(len(move), 1)
        self.assertEqual(move.partner_id, self.parent)
        self.assertEqual(move.invoice_line_ids.mph_student_id, self.children, "one invoice, one line per child")
        self.assertEqual(move.amount_total, 270.0)
        self.assertEqual(self.invoice_of(self.children[1]), move)

    def test_one_invoice_per_child_when_configured(self):
        self.season.invoice_per_family = False
        self.run_wizard()
        moves = self.invoice_of(self.children)
        self.assertEqual(len(moves), 3)
        self.assertEqual(moves.partner_id, self.parent)

    def test_rerun_creates_nothing_new(self):
        first = self.run_wizard()
        self.assertEqual(len(first.move_ids), 4)
        lines_before = self.env["account.move.line"].search_count([("mph_season_id", "=", self.season.id)])
        second = self.run_wizard()
        self.assertFalse(second.move_ids)
        self.assertEqual(
            self.env["account.move.line"].search_count([("mph_season_id", "=", self.season.id)]), lines_before
        )
        preview = self.env["mph.contribution.invoice.wizard"].create({"season_id": self.season.id})
        self.assertEqual(preview.invoice_count, 0)
        reasons = dict(zip(preview.skipped_line_ids.student_id, preview.skipped_line_ids.mapped("reason"), strict=True))
        self.assertEqual(reasons[self.adult], "invoiced")
        # A pupil who starts later in the year is invoiced by the next run, alone.
        late = self.make_student("Mila Jansen", "1999-01-01", email="mila@example.nl")
        third = self.run_wizard()
        self.assertEqual(third.move_ids.invoice_line_ids.mph_student_id, late)

    def test_database_refuses_a_second_line_for_a_pupil_and_season(self):
        self.run_wizard(send=False)
        invoice = self.init_invoice("out_invoice", partner=self.adult.partner_id, amounts=[120.0])
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.env.cr.savepoint():
            invoice.invoice_line_ids.write({"mph_student_id": self.adult.id, "mph_season_id": self.season.id})
            invoice.flush_recordset()

    def test_posted_as_odoo_posts_one_invoice(self):
        """The batched path gives what Odoo's own post of one invoice gives:
        checked, the customer following with the default subtypes, a number."""
        self.run_wizard(send=False)
        ours = self.invoice_of(self.adult)
        reference = self.init_invoice(
            "out_invoice",
            partner=self.guardian,
            amounts=[120.0],
            journal=self.journal,
            invoice_date=ours.invoice_date,
        )
        reference.action_post()
        for move in ours | reference:
            self.assertTrue(move.checked)
            self.assertEqual(move.message_partner_ids, move.partner_id)
            self.assertTrue(move.name.startswith(reference.name.rsplit("/", 1)[0]), move.name)
        self.assertEqual(ours.message_follower_ids.subtype_ids, reference.message_follower_ids.subtype_ids)
        self.assertTrue(ours.message_follower_ids.subtype_ids)
        # Numbers follow each other without gaps over the run.
        numbers = sorted(self.invoice_of(self.env["mph.student"].search([])).mapped("sequence_number"))
        self.assertEqual(numbers, list(range(numbers[0], numbers[0] + len(numbers))))

    def test_fiscal_position_as_odoo_computes_it(self):
        FiscalPosition = self.env["account.fiscal.position"]
        manual = FiscalPosition.create({"name": "Handmatig (test)", "company_id": self.company.id})
        self.guardian.with_company(self.company).property_account_position_id = manual
        # A payer with a delivery contact in Belgium: left to Odoo's own computation.
        self.env["res.partner"].create(
            {
                "name": "Visser (Antwerpen)",
                "type": "delivery",
                "parent_id": self.parent.id,
                "country_id": self.env.ref("base.be").id,
            }
        )
        self.run_wizard(send=False)
        moves = self.invoice_of(self.env["mph.student"].search([]))
        self.assertEqual(len(moves), 4)
        self.assertEqual(self.invoice_of(self.minor).fiscal_position_id, manual)
        for move in moves:
            with self.subTest(payer=move.partner_id.name):
                expected = FiscalPosition.with_company(self.company)._get_fiscal_position(
                    move.partner_id, delivery=move.partner_shipping_id
                )
                self.assertEqual(move.fiscal_position_id, expected)
        self.assertEqual(self.invoice_of(self.children).partner_shipping_id.name, "Visser (Antwerpen)")

    def preview(self):
        wizard = (
            self.env["mph.contribution.invoice.wizard"]
            .with_user(self.user_finance)
            .create({"season_id": self.season.id})
        )
        return wizard, dict(
            zip(wizard.skipped_line_ids.student_id, wizard.skipped_line_ids.mapped("reason"), strict=True)
        )

    def test_cancelled_invoice_no_longer_counts(self):
        self.run_wizard(send=False)
        family = self.invoice_of(self.children)
        first_adult = self.invoice_of(self.adult)
        # Finance cancels the Vissers' invoice (reset to draft, then cancel).
        family.with_user(self.user_finance).button_draft()
        family.with_user(self.user_finance).button_cancel()
        self.assertEqual(family.state, "cancel")
        wizard, skipped = self.preview()
        self.assertEqual((wizard.invoice_count, wizard.student_count), (1, 3), "the three children, once more")
        self.assertEqual(wizard.amount_total, 270.0)
        self.assertFalse(set(self.children.ids) & set(s.id for s in skipped), "invoiceable again")
        self.assertEqual(skipped[self.adult], "invoiced", "the other invoices still count")
        again = self.run_wizard(send=False)
        self.assertEqual(len(again.move_ids), 1)
        self.assertEqual(again.move_ids.partner_id, self.parent)
        self.assertEqual(again.move_ids.state, "posted")
        self.assertEqual(again.move_ids.invoice_line_ids.mph_student_id, self.children)
        self.assertEqual(again.move_ids.amount_total, 270.0)
        self.assertEqual(self.invoice_of(self.children), family | again.move_ids, "the cancelled one stays, as it was")
        self.assertEqual(self.invoice_of(self.adult), first_adult)
        # Idempotent again for the new invoice: a third run finds nothing.
        third = self.run_wizard(send=False)
        self.assertFalse(third.move_ids)
        _wizard, skipped = self.preview()
        self.assertEqual({skipped[child] for child in self.children}, {"invoiced"})

    def test_cancelled_invoice_cannot_return_once_invoiced_again(self):
        self.run_wizard(send=False)
        cancelled = self.invoice_of(self.adult)
        cancelled.button_draft()
        cancelled.button_cancel()
        self.run_wizard(send=False)
        with self.assertRaisesRegex(UserError, "Sanne Bakker already has another contribution invoice"):
            cancelled.with_user(self.user_finance).button_draft()
        self.assertEqual(cancelled.state, "cancel")
        # The database refuses it too, whatever the code path.
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.env.cr.savepoint():
            self.env.cr.execute(
                "UPDATE account_move_line SET parent_state = 'draft' WHERE move_id = %s", [cancelled.id]
            )

    def test_cancelled_invoice_returns_when_not_invoiced_again(self):
        self.run_wizard(send=False)
        move = self.invoice_of(self.adult)
        move.button_draft()
        move.button_cancel()
        move.button_draft()
        move.action_post()
        self.assertEqual(move.state, "posted")
        _wizard, skipped = self.preview()
        self.assertEqual(skipped[self.adult], "invoiced")
        self.assertFalse(self.run_wizard(send=False).move_ids)

    def test_payer_without_email_is_reported_and_the_rest_proceeds(self):
        wizard = self.run_wizard()
        self.assertEqual(len(wizard.move_ids), 4, "Kees is invoiced: only the e-mail is missing")
        kees = self.invoice_of(self.no_email)
        self.assertEqual(kees.state, "posted")
        self.assertFalse(kees.sending_data, "nothing queued without an address")
        self.assertIn("Not sent (no e-mail address): Kees Mulder", wizard.result_message)
        for other in wizard.move_ids - kees:
            self.assertEqual(other.sending_data["author_user_id"], self.user_finance.id)

    def test_failure_for_one_payer_is_reported_and_the_rest_proceeds(self):
        # A guardian's contact belonging to another company cannot be invoiced here.
        other = self.env["res.company"].create({"name": "Andere Stichting"})
        self.guardian.company_id = other
        wizard = self.run_wizard(send=False)
        self.assertEqual(len(wizard.move_ids), 3)
        self.assertFalse(self.invoice_of(self.minor), "nothing half-made for the failed payer")
        self.assertTrue(self.invoice_of(self.adult) and self.invoice_of(self.children))
        self.assertIn("Not invoiced, Esther de Vries", wizard.result_message)
        # Once fixed, the next run invoices that payer only.
        self.guardian.company_id = False
        again = self.run_wizard(send=False)
        self.assertEqual(again.move_ids.partner_id, self.guardian)

    def test_settings_are_checked(self):
        self.season.contribution_amount = 0
        with self.assertRaises(UserError):
            self.run_wizard()
        self.assertFalse(self.env["account.move"].search([("journal_id", "=", self.journal.id)]))

    def test_wizard_form(self):
        form = Form(self.env["mph.contribution.invoice.wizard"].with_user(self.user_finance))
        form.season_id = self.season
        self.assertEqual(form.invoice_count, 4)
        wizard = form.save()
        wizard.action_invoice()
        self.assertEqual(wizard.state, "done")
        action = wizard.action_view_invoices()
        self.assertEqual(self.env["account.move"].search(action["domain"]), wizard.move_ids)

    def test_pdf_is_rendered_and_mail_queued_with_it(self):
        # wkhtmltopdf fetches the report's assets from this test server, which
        # must see this test's transaction.
        self.registry.enter_test_mode(self.cr)
        self.addCleanup(self.registry.leave_test_mode)
        self.env["ir.config_parameter"].set_param("report.url", f"http://127.0.0.1:{config['http_port']}")
        wizard = self.run_wizard()
        move = self.invoice_of(self.adult)
        self.env["account.move"].with_context(force_report_rendering=True)._cron_account_move_send(job_count=10)
        self.assertFalse(wizard.move_ids.filtered("sending_data"), "every queued invoice was processed")
        self.assertTrue(move.is_move_sent)
        pdf = move.invoice_pdf_report_id
        self.assertTrue(pdf.raw.startswith(b"%PDF"), "rendered by wkhtmltopdf")
        mail = self.env["mail.mail"].search([("model", "=", "account.move"), ("res_id", "=", move.id)])
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, "outgoing", "queued, sent by the mail queue")
        self.assertIn(self.adult.partner_id, mail.recipient_ids)
        self.assertEqual(mail.attachment_ids.mapped("raw"), [pdf.raw])
        self.assertTrue(mail.attachment_ids.name.endswith(".pdf"))
        self.assertFalse(
            self.env["mail.mail"].search(
                [("model", "=", "account.move"), ("res_id", "=", self.invoice_of(self.no_email).id)]
            )
        )

    def test_cron_is_off_and_invoices_when_due(self):
        cron = self.env.ref("mph_school.ir_cron_invoice_contributions")
        self.assertFalse(cron.active)
        self.season.invoice_date = self.season.date_start
        self.env["mph.contribution.invoicing"]._cron_invoice_contributions()
        self.assertEqual(len(self.invoice_of(self.env["mph.student"].search([]))), 4)
        self.env["mph.contribution.invoicing"]._cron_invoice_contributions()
        self.assertEqual(self.env["account.move.line"].search_count([("mph_season_id", "=", self.season.id)]), 6)

    def test_cron_runner_invoices_a_chunk_per_call(self):
        """Through the cron runner: one chunk of invoices per call, each
        committed by the runner, until every payer is invoiced."""
        cron = self.env.ref("mph_school.ir_cron_invoice_contributions")
        cron.active = True
        self.season.invoice_date = self.season.date_start
        Progress = self.env["ir.cron.progress"]
        with patch("odoo.addons.mph_school.models.mph_contribution_invoicing.INVOICE_CHUNK", 3):
            run_cron(self, cron)
        progress = Progress.search([("cron_id", "=", cron.id)], order="id")
        self.assertEqual(progress.mapped("done"), [3, 1])
        self.assertEqual(progress.mapped("remaining"), [1, 0])
        self.assertEqual(len(self.invoice_of(self.env["mph.student"].search([]))), 4)
        self.assertEqual(self.env["account.move.line"].search_count([("mph_season_id", "=", self.season.id)]), 6)
        self.assertTrue(all(move.state == "posted" for move in self.invoice_of(self.env["mph.student"].search([]))))

    def test_legal_hold_while_unpaid(self):
        pupils = self.adult | self.minor | self.children | self.no_email
        self.assertFalse(pupils._get_legal_hold_students())
        self.run_wizard(send=False)
        self.assertEqual(pupils._get_legal_hold_students(), pupils)
        # The adult pays: released; the Vissers pay partly: still held.
        for move, amount in ((self.invoice_of(self.adult), 120.0), (self.invoice_of(self.children), 100.0)):
            self.env["account.payment.register"].with_context(active_model="account.move", active_ids=move.ids).create(
                {"amount": amount}
            )._create_payments()
        self.assertIn(self.invoice_of(self.adult).payment_state, ("paid", "in_payment"))
        self.assertEqual(pupils._get_legal_hold_students(), pupils - self.adult)
        # The explicit flag still holds on its own.
        self.adult.legal_hold = True
        self.assertIn(self.adult, pupils._get_legal_hold_students())


@tagged("post_install", "-at_install", "mph_invoicing", "mph_access")
class TestInvoicingAccess(MphInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["mph.contribution.invoice.wizard"].create(
            {"season_id": cls.season.id, "send_email": False}
        ).action_invoice()
        cls.moves = cls.env["account.move.line"].search([("mph_season_id", "=", cls.season.id)]).move_id
        cls.persons = cls.adult.partner_id | cls.minor.partner_id | cls.guardian | cls.parent

    def test_finance_runs_it_and_reads_invoices_not_birthdates(self):
        finance_moves = self.env["account.move"].with_user(self.user_finance).search([("id", "in", self.moves.ids)])
        self.assertEqual(finance_moves, self.moves)
        self.assertIn("Sanne Bakker", finance_moves.invoice_line_ids.mph_student_id.mapped("name"))
        self.assertEqual(self.guardian.with_user(self.user_finance).read(["street"])[0]["street"], "Oudegracht 12")
        for field in ("birthdate", "phone", "note", "enrollment_ids", "guardian_id"):
            with self.subTest(field=field), self.assertRaises(AccessError):
                self.minor.with_user(self.user_finance).read([field])
        with self.assertRaises(AccessError):
            self.env["mph.enrollment"].with_user(self.user_finance).search([])
        # Finance may record a payment: Odoo's accounting after posting.
        move = self.invoice_of(self.adult).with_user(self.user_finance)
        self.env["account.payment.register"].with_user(self.user_finance).with_context(
            active_model="account.move", active_ids=move.ids
        ).create({})._create_payments()
        self.assertIn(move.payment_state, ("paid", "in_payment"))

    def test_finance_cannot_write_pupils_or_read_their_chatter(self):
        message = self.guardian.message_post(body="Belt liever 's avonds", message_type="comment")
        student_message = self.minor.message_post(body="Gesprek over lestijden", message_type="comment")
        Message = self.env["mail.message"].with_user(self.user_finance)
        for msg in message | student_message:
            with self.subTest(message=msg.body), self.assertRaises(AccessError):
                Message.browse(msg.id).read(["body"])
        self.assertFalse(Message.search([("id", "in", (message | student_message).ids)]))
        with self.assertRaises(AccessError):
            self.guardian.with_user(self.user_finance).write({"name": "Gewijzigd"})
        with self.assertRaises(AccessError):
            self.minor.with_user(self.user_finance).write({"name": "Gewijzigd"})
        # The coordinator does read it: the denial is the rule, not the fixture.
        self.assertEqual(
            self.env["mail.message"].with_user(self.user_coordinator).browse(message.id).body, message.body
        )

    def test_aggregated_roles_and_teachers_reach_no_invoice_or_person(self):
        for user in self.user_artistic | self.user_director | self.user_teacher:
            with self.subTest(user=user.login):
                for model in ("account.move", "account.move.line"):
                    records = self.moves if model == "account.move" else self.moves.line_ids
                    Model = self.env[model].with_user(user)
                    try:
                        found = Model.search([("id", "in", records.ids)])
                    except AccessError:
                        found = Model.browse()
                    self.assertFalse(found)
                    with self.assertRaises(AccessError):
                        Model.browse(records[0].id).read(["partner_id"])
                with self.assertRaises(AccessError):
                    self.env["mph.contribution.invoice.wizard"].with_user(user).create({"season_id": self.season.id})
                # A teacher does reach the contacts of their own running pupils (the policy).
                persons = (
                    self.persons - (self.adult | self.minor).partner_id if user == self.user_teacher else self.persons
                )
                Partner = self.env["res.partner"].with_user(user)
                self.assertFalse(Partner.search([("id", "in", persons.ids)]))
                for partner in persons:
                    with self.assertRaises(AccessError):
                        Partner.browse(partner.id).read(["name"])
        # Finance does reach them: the denial is the rules, not a broken fixture.
        self.assertEqual(
            self.env["res.partner"].with_user(self.user_finance).search([("id", "in", self.persons.ids)]), self.persons
        )

    def test_settings_are_finance_only(self):
        with self.assertRaises(AccessError):
            self.season.with_user(self.user_artistic).read(["contribution_amount"])
        with self.assertRaises(AccessError):
            self.season.with_user(self.user_coordinator).write({"contribution_amount": 1})
        self.season.with_user(self.user_finance).write({"contribution_amount": 130})
        self.assertEqual(self.season.contribution_amount, 130)
        # The artistic manager still reads the school years themselves.
        self.assertEqual(self.season.with_user(self.user_artistic).read(["name"])[0]["name"], self.season.name)
