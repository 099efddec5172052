from odoo import models


class MphRetention(models.AbstractModel):
    _inherit = "mph.retention"

    def _mph_portal_users(self, partners):
        return (
            self.env["res.users"]
            .sudo()
            .with_context(active_test=False)
            .search([("partner_id", "in", partners.ids), ("share", "=", True)])
        )

    def _mph_leaving_guardians(self, students):
        """Guardians of ``students`` with no other pupil that stays."""
        students = students.sudo().with_context(active_test=False)
        guardians = students.guardian_id | students.guardian_ids
        return guardians.filtered(
            lambda g: not (
                (g.mph_ward_ids | g.mph_guardian_of_ids).filtered(lambda s: s.active) - students
                or g.mph_student_ids.filtered(lambda s: s.active) - students
            )
        )

    def _archive(self, students):
        """Mijn MPH logins of people in the passive archive are disabled: the
        pupil's, and a guardian's with no other current pupil."""
        users = self._mph_portal_users(students.sudo().partner_id | self._mph_leaving_guardians(students))
        # Before the contacts: Odoo archives no contact of an active user.
        users.filtered("active").write({"active": False})
        return super()._archive(students)
