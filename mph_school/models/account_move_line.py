from odoo import fields, models

FINANCE_COORDINATOR = "mph_school.group_finance,mph_school.group_coordinator"


class AccountMoveLine(models.Model):
    """A contribution invoice line knows the pupil and school year it bills:
    the unique pair makes invoicing idempotent, also for two runs at once."""

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
            "mph_contribution_uniq",
            "UNIQUE(mph_student_id, mph_season_id)",
            "This pupil already has a contribution invoice for this school year.",
        ),
    ]
