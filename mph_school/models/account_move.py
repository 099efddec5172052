from odoo import api, fields, models
from odoo.exceptions import UserError

from ..groups import FINANCE

# The fiscal subset of an invoice: what it printed of the customer. Frozen on
# the invoice when the customer's contact is anonymised while fiscal law still
# keeps the invoice; erased when that statutory period ends.
FISCAL_FIELDS = {
    "mph_fiscal_name": "name",
    "mph_fiscal_street": "street",
    "mph_fiscal_street2": "street2",
    "mph_fiscal_zip": "zip",
    "mph_fiscal_city": "city",
    "mph_fiscal_country_id": "country_id",
    "mph_fiscal_vat": "vat",
}


class AccountMove(models.Model):
    _inherit = "account.move"

    mph_fiscal_name = fields.Char(string="Customer name (fiscal copy)", copy=False, groups=FINANCE)
    mph_fiscal_street = fields.Char(string="Street (fiscal copy)", copy=False, groups=FINANCE)
    mph_fiscal_street2 = fields.Char(string="Street 2 (fiscal copy)", copy=False, groups=FINANCE)
    mph_fiscal_zip = fields.Char(string="Postcode (fiscal copy)", copy=False, groups=FINANCE)
    mph_fiscal_city = fields.Char(string="City (fiscal copy)", copy=False, groups=FINANCE)
    mph_fiscal_country_id = fields.Many2one("res.country", string="Country (fiscal copy)", copy=False, groups=FINANCE)
    mph_fiscal_vat = fields.Char(string="Tax ID (fiscal copy)", copy=False, groups=FINANCE)
    mph_fiscal_frozen_date = fields.Date(
        string="Fiscal copy since",
        copy=False,
        readonly=True,
        groups=FINANCE,
        help="The customer's contact was anonymised on this date; the invoice keeps the name and address it "
        "was issued with until the statutory retention period ends.",
    )

    @api.model
    def _mph_fiscal_invoices(self, partners):
        """The issued customer invoices and credit notes of ``partners``: the
        documents fiscal law keeps."""
        return (
            self.sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("move_type", "in", ("out_invoice", "out_refund")),
                    ("state", "!=", "draft"),
                    "|",
                    ("partner_id", "in", partners.ids),
                    ("commercial_partner_id", "in", partners.ids),
                ]
            )
        )

    def _mph_freeze_fiscal_copy(self):
        """Copy the customer's name and address onto the invoices, before the
        contact is anonymised; an invoice frozen earlier keeps its copy."""
        today = fields.Date.context_today(self)
        for move in self.sudo().filtered(lambda m: not m.mph_fiscal_frozen_date):
            partner = move.partner_id
            vals = {field: partner[source] for field, source in FISCAL_FIELDS.items()}
            vals["mph_fiscal_country_id"] = partner.country_id.id
            move.write({**vals, "mph_fiscal_frozen_date": today})

    def _mph_erase_fiscal_copy(self):
        """The statutory period has ended: erase the fiscal copy, the stored
        PDF as sent, the correspondence about the invoice and the pupils'
        names on its lines. Amounts, dates, accounts and taxes stay."""
        moves = self.sudo()
        moves.write({**dict.fromkeys(FISCAL_FIELDS, False), "mph_fiscal_frozen_date": False})
        moves.invoice_pdf_report_file = False
        moves._mph_remove_correspondence()
        # Not tracked: the change would keep the old label, name and all.
        lines = moves.with_context(tracking_disable=True, mail_notrack=True).invoice_line_ids
        for line in lines.filtered(lambda li: li.mph_student_id and li.mph_season_id):
            line.name = line.mph_season_id._contribution_line_label(line.mph_student_id)

    def _mph_remove_correspondence(self):
        """E-mails and notes on the invoices (they address the customer by
        name); tracking of the invoice itself stays."""
        self.env["mail.message"].sudo().search(
            [
                ("model", "=", self._name),
                ("res_id", "in", self.ids),
                ("message_type", "in", ("email", "email_outgoing", "comment")),
            ]
        ).unlink()

    def _mph_fiscal_address(self):
        """The fiscal copy for the invoice report, or False: only for finance
        (or the system printing on finance's behalf)."""
        self.ensure_one()
        if not (self.env.su or self.env.user.has_group(FINANCE)):
            return False
        move = self.sudo()
        if not move.mph_fiscal_frozen_date:
            return False
        return {
            "name": move.mph_fiscal_name,
            "street": move.mph_fiscal_street,
            "street2": move.mph_fiscal_street2,
            "zip_city": " ".join(filter(None, (move.mph_fiscal_zip, move.mph_fiscal_city))),
            "country": move.mph_fiscal_country_id.name,
            "vat": move.mph_fiscal_vat,
        }

    def button_draft(self):
        # A cancelled contribution invoice frees its pupils for a new one. Once
        # a pupil has been invoiced again, the cancelled invoice cannot come
        # back: say so instead of letting the database refuse it.
        cancelled_lines = self.filtered(lambda move: move.state == "cancel").sudo().line_ids
        contribution_lines = cancelled_lines.filtered(lambda line: line.mph_student_id and line.mph_season_id)
        for line in contribution_lines:
            other = (
                self.env["account.move.line"]
                .sudo()
                .search_count(
                    [
                        ("id", "not in", contribution_lines.ids),
                        ("mph_student_id", "=", line.mph_student_id.id),
                        ("mph_season_id", "=", line.mph_season_id.id),
                        ("parent_state", "!=", "cancel"),
                    ],
                    limit=1,
                )
            )
            if other:
                raise UserError(
                    self.env._(
                        "%(pupil)s already has another contribution invoice for school year %(season)s; "
                        "this cancelled invoice cannot be reset to draft.",
                        pupil=line.mph_student_id.name,
                        season=line.mph_season_id.name,
                    )
                )
        return super().button_draft()
