from odoo import api, models


class AccountMoveSend(models.AbstractModel):
    _inherit = "account.move.send"

    @api.model
    def _send_mail(self, move, mail_template, **kwargs):
        # Contribution invoices go out by the thousand: leave their e-mails in
        # the outgoing mail queue (sent by its scheduled job, retried on SMTP
        # trouble) instead of sending each one inside the generating job.
        if move.sudo().invoice_line_ids.filtered("mph_season_id"):
            move = move.with_context(mail_notify_force_send=False)
        return super()._send_mail(move, mail_template, **kwargs)
