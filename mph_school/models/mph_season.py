import logging
from datetime import date

import psycopg2
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, mute_logger

from ..groups import FINANCE
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


class MphSeason(models.Model):
    """A school year (e.g. 2026-2027): the unit of yearly contributions and of
    the aggregated reports."""

    _name = "mph.season"
    _description = "School Year"
    _order = "date_start desc"

    name = fields.Char(required=True, help="For example 2026-2027.")
    date_start = fields.Date(string="Start", required=True)
    date_end = fields.Date(string="End", required=True)
    active = fields.Boolean(default=True)

    # Yearly contribution: finance's settings per school year.
    contribution_product_id = fields.Many2one(
        "product.product",
        string="Contribution product",
        groups=FINANCE,
        default=lambda self: self.env.ref("mph_school.product_contribution", raise_if_not_found=False),
        help="The product on the invoice lines; its income account is used.",
    )
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id", groups=FINANCE)
    contribution_amount = fields.Monetary(string="Contribution", groups=FINANCE, currency_field="currency_id")
    use_minor_amount = fields.Boolean(
        string="Reduced amount for minors",
        groups=FINANCE,
        help="Pupils under 18 at the start of the school year pay the reduced amount.",
    )
    contribution_amount_minor = fields.Monetary(
        string="Contribution for minors", groups=FINANCE, currency_field="currency_id"
    )
    invoice_date = fields.Date(groups=FINANCE, help="Empty: the day the invoices are created.")
    payment_term_id = fields.Many2one(
        "account.payment.term",
        string="Payment terms",
        groups=FINANCE,
        default=lambda self: self.env.ref("account.account_payment_term_30days", raise_if_not_found=False),
        help="Decides the due date of the contribution invoices (30 days by default). Empty: due on the invoice date.",
    )
    journal_id = fields.Many2one(
        "account.journal",
        groups=FINANCE,
        domain="[('type', '=', 'sale')]",
        help="Empty: the first sales journal of the company.",
    )
    tax_ids = fields.Many2many(
        "account.tax",
        string="Taxes",
        groups=FINANCE,
        domain="[('type_tax_use', '=', 'sale')]",
        help="None by default: the contribution of the non-profit school carries no VAT.",
    )
    invoice_per_family = fields.Boolean(
        string="One invoice per family",
        default=True,
        groups=FINANCE,
        help="A guardian gets one invoice with a line per child instead of one invoice per child.",
    )
    contribution_last_run = fields.Datetime(string="Last invoicing run", readonly=True, groups=FINANCE)

    _sql_constraints = [
        ("name_uniq", "UNIQUE(name)", "A school year with this name already exists."),
        ("dates_check", "CHECK(date_end > date_start)", "A school year must end after it starts."),
    ]

    @api.depends("journal_id")
    @api.depends_context("company")
    def _compute_currency_id(self):
        for season in self:
            journal = season._contribution_journal()
            season.currency_id = journal.currency_id or journal.company_id.currency_id or self.env.company.currency_id

    @api.constrains("date_start", "date_end")
    def _check_overlap(self):
        for season in self:
            overlap = self.with_context(active_test=False).search_count(
                [
                    ("id", "!=", season.id),
                    ("date_start", "<=", season.date_end),
                    ("date_end", ">=", season.date_start),
                ],
                limit=1,
            )
            if overlap:
                raise ValidationError(self.env._("The school year %s overlaps another school year.", season.name))

    @api.model
    def _for_date(self, day):
        """The school year that contains ``day`` (empty when none does)."""
        return self.with_context(active_test=False).search(
            [("date_start", "<=", day), ("date_end", ">=", day)], limit=1
        )

    @api.model
    def _ensure_seasons(self, years_back=10, years_ahead=2):
        """Create the school years (1 August to 31 July) from ``years_back``
        before today to ``years_ahead`` after it, where missing."""
        today = fields.Date.context_today(self)
        first = today.year - (1 if today.month < 8 else 0)
        existing = set(self.with_context(active_test=False).search([]).mapped("name"))
        vals_list = [
            {
                "name": f"{year}-{year + 1}",
                "date_start": date(year, 8, 1),
                "date_end": date(year + 1, 7, 31),
            }
            for year in range(first - years_back, first + years_ahead + 1)
            if f"{year}-{year + 1}" not in existing
        ]
        return self.create(vals_list)

    # ------------------------------------------------------------
    # Yearly contribution
    # ------------------------------------------------------------

    def _contribution_journal(self):
        self.ensure_one()
        return self.journal_id or self.env["account.journal"].search(
            [*self.env["account.journal"]._check_company_domain(self.env.company), ("type", "=", "sale")], limit=1
        )

    def _contribution_amount_for(self, student):
        """The contribution of ``student`` (sudo record) for this school year."""
        birthdate = student.birthdate
        minor = bool(birthdate) and relativedelta(self.date_start, birthdate).years < ADULT_AGE
        return self.contribution_amount_minor if (minor and self.use_minor_amount) else self.contribution_amount

    def _contribution_plan(self):
        """What an invoicing run of this school year would do, without doing it.

        Returns ``(groups, skipped)``: ``groups`` is a list of
        ``(payer, [(student, amount), ...])``, one item per invoice to create;
        ``skipped`` a list of ``(student, reason)`` with a key of
        ``SKIP_REASONS``. Students are sudo records: the caller shows finance
        only names.
        """
        self.ensure_one()
        Student = self.env["mph.student"].sudo()
        # Current pupils: those with a trial, running or waiting enrolment.
        candidates = Student.search([("state", "in", ("prospect", "active"))], order="id")
        enrolled = Student.search([("id", "in", candidates.ids), ("enrollment_ids", "any", [("state", "=", "active")])])
        invoiced_ids = set(
            self.env["account.move.line"]
            .sudo()
            .search(
                [
                    ("mph_season_id", "=", self.id),
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
            key = payer.id if self.invoice_per_family else (payer.id, student.id)
            groups.setdefault(key, (payer, []))[1].append((student, self._contribution_amount_for(student)))
        return list(groups.values()), skipped

    def _contribution_line_label(self, student):
        """The label of a pupil's contribution line: the school year and the
        pupil's name (after the statutory period: the anonymised name)."""
        self.ensure_one()
        label = self.env._("Yearly contribution %(season)s", season=self.name)
        return f"{label} - {student.sudo().name}"

    def _prepare_contribution_invoice(self, payer, lines, journal):
        self.ensure_one()
        product = self.contribution_product_id
        label = self.env._("Yearly contribution %(season)s", season=self.name)
        return {
            "move_type": "out_invoice",
            "partner_id": payer.id,
            "journal_id": journal.id,
            "company_id": journal.company_id.id,
            "invoice_date": self.invoice_date or fields.Date.context_today(self),
            "invoice_payment_term_id": self.payment_term_id.id,
            "invoice_origin": label,
            "invoice_line_ids": [
                fields.Command.create(
                    {
                        "product_id": product.id,
                        # The pupil's name, nothing more personal.
                        "name": self._contribution_line_label(student),
                        "quantity": 1,
                        "price_unit": amount,
                        "tax_ids": [fields.Command.set(self.tax_ids.ids)],
                        "mph_student_id": student.id,
                        "mph_season_id": self.id,
                    }
                )
                for student, amount in lines
            ],
        }

    def _lock_contribution_run(self):
        """One invoicing run per school year at a time. A second run fails at
        once instead of waiting; the write below makes a run that started
        before this one committed fail with a serialization error (which the
        server retries), so it never works from a stale view of what was
        invoiced. The exclusion constraint on the invoice lines is the last guard."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint(flush=False), mute_logger("odoo.sql_db"):
                self.env.cr.execute(SQL("SELECT id FROM mph_season WHERE id = %s FOR NO KEY UPDATE NOWAIT", self.id))
        except psycopg2.errors.LockNotAvailable:
            raise UserError(
                self.env._(
                    "The contributions of %s are being invoiced right now (by someone else or the "
                    "scheduled job). Try again in a moment.",
                    self.name,
                )
            ) from None
        self.sudo().contribution_last_run = fields.Datetime.now()
        self.sudo().flush_recordset(["contribution_last_run"])

    def _check_contribution_settings(self):
        self.ensure_one()
        if not self.contribution_product_id:
            raise UserError(self.env._("Choose the contribution product of school year %s first.", self.name))
        if self.contribution_amount <= 0:
            raise UserError(self.env._("Enter the contribution of school year %s first.", self.name))
        if self.use_minor_amount and self.contribution_amount_minor < 0:
            raise UserError(self.env._("The contribution for minors cannot be negative."))
        if not self._contribution_journal():
            raise UserError(self.env._("There is no sales journal to invoice the contributions in."))

    def _invoice_contributions(self, send=True):
        """Create, post and (when ``send``) e-mail the contribution invoices of
        this school year for every pupil not invoiced yet.

        Fast path: batches of ``INVOICE_CHUNK`` invoices, each created in one
        call and posted in one call. When a batch fails, that batch goes payer
        by payer, so one payer's problem is reported and the others are
        invoiced anyway.
        Returns a dict with ``moves`` (account.move), ``failed`` (list of
        ``(payer name, message)``), ``not_sent`` (payers without e-mail) and
        ``skipped`` (as ``_contribution_plan``).
        """
        self.ensure_one()
        self._check_contribution_settings()
        self._lock_contribution_run()
        groups, skipped = self._contribution_plan()
        journal = self._contribution_journal()
        Move = (
            self.env["account.move"]
            .with_company(journal.company_id)
            .with_context(tracking_disable=True, mail_create_nolog=True, mail_notrack=True)
        )
        moves = Move.browse()
        failed = []
        for start in range(0, len(groups), INVOICE_CHUNK):
            chunk = groups[start : start + INVOICE_CHUNK]
            vals_list = [self._prepare_contribution_invoice(payer, lines, journal) for payer, lines in chunk]
            try:
                with self.env.cr.savepoint():
                    created = self._create_and_post_contributions(Move, vals_list)
                moves |= created
                self._refresh_invoice_statistics()
            except (UserError, ValidationError, psycopg2.IntegrityError) as chunk_error:
                _logger.info("Contribution chunk of %s failed (%s); invoicing payer by payer", self.name, chunk_error)
                for (payer, _lines), vals in zip(chunk, vals_list, strict=True):
                    try:
                        with self.env.cr.savepoint():
                            move = self._create_and_post_contributions(Move, [vals])
                        moves |= move
                    except (UserError, ValidationError, psycopg2.IntegrityError) as error:
                        failed.append((payer.display_name, str(getattr(error, "args", [error])[0])))
        not_sent = self.env["res.partner"]
        if send and moves:
            not_sent = self._send_contribution_invoices(moves)
        return {"moves": moves, "failed": failed, "not_sent": not_sent, "skipped": skipped}

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
        FiscalPosition = self.env["account.fiscal.position"].sudo().with_company(company)
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

    def _subscribe_invoice_partners(self, moves):
        """Make the partner of each invoice a follower, as posting would (the
        same default subtypes, active partners only, existing followers
        left alone), in one insert."""
        Followers = self.env["mail.followers"].sudo()
        partners = moves.sudo().partner_id.filtered("active")
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
        season = self._for_date(today).sudo()
        if not season or not season.contribution_product_id or season.contribution_amount <= 0:
            return
        if (season.invoice_date or season.date_start) > today:
            return
        result = season._invoice_contributions(send=True)
        for payer, message in result["failed"]:
            _logger.warning("Contribution invoice for %s failed: %s", payer, message)
