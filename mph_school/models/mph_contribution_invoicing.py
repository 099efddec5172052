import logging

import psycopg2
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, mute_logger

from .mph_student import ADULT_AGE

_logger = logging.getLogger(__name__)

# Invoices created and posted per ORM call: large enough to batch the
# queries, small enough that one failing payer costs little to isolate and
# that memory stays flat for thousands of pupils.
INVOICE_CHUNK = 250
# Why a pupil gets no contribution invoice in a run (shown in the preview).
SKIP_REASONS = [
    ("no_enrollment", "No active enrolment"),
    ("invoiced", "Already invoiced"),
    ("no_address", "Payer without address"),
]


class MphContributionInvoicing(models.AbstractModel):
    """The yearly contribution of a school year (mph.season): which pupils
    are invoiced, the invoices created, posted and e-mailed in batches. The
    finance settings stay on the school year; the wizard and the scheduled
    job call this flow."""

    _name = "mph.contribution.invoicing"
    _description = "Invoicing of the Yearly Contribution"

    @api.model
    def _contribution_journal(self, season):
        season.ensure_one()
        return season.journal_id or self.env["account.journal"].search(
            [*self.env["account.journal"]._check_company_domain(self.env.company), ("type", "=", "sale")], limit=1
        )

    @api.model
    def _contribution_amount_for(self, season, student):
        """The contribution of ``student`` (sudo record) for ``season``."""
        birthdate = student.birthdate
        minor = bool(birthdate) and relativedelta(season.date_start, birthdate).years < ADULT_AGE
        return season.contribution_amount_minor if (minor and season.use_minor_amount) else season.contribution_amount

    @api.model
    def _contribution_plan(self, season):
        """What an invoicing run of ``season`` would do, without doing it.

        Returns ``(groups, skipped)``: ``groups`` is a list of
        ``(payer, [(student, amount), ...])``, one item per invoice to create;
        ``skipped`` a list of ``(student, reason)`` with a key of
        ``SKIP_REASONS``. Students are sudo records: the caller shows finance
        only names.
        """
        season.ensure_one()
        Student = self.env["mph.student"].sudo()
        # Current pupils: those with a trial, running or waiting enrolment.
        candidates = Student.search([("state", "in", ("prospect", "active"))], order="id")
        enrolled = Student.search([("id", "in", candidates.ids), ("enrollment_ids", "any", [("state", "=", "active")])])
        invoiced_ids = set(
            self.env["account.move.line"]
            .sudo()
            .search(
                [
                    ("mph_season_id", "=", season.id),
                    ("mph_student_id", "in", candidates.ids),
                    # A cancelled invoice no longer counts: its pupils can be invoiced again.
                    ("parent_state", "!=", "cancel"),
                ]
            )
            .mapped("mph_student_id")
            .ids
        )
        groups = {}
        skipped = []
        for student in candidates:
            if student not in enrolled:
                skipped.append((student, "no_enrollment"))
                continue
            if student.id in invoiced_ids:
                skipped.append((student, "invoiced"))
                continue
            payer = student.payer_id
            if not (payer.street and payer.zip and payer.city):
                skipped.append((student, "no_address"))
                continue
            key = payer.id if season.invoice_per_family else (payer.id, student.id)
            groups.setdefault(key, (payer, []))[1].append((student, self._contribution_amount_for(season, student)))
        return list(groups.values()), skipped

    @api.model
    def _contribution_line_label(self, season, student):
        """The label of a pupil's contribution line: the school year and the
        pupil's name (after the statutory period: the anonymised name)."""
        season.ensure_one()
        label = self.env._("Yearly contribution %(season)s", season=season.name)
        return f"{label} - {student.sudo().name}"

    @api.model
    def _prepare_contribution_invoice(self, season, payer, lines, journal):
        season.ensure_one()
        product = season.contribution_product_id
        label = self.env._("Yearly contribution %(season)s", season=season.name)
        return {
            "move_type": "out_invoice",
            "partner_id": payer.id,
            "journal_id": journal.id,
            "company_id": journal.company_id.id,
            "invoice_date": season.invoice_date or fields.Date.context_today(self),
            "invoice_payment_term_id": season.payment_term_id.id,
            "invoice_origin": label,
            "invoice_line_ids": [
                fields.Command.create(
                    {
                        "product_id": product.id,
                        # The pupil's name, nothing more personal.
                        "name": self._contribution_line_label(season, student),
                        "quantity": 1,
                        "price_unit": amount,
                        "tax_ids": [fields.Command.set(season.tax_ids.ids)],
                        "mph_student_id": student.id,
                        "mph_season_id": season.id,
                    }
                )
                for student, amount in lines
            ],
        }

    @api.model
    def _lock_contribution_run(self, season):
        """One invoicing run per school year at a time. A second run fails at
        once instead of waiting; the write below makes a run that started
        before this one committed fail with a serialization error (which the
        server retries), so it never works from a stale view of what was
        invoiced. The exclusion constraint on the invoice lines is the last guard."""
        season.ensure_one()
        try:
            with self.env.cr.savepoint(flush=False), mute_logger("odoo.sql_db"):
                self.env.cr.execute(SQL("SELECT id FROM mph_season WHERE id = %s FOR NO KEY UPDATE NOWAIT", season.id))
        except psycopg2.errors.LockNotAvailable:
            raise UserError(
                self.env._(
                    "The contributions of %s are being invoiced right now (by someone else or the "
                    "scheduled job). Try again in a moment.",
                    season.name,
                )
            ) from None
        # Finance may write the school year (the scheduled job passes it as superuser).
        season.contribution_last_run = fields.Datetime.now()
        season.flush_recordset(["contribution_last_run"])

    @api.model
    def _check_contribution_settings(self, season):
        season.ensure_one()
        if not season.contribution_product_id:
            raise UserError(self.env._("Choose the contribution product of school year %s first.", season.name))
        if season.contribution_amount <= 0:
            raise UserError(self.env._("Enter the contribution of school year %s first.", season.name))
        if season.use_minor_amount and season.contribution_amount_minor < 0:
            raise UserError(self.env._("The contribution for minors cannot be negative."))
        if not self._contribution_journal(season):
            raise UserError(self.env._("There is no sales journal to invoice the contributions in."))

    @api.model
    def _invoice_contributions(self, season, send=True, cron=False):
        """Create, post and (when ``send``) e-mail the contribution invoices of
        ``season`` for every pupil not invoiced yet.

        Fast path: batches of ``INVOICE_CHUNK`` invoices, each created in one
        call and posted in one call. When a batch fails, that batch goes payer
        by payer, so one payer's problem is reported and the others are
        invoiced anyway (see mph.batch; with ``cron``, the cron runner does
        one batch per call).
        Returns a dict with ``moves`` (account.move), ``failed`` (list of
        ``(payer name, message)``), ``not_sent`` (payers without e-mail) and
        ``skipped`` (as ``_contribution_plan``).
        """
        season.ensure_one()
        self._check_contribution_settings(season)
        self._lock_contribution_run(season)
        groups, skipped = self._contribution_plan(season)
        journal = self._contribution_journal(season)
        Move = (
            self.env["account.move"]
            .with_company(journal.company_id)
            .with_context(tracking_disable=True, mail_create_nolog=True, mail_notrack=True)
        )
        moves = Move.browse()
        failed = []

        def process(chunk):
            vals_list = [self._prepare_contribution_invoice(season, payer, lines, journal) for payer, lines in chunk]
            return self._create_and_post_contributions(Move, vals_list)

        def chunk_error(chunk, chunk_error):
            _logger.info("Contribution chunk of %s failed (%s); invoicing payer by payer", season.name, chunk_error)

        def payer_error(group, error):
            failed.append((group[0].display_name, str(getattr(error, "args", [error])[0])))

        job = self.env["mph.batch"]._mph_batch_run(per_call=cron)
        for batch in job.batches(
            groups,
            process,
            size=INVOICE_CHUNK,
            # The first pupil of each invoice: the plan lists them by pupil.
            key=lambda group: (group[1][0][0].id,),
            errors=(UserError, ValidationError, psycopg2.IntegrityError),
            on_batch_error=chunk_error,
            on_item_error=payer_error,
        ):
            for created in batch.results:
                moves |= created
            if not batch.retried:
                self._refresh_invoice_statistics()
        not_sent = self.env["res.partner"]
        if send and moves:
            not_sent = self._send_contribution_invoices(moves)
        return {"moves": moves, "failed": failed, "not_sent": not_sent, "skipped": skipped}

    @api.model
    def _create_and_post_contributions(self, Move, vals_list):
        """Create and post invoices: Odoo's own create and post, with three
        things that Odoo does one invoice at a time done once for all of them
        beforehand, to the same effect:

        - the "checked" flag: posting sets it on each invoice of a journal
          with auto-check with a write of its own (a full account.move write,
          balance check included, per invoice). The invoices are created
          checked instead, and posting's assignment of the same value then
          only touches the cache. A batch that fails is rolled back whole, so
          no checked draft survives;
        - the customer as follower: posting subscribes the partner of each
          invoice separately (five queries per invoice). They are subscribed
          in one go with the same default subtypes, so posting finds them
          following already;
        - the fiscal position: creating computes it per invoice (a search
          and a fetch of the partner each). It is asked of Odoo once per
          kind of payer instead (see ``_contribution_fiscal_positions``).
        """
        journals = self.env["account.journal"].browse({vals["journal_id"] for vals in vals_list})
        autocheck = set(journals.filtered("autocheck_on_post").ids)
        fiscal_positions = self._contribution_fiscal_positions(
            self.env["res.partner"].browse({vals["partner_id"] for vals in vals_list}), journals.company_id
        )
        for vals in vals_list:
            if vals["journal_id"] in autocheck:
                vals["checked"] = True
            if vals["partner_id"] in fiscal_positions:
                vals["fiscal_position_id"] = fiscal_positions[vals["partner_id"]].id
        moves = Move.create(vals_list)
        self._subscribe_invoice_partners(moves)
        with self.env.protecting([moves._fields["checked"]], moves.filtered("checked")):
            moves.action_post()
        return moves

    @api.model
    def _contribution_fiscal_positions(self, partners, company):
        """{partner id: fiscal position} as Odoo's ``_get_fiscal_position``
        gives it, asked once per kind of payer rather than once per invoice.

        Only for payers whose result depends on nothing but the fields in
        the key: a person without VAT number, without parent and without
        contacts of their own (so the delivery address is the payer), keyed
        on their own fiscal position, country, and the state and postcode
        when some automatic fiscal position of the company looks at those.
        Every other payer is left out and gets Odoo's computation on create.
        """
        company.ensure_one()
        # As the invoice's own compute asks it: as the user; only the payers are read as superuser.
        FiscalPosition = self.env["account.fiscal.position"].with_company(company)
        automatic = FiscalPosition.search([*FiscalPosition._check_company_domain(company), ("auto_apply", "=", True)])
        by_zip = any(fpos.zip_from and fpos.zip_to for fpos in automatic)
        by_state = any(fpos.state_ids for fpos in automatic)
        found, known = {}, {}
        for partner in partners.sudo().with_company(company):
            if partner.vat or partner.parent_id or partner.child_ids:
                continue
            key = (
                partner.property_account_position_id.id,
                partner.country_id.id,
                by_state and partner.state_id.id,
                by_zip and partner.zip,
            )
            if key not in known:
                known[key] = FiscalPosition._get_fiscal_position(partner, delivery=partner)
            found[partner.id] = known[key]
        return found

    @api.model
    def _subscribe_invoice_partners(self, moves):
        """Make the partner of each invoice a follower, as posting would (the
        same default subtypes, active partners only, existing followers
        left alone), in one insert."""
        Followers = self.env["mail.followers"].sudo()
        partners = moves.partner_id.sudo().filtered("active")
        if not partners:
            return
        new, _update = Followers._add_default_followers(moves._name, [], partners.ids, check_existing=False)
        vals_by_partner = {vals["partner_id"]: vals for vals in new.get(0, [])}
        existing = {
            (res_id, partner_id)
            for _id, res_id, partner_id, _subtypes in Followers._get_subscription_data(
                [(moves._name, moves.ids)], partners.ids
            )
        }
        Followers.with_context(default_partner_id=False).create(
            [
                dict(vals_by_partner[move.partner_id.id], res_id=move.id)
                for move in moves
                if move.partner_id.id in vals_by_partner and (move.id, move.partner_id.id) not in existing
            ]
        )
        moves.invalidate_recordset(["message_follower_ids", "message_partner_ids"])

    @api.model
    def _refresh_invoice_statistics(self):
        """Let PostgreSQL's planner see the invoices this run just inserted.

        Odoo numbers each posted invoice with queries on ``account_move``
        (the last number of the journal and year). Their plans come from
        the table statistics, which know nothing of the rows this
        transaction inserted: after a few thousand new invoices the planner
        still expects a handful of rows in the journal and walks all of
        them, each time, so every next invoice is slower than the one
        before. ANALYZE counts the rows inserted by the running transaction
        (PostgreSQL's advice after a bulk load); it takes no lock that
        blocks reading or writing invoices, and a user who does not own the
        tables gets a warning instead (then only the speed suffers)."""
        with mute_logger("odoo.sql_db"):
            self.env.cr.execute(SQL("ANALYZE account_move, account_move_line"))

    @api.model
    def _send_contribution_invoices(self, moves):
        """Queue the e-mail of each invoice with its PDF through Odoo's own
        sending job (account.move.send); returns the payers without e-mail."""
        with_email = moves.filtered(lambda m: m.partner_id.email)
        with_email.sending_data = {
            "author_user_id": self.env.user.id,
            "author_partner_id": self.env.user.partner_id.id,
            "sending_methods": ["email"],
        }
        if with_email:
            self.env.ref("account.ir_cron_account_move_send")._trigger()
        return (moves - with_email).partner_id

    @api.model
    def _cron_invoice_contributions(self):
        """Scheduled (off by default): invoice the current school year once its
        invoice date (or start) has come. Runs are idempotent, so a daily job
        only invoices pupils who became active since the last run."""
        today = fields.Date.context_today(self)
        season = self.env["mph.season"]._for_date(today).sudo()
        if not season or not season.contribution_product_id or season.contribution_amount <= 0:
            return
        if (season.invoice_date or season.date_start) > today:
            return
        result = self._invoice_contributions(season, send=True, cron=True)
        for payer, message in result["failed"]:
            _logger.warning("Contribution invoice for %s failed: %s", payer, message)
