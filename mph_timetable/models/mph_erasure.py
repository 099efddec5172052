from odoo import models


class MphErasure(models.AbstractModel):
    _inherit = "mph.erasure"

    def _anonymise(self, students):
        # Before the pupil's data goes: attendance per lesson becomes counts.
        enrollments = students.sudo().with_context(active_test=False).enrollment_ids
        if enrollments:
            self.env["mph.retention"]._reduce_attendance(enrollments=enrollments)
        return super()._anonymise(students)
