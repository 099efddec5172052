from odoo import models
from odoo.exceptions import UserError


class AccountMove(models.Model):
    _inherit = "account.move"

    def button_draft(self):
        # A cancelled contribution invoice frees its pupils for a new one. Once
        # a pupil has been invoiced again, the cancelled invoice cannot come
        # back: say so instead of letting the database refuse it.
        cancelled_lines = self.filtered(lambda move: move.state == "cancel").sudo().line_ids
        contribution_lines = cancelled_lines.filtered(lambda line: line.mph_student_id and line.mph_season_id)
        for line in contribution_lines:
            other = (
                self.env["account.move.line"]
                .sudo()
                .search_count(
                    [
                        ("id", "not in", contribution_lines.ids),
                        ("mph_student_id", "=", line.mph_student_id.id),
                        ("mph_season_id", "=", line.mph_season_id.id),
                        ("parent_state", "!=", "cancel"),
                    ],
                    limit=1,
                )
            )
            if other:
                raise UserError(
                    self.env._(
                        "%(pupil)s already has another contribution invoice for school year %(season)s; "
                        "this cancelled invoice cannot be reset to draft.",
                        pupil=line.mph_student_id.name,
                        season=line.mph_season_id.name,
                    )
                )
        return super().button_draft()
