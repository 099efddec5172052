from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.mph_contribution_invoicing import SKIP_REASONS


class MphContributionInvoiceWizard(models.TransientModel):
    """Jaarlijkse bijdrage factureren: finance picks a school year, sees what
    will be invoiced and what is skipped (and why), then creates, posts and
    e-mails the invoices in one go."""

    _name = "mph.contribution.invoice.wizard"
    _description = "Invoice the yearly contribution"

    season_id = fields.Many2one(
        "mph.season",
        string="School year",
        required=True,
        default=lambda self: self.env["mph.season"]._for_date(fields.Date.context_today(self)),
    )
    state = fields.Selection([("preview", "Preview"), ("done", "Done")], default="preview", required=True)
    send_email = fields.Boolean(string="Send by e-mail", default=True)
    currency_id = fields.Many2one(related="season_id.currency_id")
    invoice_count = fields.Integer(string="Invoices", compute="_compute_preview")
    student_count = fields.Integer(string="Pupils", compute="_compute_preview")
    amount_total = fields.Monetary(string="Total", compute="_compute_preview", currency_field="currency_id")
    skipped_count = fields.Integer(string="Skipped", compute="_compute_preview")
    skipped_line_ids = fields.One2many(
        "mph.contribution.invoice.wizard.line", "wizard_id", string="Skipped pupils", compute="_compute_preview"
    )
    move_ids = fields.Many2many("account.move", string="Invoices created", readonly=True)
    result_message = fields.Text(string="Result", readonly=True)

    @api.depends("season_id", "state")
    def _compute_preview(self):
        for wizard in self:
            if not wizard.season_id or wizard.state != "preview":
                wizard.update(
                    {
                        "invoice_count": 0,
                        "student_count": 0,
                        "amount_total": 0,
                        "skipped_count": 0,
                        "skipped_line_ids": False,
                    }
                )
                continue
            groups, skipped = self.env["mph.contribution.invoicing"]._contribution_plan(wizard.season_id)
            wizard.invoice_count = len(groups)
            wizard.student_count = sum(len(lines) for _payer, lines in groups)
            wizard.amount_total = sum(amount for _payer, lines in groups for _student, amount in lines)
            wizard.skipped_count = len(skipped)
            wizard.skipped_line_ids = [
                fields.Command.create({"student_id": student.id, "reason": reason}) for student, reason in skipped
            ]

    def action_invoice(self):
        """Create and post the invoices in one batch, then queue the e-mails."""
        self.ensure_one()
        if self.state != "preview":
            raise UserError(self.env._("These contributions have been invoiced already."))
        result = self.env["mph.contribution.invoicing"]._invoice_contributions(self.season_id, send=self.send_email)
        self.write(
            {
                "state": "done",
                "move_ids": [fields.Command.set(result["moves"].ids)],
                "result_message": self._result_message(result),
            }
        )
        return {
            "type": "ir.actions.act_window",
            # The result dialog's title (without one the dialog says "Odoo").
            "name": self.env._("Contributions invoiced"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def _result_message(self, result):
        lines = [
            self.env._(
                "%(count)s invoices created and posted for %(students)s pupils.",
                count=len(result["moves"]),
                students=len(result["moves"].invoice_line_ids.filtered("mph_student_id")),
            )
        ]
        if self.send_email and result["moves"]:
            lines.append(self.env._("The e-mails with the PDF invoice are queued and go out in the background."))
        lines.extend(self.env._("Not sent (no e-mail address): %s", payer.display_name) for payer in result["not_sent"])
        lines.extend(
            self.env._("Not invoiced, %(payer)s: %(error)s", payer=payer, error=error)
            for payer, error in result["failed"]
        )
        return "\n".join(lines)

    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice_type")
        action["domain"] = [("id", "in", self.move_ids.ids)]
        action["context"] = {"default_move_type": "out_invoice"}
        return action


class MphContributionInvoiceWizardLine(models.TransientModel):
    _name = "mph.contribution.invoice.wizard.line"
    _description = "Pupil skipped by the contribution invoicing"

    wizard_id = fields.Many2one("mph.contribution.invoice.wizard", required=True, ondelete="cascade")
    student_id = fields.Many2one("mph.student", string="Pupil", required=True, ondelete="cascade")
    reason = fields.Selection(SKIP_REASONS, required=True)
