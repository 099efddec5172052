from odoo import api, models
from odoo.exceptions import AccessError

from ..models.mph_enrollment import RUNNING_STATES


class ReportWaitingList(models.AbstractModel):
    """The printed waiting list: the selected waiting enrolments per lesson
    type, position 1 first. Enrolments that are not waiting are left out."""

    _name = "report.mph_school.report_waiting_list"
    _description = "Waiting list (PDF)"

    @api.model
    def _get_report_values(self, docids, data=None):
        if not self.env.user.has_group("mph_school.group_coordinator"):
            raise AccessError(self.env._("Only the lesson coordinator can print a waiting list."))
        enrollments = self.env["mph.enrollment"].browse(docids)
        enrollments.check_access("read")
        waiting = enrollments.filtered(lambda e: e.state == "waiting")
        queues = []
        for lesson_type in waiting.lesson_type_id.sorted(lambda lt: (lt.sequence, lt.name)):
            rows = waiting.filtered(lambda e, lt=lesson_type: e.lesson_type_id == lt)
            rows = rows.sorted(lambda e: (e.waiting_position, e.id))
            queues.append(
                {
                    "lesson_type": lesson_type,
                    "rows": [{"position": row.waiting_position, "enrollment": row} for row in rows],
                }
            )
        return {"doc_ids": docids, "doc_model": "mph.enrollment", "docs": enrollments, "queues": queues}


class ReportClassList(models.AbstractModel):
    """The printed class list of lesson types: the pupils in trial or regular
    lessons, by teacher and name."""

    _name = "report.mph_school.report_class_list"
    _description = "Class list (PDF)"

    @api.model
    def _get_report_values(self, docids, data=None):
        if not self.env.user.has_group("mph_school.group_coordinator"):
            raise AccessError(self.env._("Only the lesson coordinator can print a class list."))
        lesson_types = self.env["mph.lesson.type"].browse(docids)
        lesson_types.check_access("read")
        Enrollment = self.env["mph.enrollment"]
        classes = []
        for lesson_type in lesson_types:
            enrollments = Enrollment.search(
                [("lesson_type_id", "=", lesson_type.id), ("state", "in", RUNNING_STATES)]
            ).sorted(lambda e: (e.teacher_id.name or "", e.student_id.name or "", e.id))
            classes.append({"lesson_type": lesson_type, "enrollments": enrollments})
        return {"doc_ids": docids, "doc_model": "mph.lesson.type", "docs": lesson_types, "classes": classes}
