from odoo import models


class MphPrivacyRequest(models.Model):
    _inherit = "mph.privacy.request"

    def _process_objection(self):
        """An objection also ends the newsletter: unsubscribed here and in
        Mailchimp, and never added again."""
        res = super()._process_objection()
        student = self.student_id.sudo()
        emails = {student.email_normalized}
        if student.is_under_guardian_age:  # the guardian objected on their behalf
            emails.add(student.guardian_id.email_normalized)
        for email in filter(None, emails):
            self.env["mph.mailchimp.sync"]._object_email(email)
        return res
