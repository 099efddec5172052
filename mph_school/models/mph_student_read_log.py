from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.http import request
from odoo.tools import SQL, drop_view_if_exists

# What waits to be written at the end of the transaction ({(user, moment,
# channel, address): [(pupil, guardian), ...]}), and per user the (pupil,
# guardian) pairs already logged in it: one row per pair per request,
# however often the web client reads the same pupil.
PENDING_KEY = "mph_school.read_log.pending"
SEEN_KEY = "mph_school.read_log.seen"


def read_write(method):
    """Mark an RPC method that reads pupils as read/write: it logs the read,
    so a read-only cursor would fail on the insert and the server would run
    the whole request a second time."""
    method._readonly = False
    return method


class MphStudentReadBatch(models.Model):
    """What one user read in one request: the pupils (and, in parallel, the
    guardian's contact where that is what was read) as two integer arrays in
    one row. Reading a list of 3,000 pupils costs one small insert instead
    of 3,000 rows with their foreign keys and index entries. Only ids, no
    personal data; nobody reads this table directly: the coordinator reads
    ``mph.student.read.log``, a view with one row per pupil read."""

    _name = "mph.student.read.batch"
    _description = "Pupil Read Log (one request)"
    _order = "date desc, id desc"
    _rec_name = "date"
    _log_access = False

    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    user_id = fields.Many2one("res.users", string="Read by", required=True, readonly=True, ondelete="cascade")
    channel = fields.Selection([("backoffice", "Back office"), ("portal", "Portal")], required=True, readonly=True)
    remote_addr = fields.Char(string="From address", readonly=True)

    def init(self):
        res = super().init()
        # Parallel arrays: student_ids[i] was read, as their own contact
        # (guardian_ids[i] NULL) or as their guardian's contact.
        self.env.cr.execute(
            "ALTER TABLE mph_student_read_batch"
            " ADD COLUMN IF NOT EXISTS student_ids integer[] NOT NULL DEFAULT '{}',"
            " ADD COLUMN IF NOT EXISTS guardian_ids integer[] NOT NULL DEFAULT '{}'"
        )
        return res

    @api.model
    def _forget_students(self, student_ids):
        """Take deleted pupils out of the batches (an erasure leaves not even
        their number behind)."""
        if not student_ids:
            return
        gone = set(student_ids)
        for entries in (self.env.cr.precommit.data.get(PENDING_KEY) or {}).values():
            entries[:] = [entry for entry in entries if entry[0] not in gone]
        self.env.cr.execute(
            SQL(
                """
                UPDATE mph_student_read_batch b
                   SET student_ids = kept.students, guardian_ids = kept.guardians
                  FROM (SELECT b2.id,
                               coalesce(array_agg(u.s ORDER BY u.n) FILTER (WHERE u.keep), '{}') AS students,
                               coalesce(array_agg(u.g ORDER BY u.n) FILTER (WHERE u.keep), '{}') AS guardians
                          FROM mph_student_read_batch b2,
                               LATERAL (SELECT s, g, n, s <> ALL(%(ids)s) AS keep
                                          FROM unnest(b2.student_ids, b2.guardian_ids) WITH ORDINALITY AS x(s, g, n)) u
                         WHERE b2.student_ids && %(ids)s
                         GROUP BY b2.id) AS kept
                 WHERE b.id = kept.id
                """,
                ids=list(student_ids),
            )
        )


