from odoo import fields, models

from ..groups import COORDINATOR, FINANCE

FINANCE_COORDINATOR = f"{FINANCE},{COORDINATOR}"


class AccountMoveLine(models.Model):
    """A contribution invoice line knows the pupil and school year it bills:
    the pair is unique among the invoices that are not cancelled, which makes
    invoicing idempotent, also for two runs at once, while a cancelled
    invoice no longer counts (the pupil can be invoiced again)."""

    _inherit = "account.move.line"

    mph_student_id = fields.Many2one(
        "mph.student",
        string="Pupil",
        index="btree_not_null",
        ondelete="restrict",
        copy=False,
        groups=FINANCE_COORDINATOR,
    )
    mph_season_id = fields.Many2one(
        "mph.season", string="School year", ondelete="restrict", copy=False, groups=FINANCE_COORDINATOR
    )

    _sql_constraints = [
        (
            # A partial uniqueness: an exclusion constraint on equality over a
            # btree index, for the lines of invoices that are not cancelled
            # (parent_state is the stored state of the invoice).
            "mph_contribution_uniq",
            "EXCLUDE USING btree (mph_student_id WITH =, mph_season_id WITH =) "
            "WHERE (mph_student_id IS NOT NULL AND parent_state <> 'cancel')",
            "This pupil already has a contribution invoice for this school year.",
        ),
    ]
