import logging
import uuid
from datetime import date

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)


class MphRetention(models.AbstractModel):
    """The privacy policy's retention: two years after the lessons stopped a
    pupil moves to the passive archive; after the statutory period the data is
    destroyed (anonymised), unless a legal hold keeps it. Run daily by a cron;
    every pupil is either fully processed or untouched."""

    _name = "mph.retention"
    _description = "Retention of Pupil Data"

    # ------------------------------------------------------------
    # Settings
    # ------------------------------------------------------------

    @api.model
    def _get_settings(self):
        settings = self.env["mph.settings"]
        return {
            "archive_months": settings._get("mph_school.retention_archive_months"),
            "retention_years": settings._get("mph_school.retention_years"),
            "batch_size": settings._get("mph_school.retention_batch_size"),
        }

    # ------------------------------------------------------------
    # Who is due
    # ------------------------------------------------------------

    @api.model
    def _archive_due_domain(self, today, settings):
        limit = today - relativedelta(months=settings["archive_months"])
        return [("state", "=", "stopped"), ("date_lessons_ended", "<=", limit)]

    @api.model
    def _destruction_due_domain(self, today, settings):
        """Pupils whose statutory period has ended: it runs until the end of
        the calendar year of the last enrolment end or of the last invoice,
        whichever is later, plus the retention years."""
        last_year = today.year - settings["retention_years"] - 1
        cutoff = date(last_year, 12, 31)
        ended = [("state", "in", ("stopped", "archived")), ("date_lessons_ended", "<=", cutoff)]
        return ended + self._invoiced_after_domain(ended, cutoff)

    @api.model
    def _invoiced_after_domain(self, ended, cutoff):
        """Keeps of the pupils of ``ended`` those without a posted invoice or
        credit note dated after ``cutoff``: neither as the pupil on one of
        its lines nor as its customer. Cancelled and draft invoices are no
        fiscal record and extend nothing. One SQL subquery with correlated
        NOT EXISTS: per pupil whose lessons ended long enough ago (few) an
        index lookup, so the cost does not grow with the invoices kept."""
        self.env["account.move"].flush_model(["move_type", "state", "invoice_date", "partner_id"])
        self.env["account.move.line"].flush_model(["mph_student_id", "parent_state", "invoice_date", "move_id"])
        kept = self._students()._search(ended)
        student = SQL.identifier(kept.table, "id")
        partner = SQL.identifier(kept.table, "partner_id")
        invoice_types = ("out_invoice", "out_refund")
        kept.add_where(
            SQL(
                """NOT EXISTS (
                       SELECT 1 FROM account_move_line l JOIN account_move m ON m.id = l.move_id
                        WHERE l.mph_student_id = %(student)s AND l.parent_state = 'posted'
                          AND l.invoice_date > %(cutoff)s AND m.move_type IN %(types)s)
                   AND NOT EXISTS (
                       SELECT 1 FROM account_move m
                        WHERE m.partner_id = %(partner)s AND m.state = 'posted'
                          AND m.invoice_date > %(cutoff)s AND m.move_type IN %(types)s)""",
                student=student,
                partner=partner,
                cutoff=cutoff,
                types=invoice_types,
            )
        )
        return [("id", "in", kept)]

    def _students(self):
        return self.env["mph.student"].sudo().with_context(active_test=False)

    @api.model
    def _get_due(self, today=None):
        """(to archive, to destroy, held) as recordsets of mph.student."""
        today = today or fields.Date.context_today(self)
        settings = self._get_settings()
        Student = self._students()
        destroy = Student.search(self._destruction_due_domain(today, settings), order="id")
        held = destroy._get_legal_hold_students()
        destroy -= held
        # A held pupil still moves to the passive archive.
        archive = Student.search(self._archive_due_domain(today, settings), order="id") - destroy
        return archive, destroy, held

    # ------------------------------------------------------------
    # The job
    # ------------------------------------------------------------

    @api.model
    def _cron_run(self):
        """Entry point of the daily cron: one batch per call, the cron runner
        commits after each and calls again while pupils remain (see
        mph.batch), so a crash loses at most the batch in progress and the
        next run picks it up."""
        return self._run(cron=True)

    @api.model
    def _run(self, today=None, cron=False):
        """Archive and destroy what is due. Outside the cron runner (tests,
        manual runs) everything is done in one call, in the caller's
        transaction; each batch is processed in its own savepoint, a failing
        batch pupil by pupil (see _process_batch)."""
        today = today or fields.Date.context_today(self)
        settings = self._get_settings()
        archive, destroy, held = self._get_due(today)
        job = self.env["mph.batch"]._mph_batch_run(per_call=cron)
        state = job.state
        Log = self.env["mph.retention.log"].sudo()
        if job.first:
            state.update(
                run_reference=f"{fields.Datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}",
                trigger="cron" if cron else "manual",
                batch=0,
                result={"archived": 0, "destroyed": 0, "failed": 0, "held": len(held)},
            )
            if held:
                Log.create({**self._run_values(state), "rule": "hold", "batch": 0, "count": len(held)})
        result = state["result"]
        items = [("archive", student) for student in archive] + [("destroy", student) for student in destroy]
        for batch in self._process_batch(job, items, settings["batch_size"]):
            state["batch"] += 1
            rule = batch.items[0][0]
            processed, failed = len(batch.items) - len(batch.failed), len(batch.failed)
            Log.create(
                {
                    **self._run_values(state),
                    "rule": rule,
                    "batch": state["batch"],
                    "count": processed,
                    "failed_count": failed,
                    "duration": batch.duration,
                }
            )
            result["archived" if rule == "archive" else "destroyed"] += processed
            result["failed"] += failed
        if job.remaining:
            return result
        result["fiscal_erased"], fiscal_failed = self.env["mph.erasure"]._erase_expired_fiscal_copies(
            today, settings, self._run_values(state)
        )
        result["failed"] += fiscal_failed
        _logger.info("Retention run %s: %s", state["run_reference"], result)
        return result

    @api.model
    def _run_values(self, state):
        return {"run_reference": state["run_reference"], "trigger": state["trigger"]}

    def _process_batch(self, job, items, size):
        """The ``(rule, pupil)`` items in batches of ``size`` of one rule, as
        ``job.batches`` yields them. A batch is first processed as a whole in
        one savepoint; should that fail, it is retried pupil by pupil so that
        only the failing pupil is skipped."""

        def process(batch):
            rule = batch[0][0]
            method = self._archive if rule == "archive" else self.env["mph.erasure"]._anonymise
            method(self._students().browse([student.id for _rule, student in batch]))

        def batch_error(batch, error):  # fall back to one by one, where each failure is logged
            _logger.warning("Retention: %s batch failed, retrying pupil by pupil", batch[0][0], exc_info=True)

        def pupil_error(item, error):  # one pupil's failure must not stop the job
            _logger.exception("Retention: %s of pupil id %s failed; skipped", item[0], item[1].id)

        return job.batches(
            items,
            process,
            size=size,
            key=lambda item: (0 if item[0] == "archive" else 1, item[1].id),
            group=lambda item: item[0],
            on_batch_error=batch_error,
            on_item_error=pupil_error,
        )

    # ------------------------------------------------------------
    # Archive (destruction is the eraser's: mph.erasure._anonymise)
    # ------------------------------------------------------------

    def _archive(self, students):
        students.write({"state": "archived", "active": False})
        students.partner_id.write({"active": False})

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------

    @api.model
    def action_open_legal_hold(self):
        """The pupils whose statutory period has ended but who are kept by a
        legal hold, for the coordinator to follow up."""
        if not self.env.user.has_group("mph_school.group_coordinator"):
            raise AccessError(self.env._("Only the lesson coordinator can see the pupils kept under legal hold."))
        _archive, _destroy, held = self._get_due()
        action = self.env["ir.actions.act_window"]._for_xml_id("mph_school.mph_student_action")
        title = self.env._("Kept under legal hold")
        action.update(
            {
                # The web client titles the page with display_name first.
                "name": title,
                "display_name": title,
                "domain": [("id", "in", held.ids)],
                "context": {"active_test": False, "create": False},
                "help": self.env._(
                    '<p class="o_view_nocontent_smiling_face">No pupil is kept under legal hold</p>'
                    "<p>Pupils whose retention period has ended but who must be kept (for example because of an "
                    "unpaid invoice or the legal hold flag) are listed here until the reason is gone.</p>"
                ),
            }
        )
        return action
