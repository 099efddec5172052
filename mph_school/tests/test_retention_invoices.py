from freezegun import freeze_time

from odoo.tests import tagged

from .test_invoicing import MphInvoicingCommon


@tagged("post_install", "-at_install", "mph_retention", "mph_invoicing")
class TestRetentionLastInvoice(MphInvoicingCommon):
    """Destruction waits for the later of the last enrolment end and the last
    posted invoice: seven years after the end of that calendar year."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Retention = cls.env["mph.retention"]
        cls.former = cls.make_student("Joris Meijer", "1980-05-05", email="joris@example.nl", state="stopped")
        cls.former.enrollment_ids.write({"date_start": "2012-09-01", "date_end": "2018-06-30"})
        cls.former.state = "archived"

    def invoice(self, invoice_date, partner, student=None, pay=True, post=True):
        move = self.init_invoice("out_invoice", partner=partner, invoice_date=invoice_date, amounts=[120.0])
        if student:
            move.invoice_line_ids.write({"mph_student_id": student.id})
        if post:
            move.action_post()
        if post and pay:  # paid: no legal hold, only the date counts
            self.env["account.payment.register"].with_context(active_model="account.move", active_ids=move.ids).create(
                {"payment_date": invoice_date}
            )._create_payments()
        return move

    def due(self, day):
        with freeze_time(day):
            _archive, destroy, held = self.Retention._get_due()
        self.assertNotIn(self.former, held, "a paid invoice is no legal hold")
        return self.former in destroy

    def test_enrolment_alone_decides_without_invoices(self):
        # Lessons ended in 2018: kept until the end of 2025.
        self.assertFalse(self.due("2025-12-31"))
        self.assertTrue(self.due("2026-01-01"))

    def test_recent_invoice_on_a_line_postpones_destruction(self):
        """Lessons ended 8 years ago, the guardian was invoiced for the pupil
        3 years ago: kept until the invoice year + 7 has passed."""
        self.invoice("2023-03-01", self.guardian, student=self.former)
        self.assertFalse(self.due("2027-01-01"), "ended 8 years ago, invoiced 3 years ago: kept")
        self.assertFalse(self.due("2030-12-31"))
        self.assertTrue(self.due("2031-01-01"))
        with freeze_time("2031-01-01"):
            result = self.Retention._run()
        self.assertEqual(result["destroyed"], 1)
        self.assertEqual(self.former.state, "anonymised")

    def test_invoice_to_the_pupil_as_partner_postpones_destruction(self):
        self.invoice("2022-11-15", self.former.partner_id)
        self.assertFalse(self.due("2029-12-31"))
        self.assertTrue(self.due("2030-01-01"))

    def test_cancelled_draft_and_old_invoices_do_not_extend(self):
        self.invoice("2023-03-01", self.former.partner_id, post=False)  # draft
        cancelled = self.invoice("2023-04-01", self.guardian, student=self.former, pay=False)
        cancelled.button_draft()
        cancelled.button_cancel()
        self.assertEqual(cancelled.state, "cancel")
        self.invoice("2017-01-10", self.former.partner_id)  # older than the last lessons
        self.assertTrue(self.due("2027-01-01"))

    def test_another_pupils_invoice_does_not_extend(self):
        self.invoice("2024-01-10", self.guardian, student=self.minor)
        self.assertTrue(self.due("2027-01-01"))
