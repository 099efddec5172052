from odoo import api, fields, models
from odoo.osv import expression

from ..groups import COORDINATOR


class MphStudentDuplicatesMixin(models.AbstractModel):
    """Probable duplicates of a pupil (the same e-mail, or the same name and
    birthdate): shown on the form and warned about while typing, never a
    crash. Inherited by ``mph.student``."""

    _name = "mph.student.duplicates.mixin"
    _description = "Pupil: probable duplicates"

    duplicate_student_ids = fields.Many2many(
        "mph.student",
        string="Possible duplicates",
        compute="_compute_duplicate_student_ids",
        groups=COORDINATOR,
    )

    @api.depends("name", "email", "birthdate")
    def _compute_duplicate_student_ids(self):
        for student in self:
            student.duplicate_student_ids = student._find_duplicates()

    def _find_duplicates(self):
        """Other pupils with the same e-mail, or the same name and birthdate."""
        self.ensure_one()
        domains = []
        if self.email:
            domains.append([("email", "=ilike", self.email.strip())])
        if self.name and self.birthdate:
            domains.append([("name", "=ilike", self.name.strip()), ("birthdate", "=", self.birthdate)])
        if not domains:
            return self.browse()
        domain = expression.OR(domains)
        if self._origin.id:
            domain = expression.AND([domain, [("id", "!=", self._origin.id)]])
        return self.with_context(active_test=False).search(domain, limit=5)

    @api.onchange("email", "name", "birthdate")
    def _onchange_duplicate_warning(self):
        duplicates = self._find_duplicates() if (self.email or (self.name and self.birthdate)) else False
        if duplicates:
            return {
                "warning": {
                    "title": self.env._("Possible duplicate"),
                    "message": self.env._(
                        "This pupil may already be registered: %s. Check before saving.",
                        ", ".join(duplicates.mapped("display_name")),
                    ),
                    "type": "notification",
                }
            }
        return None
