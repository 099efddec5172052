from odoo import models


class MphStudentLegalHold(models.AbstractModel):
    """The legal hold of a pupil: the extension point the retention job
    (``mph.retention``) asks before it destroys data. Inherited by
    ``mph.student``; the contribution invoicing is a reason of its own
    (an unpaid invoice), so its query lives here too."""

    _name = "mph.student.legal.hold"
    _description = "Pupil: legal hold"

    def _get_legal_hold_students(self):
        """The pupils in ``self`` whose data must not be destroyed now, for
        example because of an unpaid invoice. Modules that create such
        reasons (invoicing) extend this; the retention job asks it.

        Held: the explicit flag, and every pupil on a posted contribution
        invoice that is not (fully) paid, or whose payer has one (the fiscal
        record of a family's debt must outlive each child's retention)."""
        held = self.filtered("legal_hold")
        students = self.sudo()
        payers = students.payer_id.commercial_partner_id
        unpaid = (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("payment_state", "in", ("not_paid", "partial")),
                    ("invoice_line_ids.mph_student_id", "!=", False),
                    "|",
                    ("invoice_line_ids.mph_student_id", "in", students.ids),
                    ("commercial_partner_id", "in", payers.ids),
                ]
            )
        )
        if not unpaid:
            return held
        on_invoice = unpaid.invoice_line_ids.mph_student_id
        debtors = unpaid.commercial_partner_id
        return held | self.filtered(
            lambda s: s.sudo() in on_invoice or s.sudo().payer_id.commercial_partner_id in debtors
        )
