from odoo import models


class MphErasure(models.AbstractModel):
    _inherit = "mph.erasure"

    def _anonymise(self, students):
        """Before a pupil's data is destroyed, take their address (and that of
        a guardian who is anonymised with them) off the newsletter for good:
        deleted permanently in Mailchimp, only a keyed hash kept here."""
        students = students.sudo().with_context(active_test=False)
        emails = set(students.partner_id.mapped("email_normalized"))
        guardians = students.guardian_id.filtered(
            lambda g: not ((g.mph_ward_ids | g.mph_student_ids) - students) and not g.user_ids
        )
        emails |= set(guardians.mapped("email_normalized"))
        res = super()._anonymise(students)
        Sync = self.env["mph.mailchimp.sync"]
        for email in filter(None, emails):
            Sync._erase_email(email)
        return res
