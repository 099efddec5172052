from odoo import models


class MphAccessExport(models.AbstractModel):
    _inherit = "mph.access.export"

    def _gather_personal_data(self, request):
        """The access export also holds the pupil's lessons: date, lesson type
        and attendance code of each, and the counts kept after reduction."""
        data = super()._gather_personal_data(request)
        student = request.student_id.sudo().with_context(active_test=False)
        if not student:
            return data
        env = self.env
        enrollments = student.enrollment_ids
        attendance = env["mph.lesson.attendance"].sudo().search([("enrollment_id", "in", enrollments.ids)])
        codes = dict(attendance._fields["state"]._description_selection(env))
        lessons = [
            {
                env._("Date"): str(row.date),
                env._("Lesson type"): row.lesson_id.lesson_type_id.name,
                env._("Attendance"): codes.get(row.state, ""),
            }
            for row in attendance
        ]
        counts = [
            {
                env._("School year"): row.season_id.name,
                env._("Lesson type"): row.enrollment_id.lesson_type_id.name,
                env._("Present"): row.present,
                env._("Excused"): row.excused,
                env._("Absent"): row.absent,
                env._("Cancelled"): row.cancelled,
            }
            for row in env["mph.attendance.count"].sudo().search([("enrollment_id", "in", enrollments.ids)])
        ]
        if lessons:
            data[env._("Lessons and attendance")] = lessons
        if counts:
            data[env._("Attendance counts")] = counts
        return data
