from odoo import models


class MphErasure(models.AbstractModel):
    _inherit = "mph.erasure"

    def _anonymise(self, students):
        """At anonymisation the Mijn MPH logins are deleted (before the
        contacts are anonymised, so that a lone guardian goes too)."""
        students = students.sudo().with_context(active_test=False)
        Retention = self.env["mph.retention"]
        users = Retention._mph_portal_users(students.partner_id | Retention._mph_leaving_guardians(students))
        users.unlink()
        return super()._anonymise(students)