class MphStudentReadLog(models.Model):
    """Who read which pupil's personal fields, when and from where
    (back office or portal): one row per pupil read, unfolded from the
    request batches (``mph.student.read.batch``). Append-only: rows are
    written by the system when a user reads a pupil or the contact of a
    pupil or guardian, and only removed by the purge after the period in the
    settings. It holds no personal data beyond record references."""

    _name = "mph.student.read.log"
    _description = "Pupil Read Log"
    _order = "date desc, id desc"
    _rec_name = "date"
    _auto = False

    # A row's id: its batch's id times this, plus its place in the batch.
    ID_FACTOR = 1 << 20

    date = fields.Datetime(readonly=True)
    user_id = fields.Many2one("res.users", string="Read by", readonly=True)
    student_id = fields.Many2one("mph.student", string="Pupil", readonly=True)
    guardian_id = fields.Many2one(
        "res.partner",
        string="Guardian's contact",
        readonly=True,
        help="Set when what was read is the contact of the pupil's parent or guardian.",
    )
    channel = fields.Selection([("backoffice", "Back office"), ("portal", "Portal")], readonly=True)
    remote_addr = fields.Char(string="From address", readonly=True)

    def init(self):
        drop_view_if_exists(self.env.cr, self._table)
        # A deleted pupil is taken out of the batches when it is deleted
        # (mph.student.unlink); rows about a guardian's contact deleted since
        # are left out here, as a foreign key with ondelete cascade would
        # have removed them. (No join with mph_student: this model's table
        # is made before the pupils' one on a new database.)
        self.env.cr.execute(
            SQL(
                """
                CREATE VIEW mph_student_read_log AS (
                    SELECT b.id::bigint * %(factor)s + u.n AS id,
                           b.date, b.user_id, u.student_id, u.guardian_id, b.channel, b.remote_addr
                      FROM mph_student_read_batch b,
                           unnest(b.student_ids, b.guardian_ids) WITH ORDINALITY AS u(student_id, guardian_id, n)
                     WHERE u.guardian_id IS NULL
                        OR EXISTS (SELECT 1 FROM res_partner p WHERE p.id = u.guardian_id)
                )
                """,
                factor=self.ID_FACTOR,
            )
        )

    def write(self, vals):
        if self:
            raise AccessError(self.env._("The read log cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        # Only the purge removes rows, by removing their request's batch.
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
        if PENDING_KEY not in data:
            data[PENDING_KEY] = {}
            cr.precommit.add(self._write_pending)
        uid = self.env.uid
        seen = data.setdefault(SEEN_KEY, {}).setdefault(uid, set())
        new = [entry for entry in dict.fromkeys(entries) if entry not in seen]
        if not new:
            return
        seen.update(new)
        channel = "portal" if self.env.user.share else "backoffice"
        remote_addr = request.httprequest.remote_addr if request else None
        data[PENDING_KEY].setdefault((uid, fields.Datetime.now(), channel, remote_addr), []).extend(new)
        if cr.readonly:
            # Fail now rather than at the commit: the server retries the
            # request on a read/write cursor before rendering any answer.
            self._write_pending()

    @api.model
    def _write_pending(self):
        pending = self.env.cr.precommit.data.get(PENDING_KEY)
        if not pending:
            return
        rows = []
        for key, entries in pending.items():
            # Array literals as text: one parameter per array, however long.
            students = "{" + ",".join(str(student_id) for student_id, _guardian in entries) + "}"
            guardians = "{" + ",".join(str(guardian_id or "NULL") for _student, guardian_id in entries) + "}"
            rows.append(SQL("(%s, %s, %s, %s, %s::integer[], %s::integer[])", *key, students, guardians))
        pending.clear()
        # One statement for the request: a row per reader and moment.
        self.env.cr.execute(
            SQL(
                "INSERT INTO mph_student_read_batch (user_id, date, channel, remote_addr, student_ids, guardian_ids)"
                " VALUES %s",
                SQL(", ").join(rows),
            )
        )

    # ------------------------------------------------------------
    # Purge
    # ------------------------------------------------------------

    @api.model
    def _cron_purge(self):
        days = self.env["mph.settings"]._get("mph_school.read_log_days")
        limit = fields.Datetime.now() - relativedelta(days=days)
        self._write_pending()
        self.env["mph.student.read.batch"].sudo().search([("date", "<", limit)]).unlink()
        return True
