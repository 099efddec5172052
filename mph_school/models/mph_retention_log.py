from odoo import fields, models


class MphRetentionLog(models.Model):
    """What the retention job did, batch by batch: which rule, when, how many
    pupils. It holds no personal data (no names, no record ids), so it can be
    kept after the pupils are gone. Written by the job only."""

    _name = "mph.retention.log"
    _description = "Retention Log"
    _order = "date desc, id desc"
    _rec_name = "run_reference"

    run_reference = fields.Char(string="Run", required=True, readonly=True, index=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    rule = fields.Selection(
        [
            ("archive", "Passive archive"),
            ("destroy", "Destruction (statutory period ended)"),
            ("erasure", "Erasure on request"),
            ("hold", "Legal hold (skipped)"),
            ("fiscal", "Fiscal copies of invoices erased"),
        ],
        required=True,
        readonly=True,
    )
    trigger = fields.Selection(
        [("cron", "Daily job"), ("manual", "Manual")], required=True, readonly=True, default="manual"
    )
    batch = fields.Integer(readonly=True, help="Number of the batch within the run, from 1.")
    count = fields.Integer(string="Processed", readonly=True)
    failed_count = fields.Integer(
        string="Failed", readonly=True, help="Pupils skipped because of an error (see the server log)."
    )
    duration = fields.Float(string="Seconds", readonly=True, digits=(16, 3), help="Time the batch took.")
