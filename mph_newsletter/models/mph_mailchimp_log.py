from odoo import fields, models


class MphMailchimpLog(models.Model):
    """One row per sync run or webhook problem, for the coordinator."""

    _name = "mph.mailchimp.log"
    _description = "Mailchimp Sync Log"
    _order = "id desc"

    operation = fields.Selection(
        [("push", "Push subscribers"), ("delete", "Permanent deletion"), ("webhook", "Webhook")],
        required=True,
        readonly=True,
    )
    state = fields.Selection([("ok", "OK"), ("error", "Error")], required=True, readonly=True)
    requests = fields.Integer(string="HTTP requests", readonly=True)
    count_ok = fields.Integer(string="Succeeded", readonly=True)
    count_error = fields.Integer(string="Failed", readonly=True)
    message = fields.Text(readonly=True)
