from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.http import request
from odoo.tools import SQL

DEFAULT_READ_LOG_DAYS = 365

# Rows waiting to be written at the end of the transaction, and the
# (user, pupil, guardian) keys already logged in it: one row per key per
# request, however often the web client reads the same pupil.
PENDING_KEY = "mph_school.read_log.pending"
SEEN_KEY = "mph_school.read_log.seen"


def read_write(method):
    """Mark an RPC method that reads pupils as read/write: it logs the read,
    so a read-only cursor would fail on the insert and the server would run
    the whole request a second time."""
    method._readonly = False
    return method


class MphStudentReadLog(models.Model):
    """Who read which pupil's personal fields, when and from where
    (back office or portal). Append-only: rows are written by the system
    when a user reads a pupil or the contact of a pupil or guardian, and only
    removed by the purge after the period in the settings. It holds no
    personal data beyond record references."""

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
    guardian_id = fields.Many2one(
        "res.partner",
        string="Guardian's contact",
        readonly=True,
        ondelete="cascade",
        help="Set when what was read is the contact of the pupil's parent or guardian.",
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
    def _search(self, domain, *args, **kwargs):
        # Rows logged earlier in this transaction are found too.
        self._write_pending()
        return super()._search(domain, *args, **kwargs)

    # ------------------------------------------------------------
    # Logging
    # ------------------------------------------------------------

    @api.model
    def _log_reads(self, students):
        """Log that the current user read ``students`` (mph.student)."""
        self._log_entries([(student_id, None) for student_id in students.ids])

    @api.model
    def _log_partner_reads(self, partner_ids):
        """Log that the current user read the contacts ``partner_ids``: the
        pupils whose contact or whose guardian's contact is among them."""
        if self.env.su or not partner_ids:
            return
        ids = list(partner_ids)
        # Plain SQL: the reader may not see the pupil record, and archived
        # or anonymised pupils count too.
        self.env.cr.execute(
            SQL(
                "SELECT id, partner_id, guardian_id FROM mph_student"
                " WHERE partner_id = ANY(%s) OR guardian_id = ANY(%s)",
                ids,
                ids,
            )
        )
        wanted = set(ids)
        entries = []
        for student_id, partner_id, guardian_id in self.env.cr.fetchall():
            if partner_id in wanted:
                entries.append((student_id, None))
            if guardian_id in wanted:
                entries.append((student_id, guardian_id))
        self._log_entries(entries)

    @api.model
    def _log_entries(self, entries):
        """Queue one row per new (user, pupil, guardian) of this transaction;
        they are written in one statement before the commit, not one create
        per pupil."""
        if self.env.su or not entries:
            return
        cr = self.env.cr
        data = cr.precommit.data
        seen = data.setdefault(SEEN_KEY, set())
        if PENDING_KEY not in data:
            data[PENDING_KEY] = []
            cr.precommit.add(self._write_pending)
        pending = data[PENDING_KEY]
        uid = self.env.uid
        user = self.env.user
        channel = "portal" if user.share else "backoffice"
        remote_addr = request.httprequest.remote_addr if request else None
        now = fields.Datetime.now()
        for student_id, guardian_id in entries:
            key = (uid, student_id, guardian_id)
            if key not in seen:
                seen.add(key)
                pending.append((uid, student_id, guardian_id, now, channel, remote_addr))
        if cr.readonly:
            # Fail now rather than at the commit: the server retries the
            # request on a read/write cursor before rendering any answer.
            self._write_pending()

    @api.model
    def _write_pending(self):
        pending = self.env.cr.precommit.data.get(PENDING_KEY)
        if not pending:
            return
        rows = list(zip(*pending, strict=True))
        pending.clear()
        # Rows of a pupil or contact deleted later in the same transaction
        # are dropped instead of failing the commit on the foreign key.
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO mph_student_read_log (user_id, student_id, guardian_id, date, channel, remote_addr)
                SELECT r.user_id, r.student_id, r.guardian_id, r.date, r.channel, r.remote_addr
                  FROM unnest(%s::int[], %s::int[], %s::int[], %s::timestamp[], %s::varchar[], %s::varchar[])
                       AS r(user_id, student_id, guardian_id, date, channel, remote_addr)
                  JOIN mph_student s ON s.id = r.student_id
                 WHERE r.guardian_id IS NULL OR EXISTS (SELECT 1 FROM res_partner p WHERE p.id = r.guardian_id)
                """,
                *(list(column) for column in rows),
            )
        )

    # ------------------------------------------------------------
    # Purge
    # ------------------------------------------------------------

    @api.model
    def _cron_purge(self):
        value = self.env["ir.config_parameter"].sudo().get_param("mph_school.read_log_days")
        days = int(value) if value and value.isdigit() and int(value) > 0 else DEFAULT_READ_LOG_DAYS
        limit = fields.Datetime.now() - relativedelta(days=days)
        self.sudo().with_context(mph_read_log_purge=True).search([("date", "<", limit)]).unlink()
        return True
