import logging
import time
import uuid
from collections import defaultdict
from datetime import date

from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError
from odoo.osv import expression
from odoo.tools import SQL, email_normalize, email_normalize_all, split_every

_logger = logging.getLogger(__name__)


# Contact fields that identify a person; cleared when a pupil or guardian is
# anonymised. What statistics keep (birth year, postcode area) is on mph.student.
PARTNER_PERSONAL_FIELDS = (
    "email",
    "phone",
    "mobile",
    "street",
    "street2",
    "zip",
    "city",
    "state_id",
    "website",
    "comment",
    "function",
    "vat",
    "ref",
    "title",
    "image_1920",
    "company_name",
)


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
        """Entry point of the daily cron: commits after every batch, so a crash
        loses at most the batch in progress and the next run picks it up."""
        return self._run(commit=True)

    @api.model
    def _run(self, today=None, commit=False):
        """Archive and destroy what is due. Without ``commit`` (tests, manual
        runs) everything stays in the caller's transaction; each pupil is
        still processed in its own savepoint."""
        today = today or fields.Date.context_today(self)
        settings = self._get_settings()
        archive, destroy, held = self._get_due(today)
        run = {
            "run_reference": f"{fields.Datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}",
            "trigger": "cron" if commit else "manual",
        }
        Log = self.env["mph.retention.log"].sudo()
        if held:
            Log.create({**run, "rule": "hold", "batch": 0, "count": len(held)})
        total = len(archive) + len(destroy)
        done = 0
        result = {"archived": 0, "destroyed": 0, "failed": 0, "held": len(held)}
        batch_no = 0
        for rule, students in (("archive", archive), ("destroy", destroy)):
            for ids in split_every(settings["batch_size"], students.ids):
                batch_no += 1
                batch = self._students().browse(ids)
                start = time.perf_counter()
                processed, failed = self._process_batch(rule, batch)
                Log.create(
                    {
                        **run,
                        "rule": rule,
                        "batch": batch_no,
                        "count": processed,
                        "failed_count": failed,
                        "duration": time.perf_counter() - start,
                    }
                )
                result["archived" if rule == "archive" else "destroyed"] += processed
                result["failed"] += failed
                done += len(ids)
                self.env["ir.cron"]._notify_progress(done=done, remaining=total - done)
                if commit:
                    # The cron's unit of work is a batch (see _cron_run).
                    self.env.cr.commit()  # pylint: disable=invalid-commit
        result["fiscal_erased"], fiscal_failed = self._erase_expired_fiscal_copies(today, settings, run)
        result["failed"] += fiscal_failed
        if commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        _logger.info("Retention run %s: %s", run["run_reference"], result)
        return result

    def _process_batch(self, rule, students):
        """Process a batch; returns (processed, failed). The batch is first
        processed as a whole in one savepoint; should that fail, it is retried
        pupil by pupil so that only the failing pupil is skipped."""
        method = self._archive if rule == "archive" else self._anonymise
        try:
            with self.env.cr.savepoint():
                method(students)
            return len(students), 0
        except Exception:  # fall back to one by one, where each failure is logged
            _logger.warning("Retention: %s batch failed, retrying pupil by pupil", rule, exc_info=True)
        processed = failed = 0
        for student in students:
            try:
                with self.env.cr.savepoint():
                    method(student)
                processed += 1
            except Exception:  # one pupil's failure must not stop the job
                failed += 1
                _logger.exception("Retention: %s of pupil id %s failed; skipped", rule, student.id)
        return processed, failed

    # ------------------------------------------------------------
    # Archive and anonymise
    # ------------------------------------------------------------

    def _archive(self, students):
        students.write({"state": "archived", "active": False})
        students.partner_id.write({"active": False})

    def _anonymise(self, students):
        """Destroy the personal data of ``students`` now. Kept: the record
        itself with the birth year and postcode area, its enrolments (lesson
        types and dates) for statistics. A guardian left without pupils is
        anonymised too."""
        students = students.sudo().with_context(active_test=False, tracking_disable=True, mail_notrack=True)
        partners = students.partner_id
        guardians = students.guardian_id | students.guardian_ids
        enrollments = students.enrollment_ids
        emails = (partners | guardians).mapped("email_normalized")
        cleared = {
            "birthdate": False,
            "phone": False,
            "mobile": False,
            "guardian_id": False,
            "guardian_ids": [Command.clear()],
            "guardian_phone": False,
            "note": False,
            "privacy_accepted_date": False,
            "guardian_consent_date": False,
            "newsletter_consent": False,
            "legal_hold": False,
            "state": "anonymised",
            "active": False,
        }
        # The statistics keys go in the same write that clears what they come
        # from, grouped so that a batch needs few writes.
        by_keys = defaultdict(list)
        for student in students:
            by_keys[(student.birth_year, student.zip_area)].append(student.id)
        for (birth_year, zip_area), ids in by_keys.items():
            students.browse(ids).write({**cleared, "birth_year": birth_year, "zip_area": zip_area})
        self._keep_fiscal_subset(partners)
        for student in students:
            self._anonymise_partner(student.partner_id, self.env._("Anonymised pupil %s", student.id))
        enrollments.write({"note": False, "preferred_times": False})
        lone_guardians = guardians.filtered(
            lambda g: not (g.mph_ward_ids or g.mph_guardian_of_ids or g.mph_student_ids or g.user_ids)
        )
        self._keep_fiscal_subset(lone_guardians)
        for guardian in lone_guardians:
            self._anonymise_partner(guardian, self.env._("Anonymised guardian %s", guardian.id))
        self._remove_traces(
            {"mph.student": students.ids, "mph.enrollment": enrollments.ids}, partners | lone_guardians, emails
        )

    @api.model
    def _fiscal_limit(self, today, settings):
        """Invoices dated on or before this day are past the statutory period:
        it runs until the end of the calendar year of the invoice date plus
        the retention years."""
        return date(today.year - settings["retention_years"] - 1, 12, 31)

    def _keep_fiscal_subset(self, partners):
        """Before ``partners`` are anonymised: their issued invoices still
        within the statutory period keep the name and address they were
        issued with (readable by finance only); the e-mails about them go.
        Invoices past the period lose that too."""
        if not partners:
            return
        moves = self.env["account.move"]._mph_fiscal_invoices(partners)
        if not moves:
            return
        limit = self._fiscal_limit(fields.Date.context_today(self), self._get_settings())
        expired = moves.filtered(lambda m: m.invoice_date and m.invoice_date <= limit)
        kept = moves - expired
        kept._mph_freeze_fiscal_copy()
        kept._mph_remove_correspondence()
        expired._mph_erase_fiscal_copy()

    @api.model
    def _erase_expired_fiscal_copies(self, today, settings, run):
        """The fiscal copies whose statutory period has ended are erased, in
        batches, each invoice fully or not at all."""
        moves = (
            self.env["account.move"]
            .sudo()
            .search(
                [("mph_fiscal_frozen_date", "!=", False), ("invoice_date", "<=", self._fiscal_limit(today, settings))],
                order="id",
            )
        )
        erased = failed = 0
        for ids in split_every(settings["batch_size"], moves.ids):
            batch = moves.browse(ids)
            start = time.perf_counter()
            try:
                with self.env.cr.savepoint():
                    batch._mph_erase_fiscal_copy()
                done, lost = len(batch), 0
            except Exception:  # one invoice's failure must not stop the job
                _logger.warning("Retention: erasing fiscal copies failed, retrying one by one", exc_info=True)
                done = lost = 0
                for move in batch:
                    try:
                        with self.env.cr.savepoint():
                            move._mph_erase_fiscal_copy()
                        done += 1
                    except Exception:
                        lost += 1
                        _logger.exception("Retention: erasing the fiscal copy of invoice id %s failed", move.id)
            self.env["mph.retention.log"].sudo().create(
                {
                    **run,
                    "rule": "fiscal",
                    "batch": 0,
                    "count": done,
                    "failed_count": lost,
                    "duration": time.perf_counter() - start,
                }
            )
            erased += done
            failed += lost
        return erased, failed

    def _anonymise_partner(self, partner, label):
        partner = partner.sudo().with_context(active_test=False, tracking_disable=True, mail_notrack=True)
        vals = dict.fromkeys(PARTNER_PERSONAL_FIELDS, False)
        vals.update({"name": label, "active": False, "category_id": [(5, 0, 0)], "parent_id": False})
        partner.write(vals)
        partner.bank_ids.unlink()

    def _remove_traces(self, records_by_model, partner, emails=()):
        """Chatter, attachments, activities and followers of the records and of
        the partner's contact; the partner stops following anything. Then the
        correspondence with the person wherever it is (see _remove_mail) and
        the copies of their data made for access requests."""
        env = self.env(su=True)
        records_by_model = {**records_by_model, "res.partner": partner.ids}
        for model, ids in records_by_model.items():
            if not ids:
                continue
            where = [("model", "=", model), ("res_id", "in", ids)]
            env["mail.message"].search(where).unlink()
            env["ir.attachment"].search([("res_model", "=", model), ("res_id", "in", ids)]).unlink()
            env["mail.activity"].search([("res_model", "=", model), ("res_id", "in", ids)]).unlink()
            env["mail.followers"].search([("res_model", "=", model), ("res_id", "in", ids)]).unlink()
        env["mail.followers"].search([("partner_id", "in", partner.ids)]).unlink()
        self._remove_mail(partner, emails)
        students = records_by_model.get("mph.student")
        if students:
            # The request itself stays (the school answered it); the export
            # made for it is a full copy of the person's data.
            requests = (
                env["mph.privacy.request"].with_context(active_test=False).search([("student_id", "in", students)])
            )
            requests.export_attachment_id = False
            env["ir.attachment"].search([("res_model", "=", requests._name), ("res_id", "in", requests.ids)]).unlink()

    @api.model
    def _remove_mail(self, partners, emails=()):
        """Every e-mail to or from the person, queued or sent, on whatever
        record or none: a mail with the partner as recipient or an address
        in To/Cc, a message the partner wrote or received, or sent from or to
        one of ``emails``. The e-mail goes with its message. An invoice keeps
        no correspondence either (see account.move); its PDF as issued is
        not a message and stays with the fiscal copy."""
        env = self.env(su=True)
        emails = {e for e in emails if e}
        # An address another contact still has (a guardian of other pupils,
        # a sibling sharing it) is theirs too: its mail stays.
        emails -= set(
            env["res.partner"]
            .with_context(active_test=False)
            .search([("email_normalized", "in", list(emails)), ("id", "not in", partners.ids)])
            .mapped("email_normalized")
        )
        mail_domains, message_domains = [], []
        if partners:
            mail_domains.append([("recipient_ids", "in", partners.ids)])
            message_domains += [[("author_id", "in", partners.ids)], [("partner_ids", "in", partners.ids)]]
        for email in emails:
            mail_domains += [[("email_to", "ilike", email)], [("email_cc", "ilike", email)]]
            message_domains.append([("email_from", "ilike", email)])
        if not mail_domains:
            return
        # "ilike" finds the candidates; a whole address must match (jan@ is
        # not marijan@).
        mails = env["mail.mail"].search(expression.OR(mail_domains))
        mails = mails.filtered(
            lambda m: m.recipient_ids & partners
            or emails & set(email_normalize_all(f"{m.email_to or ''},{m.email_cc or ''}"))
        )
        messages = mails.mail_message_id
        messages |= (
            env["mail.message"]
            .search(expression.AND([[("message_type", "!=", "notification")], expression.OR(message_domains)]))
            .filtered(lambda m: (m.author_id | m.partner_ids) & partners or email_normalize(m.email_from) in emails)
        )
        mails.unlink()
        # A message takes its remaining mails and notifications with it.
        messages.exists().unlink()

    def _erase_on_request(self, student):
        """Erasure on a data-subject request: anonymise now, in one savepoint,
        and log it like the job does. Issued invoices keep the fiscal subset
        (see _keep_fiscal_subset)."""
        with self.env.cr.savepoint():
            self._anonymise(student)
        self.env["mph.retention.log"].sudo().create(
            {
                "run_reference": f"{fields.Datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}",
                "rule": "erasure",
                "trigger": "manual",
                "batch": 1,
                "count": len(student),
            }
        )

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
