from datetime import date

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..groups import FINANCE


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
            journal = self.env["mph.contribution.invoicing"]._contribution_journal(season)
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
