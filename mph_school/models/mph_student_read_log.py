from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.http import request

DEFAULT_READ_LOG_DAYS = 365


class MphStudentReadLog(models.Model):
    """Who read which pupil's personal fields, when and from where
    (back office or portal). Append-only: rows are written by the system
    when a user reads a pupil and only removed by the purge after the period
    in the settings. It holds no personal data of the pupil beyond the
    record reference."""

    _name = "mph.student.read.log"
    _description = "Pupil Read Log"
    _order = "date desc, id desc"
    _rec_name = "date"
    _log_access = False

    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    user_id = fields.Many2one("res.users", string="Read by", required=True, readonly=True, index=True)
    student_id = fields.Many2one(
        "mph.student", string="Pupil", required=True, readonly=True, index=True, ondelete="cascade"
    )
    channel = fields.Selection([("backoffice", "Back office"), ("portal", "Portal")], required=True, readonly=True)
    remote_addr = fields.Char(string="From address", readonly=True)

    def write(self, vals):
        if self:
            raise AccessError(self.env._("The read log cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_by_purge(self):
        if not self.env.context.get("mph_read_log_purge"):
            raise AccessError(self.env._("The read log cannot be deleted; it is purged automatically."))

    @api.model
    def _log_reads(self, students):
        user = self.env.user
        remote_addr = request.httprequest.remote_addr if request else False
        channel = "portal" if user.share else "backoffice"
        self.sudo().create(
            [
                {"user_id": user.id, "student_id": student_id, "channel": channel, "remote_addr": remote_addr}
                for student_id in students.ids
            ]
        )

    @api.model
    def _cron_purge(self):
        value = self.env["ir.config_parameter"].sudo().get_param("mph_school.read_log_days")
        days = int(value) if value and value.isdigit() and int(value) > 0 else DEFAULT_READ_LOG_DAYS
        limit = fields.Datetime.now() - relativedelta(days=days)
        self.sudo().with_context(mph_read_log_purge=True).search([("date", "<", limit)]).unlink()
        return True
