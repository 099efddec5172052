import logging
import uuid
from collections import defaultdict
from datetime import date

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import email_normalize, email_normalize_all, plaintext2html

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


class MphErasure(models.AbstractModel):
    """Erasure of a person's data, the one code path for it: the retention
    job's destruction (mph.retention), an erasure request
    (mph.privacy.request) and the purge of sign-ups nobody confirmed all
    call it. E-mails, messages, attachments, activities and followers are
    deleted by ``_erase_mail`` and ``_remove_record_traces`` only."""

    _name = "mph.erasure"
    _description = "Erasure of Personal Data"

    # ------------------------------------------------------------
    # The eraser of mail, messages, attachments and followers
    # ------------------------------------------------------------

    @api.model
    def _records_domain(self, records_by_model, model_field):
        """Records given as {model: ids}, as a domain on (``model_field``, res_id)."""
        domains = [[(model_field, "=", model), ("res_id", "in", ids)] for model, ids in records_by_model.items() if ids]
        return expression.OR(domains) if domains else None

    @api.model
    def _erase_mail(self, mails, messages):
        """E-mails and messages go here and nowhere else: the e-mails first,
        then the messages (a message takes its remaining mails and
        notifications with it)."""
        mails.sudo().unlink()
        messages.sudo().exists().unlink()

    @api.model
    def _erase_messages(self, records_by_model):
        """The chatter of the records ({model: ids}): their messages, with
        the e-mails sent for them."""
        env = self.env(su=True)
        domain = self._records_domain(records_by_model, "model")
        if domain is None:
            return
        messages = env["mail.message"].search(domain)
        self._erase_mail(env["mail.mail"].search([("mail_message_id", "in", messages.ids)]), messages)

    @api.model
    def _remove_record_traces(self, records_by_model):
        """Chatter, attachments, activities and followers of the records
        ({model: ids})."""
        env = self.env(su=True)
        self._erase_messages(records_by_model)
        domain = self._records_domain(records_by_model, "res_model")
        if domain is None:
            return
        for model in ("ir.attachment", "mail.activity", "mail.followers"):
            env[model].search(domain).unlink()

    def _remove_traces(self, records_by_model, partner, emails=()):
        """Chatter, attachments, activities and followers of the records and of
        the partner's contact; the partner stops following anything. Then the
        correspondence with the person wherever it is (see _remove_mail) and
        the copies of their data made for access requests."""
        env = self.env(su=True)
        records_by_model = {**records_by_model, "res.partner": partner.ids}
        self._remove_record_traces(records_by_model)
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
        self._erase_mail(mails, messages)

    # ------------------------------------------------------------
    # The anonymiser
    # ------------------------------------------------------------

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

    def _anonymise_partner(self, partner, label):
        partner = partner.sudo().with_context(active_test=False, tracking_disable=True, mail_notrack=True)
        vals = dict.fromkeys(PARTNER_PERSONAL_FIELDS, False)
        vals.update({"name": label, "active": False, "category_id": [(5, 0, 0)], "parent_id": False})
        partner.write(vals)
        partner.bank_ids.unlink()

    # ------------------------------------------------------------
    # The fiscal copy
    # ------------------------------------------------------------

    @api.model
    def _fiscal_limit(self, today, retention_years):
        """Invoices dated on or before this day are past the statutory period:
        it runs until the end of the calendar year of the invoice date plus
        the retention years."""
        return date(today.year - retention_years - 1, 12, 31)

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
        years = self.env["mph.settings"]._get("mph_school.retention_years")
        limit = self._fiscal_limit(fields.Date.context_today(self), years)
        expired = moves.filtered(lambda m: m.invoice_date and m.invoice_date <= limit)
        kept = moves - expired
        kept._mph_freeze_fiscal_copy()
        kept._mph_remove_correspondence()
        expired._mph_erase_fiscal_copy()

    @api.model
    def _erase_expired_fiscal_copies(self, today, settings, run):
        """The fiscal copies whose statutory period has ended are erased, in
        batches, each invoice fully or not at all."""
        limit = self._fiscal_limit(today, settings["retention_years"])
        moves = (
            self.env["account.move"]
            .sudo()
            .search([("mph_fiscal_frozen_date", "!=", False), ("invoice_date", "<=", limit)], order="id")
        )
        erased = failed = 0

        def erase(batch):
            moves.browse([move.id for move in batch])._mph_erase_fiscal_copy()

        def batch_error(batch, error):  # fall back to one by one, where each failure is logged
            _logger.warning("Retention: erasing fiscal copies failed, retrying one by one", exc_info=True)

        def move_error(move, error):  # one invoice's failure must not stop the job
            _logger.exception("Retention: erasing the fiscal copy of invoice id %s failed", move.id)

        # A last step of the retention run, all in its last call: the cron's
        # progress stays the pupils' (no progress of its own reported).
        job = self.env["mph.batch"].with_context(ir_cron_progress_id=None)._mph_batch_run()
        for batch in job.batches(
            list(moves),
            erase,
            size=settings["batch_size"],
            key=lambda move: (move.id,),
            on_batch_error=batch_error,
            on_item_error=move_error,
        ):
            done, lost = len(batch.items) - len(batch.failed), len(batch.failed)
            self.env["mph.retention.log"].sudo().create(
                {**run, "rule": "fiscal", "batch": 0, "count": done, "failed_count": lost, "duration": batch.duration}
            )
            erased += done
            failed += lost
        return erased, failed

    # ------------------------------------------------------------
    # Erasure on request
    # ------------------------------------------------------------

    def _erase_on_request(self, request):
        """Erasure on a data-subject request (mph.privacy.request): refused
        under a legal hold; the person is told first, then the pupil is
        anonymised now, in one savepoint, and it is logged like the job does.
        Issued invoices keep the fiscal subset (see _keep_fiscal_subset)."""
        student = request.student_id.sudo()
        if student._get_legal_hold_students():
            raise UserError(
                self.env._(
                    "%s is under legal hold (for example an unpaid invoice): the data cannot be erased now. "
                    "Answer the person with the reason, or clear the hold first.",
                    request.name,
                )
            )
        # The confirmation goes out first: afterwards there is no address left.
        sent = self._send_erasure_confirmation(request)
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
        request.message_post(body=self.env._("The pupil's personal data has been anonymised."))
        if sent:
            request.message_post(body=self.env._("The person was told by e-mail before the data was erased."))
        return True

    def _send_erasure_confirmation(self, request):
        """Tell the person who asked that the data is erased, in their own
        language, and send it now: the erasure removes the address and every
        queued mail to it."""
        partner = request.partner_id.sudo()
        if not partner.email:
            return False
        env = request.with_context(lang=request._export_lang()).env
        student = request.student_id.sudo()
        company = self.env.company.sudo()
        body = env._(
            "Dear %(name)s,\n\n"
            "As you asked on %(date)s (request %(reference)s), we have erased the personal data of %(pupil)s "
            "from our administration. Invoices we must keep by law keep only the name and address they were "
            "sent with, for the tax authorities.\n\n"
            "Kind regards,\n%(school)s",
            name=partner.name,
            date=fields.Date.to_string(request.date_received),
            reference=request.name,
            pupil=student.name,
            school=company.name,
        )
        mail = (
            self.env["mail.mail"]
            .sudo()
            .create(
                {
                    "subject": env._("Your request %s: personal data erased", request.name),
                    "body_html": plaintext2html(body),
                    "email_to": partner.email_formatted,
                    "email_from": company.email_formatted or self.env.user.email_formatted,
                    "auto_delete": True,
                }
            )
        )
        mail.send(raise_exception=False)
        return True

    # ------------------------------------------------------------
    # The purge of sign-ups nobody confirmed
    # ------------------------------------------------------------

    def _erase_signup(self, students):
        """Deletes sign-ups nobody confirmed in time, completely, one by one:
        the pupil, its contact, a guardian contact nobody else uses, the
        enrolments and the messages (with their e-mails) on all of them."""
        for student in students.sudo().with_context(active_test=False):
            partner = student.partner_id
            guardian = student.guardian_id
            enrollments = student.enrollment_ids
            self._erase_messages(
                {
                    "mph.student": student.ids,
                    "mph.enrollment": enrollments.ids,
                    "res.partner": (partner | guardian).ids,
                }
            )
            enrollments.unlink()
            student.unlink()
            partner.unlink()
            if guardian and not guardian.with_context(active_test=False).mph_ward_ids and not guardian.user_ids:
                guardian.unlink()
