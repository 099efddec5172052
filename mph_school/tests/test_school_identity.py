from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged

from .test_invoicing import MphInvoicingCommon

# What Odoo and the website theme ship as examples; none may reach a person.
PLACEHOLDERS = ("YourCompany", "YourLogo", "555-555", "example.com", "Bedrijfsnaam", "Buena Vista", "Voorbeeldstraat")


@tagged("post_install", "-at_install", "mph_invoicing")
class TestContributionDueDate(MphInvoicingCommon):
    """The school year's payment term decides when a contribution invoice is due."""

    def test_new_school_year_pays_in_30_days(self):
        season = self.env["mph.season"].create(
            {"name": "2090-2091", "date_start": "2090-08-01", "date_end": "2091-07-31"}
        )
        self.assertEqual(season.payment_term_id, self.env.ref("account.account_payment_term_30days"))

    def test_due_date_follows_the_payment_term(self):
        invoice_date = fields.Date.context_today(self.season)
        self.season.write(
            {"invoice_date": invoice_date, "payment_term_id": self.env.ref("account.account_payment_term_30days").id}
        )
        self.run_wizard(send=False)
        move = self.invoice_of(self.adult)
        self.assertEqual(move.invoice_date, invoice_date)
        self.assertEqual(move.invoice_date_due, invoice_date + relativedelta(days=30))
        self.assertEqual(move.invoice_payment_term_id, self.season.payment_term_id)

        # Another term on the same school year: the next pupil's invoice follows it.
        self.season.payment_term_id = self.env.ref("account.account_payment_term_45days")
        late = self.make_student("Late Starter", "1980-05-05", email="late@example.nl")
        self.run_wizard(send=False)
        self.assertEqual(self.invoice_of(late).invoice_date_due, invoice_date + relativedelta(days=45))


@tagged("post_install", "-at_install")
class TestSchoolIdentity(TransactionCase):
    """The school's own name, address, bank account and logo are in the data,
    not Odoo's example company."""

    def test_company_is_the_school(self):
        company = self.env.ref("base.main_company")
        self.assertEqual(company.name, "Muziekpakhuis")
        self.assertEqual(company.country_id, self.env.ref("base.nl"))
        self.assertTrue(company.logo and company.street and company.zip and company.phone and company.email)
        for value in (company.street, company.phone, company.email, company.website, str(company.report_footer)):
            for placeholder in PLACEHOLDERS:
                self.assertNotIn(placeholder, value or "")
        bank = company.partner_id.bank_ids
        self.assertEqual(bank.mapped("acc_type"), ["iban"])
        self.assertTrue(bank.sanitized_acc_number.startswith("NL"))
        # The school's account is the one a new invoice of the company asks to pay into.
        move = self.env["account.move"].new({"move_type": "out_invoice", "company_id": company.id})
        self.assertEqual(move.partner_bank_id, bank)
