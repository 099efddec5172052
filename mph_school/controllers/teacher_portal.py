"""The teacher portal: "My pupils" on /my, a list of the teacher's running
enrolments and a read-only page per pupil.

Everything is searched and read as the logged-in teacher, so the record rules
and field groups of mph_school decide what a page can show; the explicit
"own enrolment" domain only keeps staff who also open /my to the same view.
"""

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request
from odoo.osv import expression

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..groups import TEACHER as TEACHER_GROUP
from ..models.mph_enrollment import RUNNING_STATES


class TeacherPortal(CustomerPortal):
    # ------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------

    def _mph_is_teacher(self):
        return request.env.user.has_group(TEACHER_GROUP)

    def _mph_enrollment_domain(self):
        return [("teacher_id.user_id", "=", request.env.uid), ("state", "in", RUNNING_STATES)]

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "mph_student_count" in counters:
            Student = request.env["mph.student"]
            values["mph_student_count"] = (
                Student.search_count([("enrollment_ids", "any", self._mph_enrollment_domain())])
                if self._mph_is_teacher() and Student.has_access("read")
                else 0
            )
        if not counters:
            # The home page itself: Odoo always shows "Your invoices"; a
            # teacher without invoices of their own has no use for it.
            values["mph_hide_invoices"] = self._mph_is_teacher() and not self._mph_has_invoices()
        return values

    @staticmethod
    def _mph_tel_href(number):
        """A tap-to-call link for a phone number as typed ("06-12 34 56 78")."""
        return "tel:" + "".join(c for c in number or "" if c.isdigit() or c == "+")

    def _mph_has_invoices(self):
        Move = request.env["account.move"]
        if not Move.has_access("read") or not hasattr(self, "_get_invoices_domain"):
            return False
        return bool(Move.search_count(self._get_invoices_domain("out"), limit=1))

    def _mph_searchbar_sortings(self):
        return {
            "name": {"label": request.env._("Name"), "order": "student_id, id"},
            "lesson_type": {"label": request.env._("Lesson type"), "order": "lesson_type_id, student_id, id"},
            "date_start": {"label": request.env._("Start date"), "order": "date_start desc nulls last, student_id, id"},
        }

    def _mph_searchbar_filters(self):
        return {
            "all": {"label": request.env._("All"), "domain": []},
            "trial": {"label": request.env._("Trial lesson"), "domain": [("state", "=", "trial")]},
            "active": {"label": request.env._("Active"), "domain": [("state", "=", "active")]},
        }

    def _mph_lesson_type_filters(self):
        """The lesson types the teacher has pupils in, as a second filter
        (combinable with the state filter)."""
        groups = request.env["mph.enrollment"]._read_group(self._mph_enrollment_domain(), ["lesson_type_id"])
        filters = {"all": {"label": request.env._("All lesson types"), "domain": []}}
        for (lesson_type,) in sorted(groups, key=lambda group: group[0].name or ""):
            filters[str(lesson_type.id)] = {
                "label": lesson_type.name,
                "domain": [("lesson_type_id", "=", lesson_type.id)],
            }
        return filters

    # ------------------------------------------------------------
    # Routes
    # ------------------------------------------------------------

    @http.route(["/my/students", "/my/students/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_students(self, page=1, sortby=None, filterby=None, lesson_type=None, **kw):
        Enrollment = request.env["mph.enrollment"]
        if not self._mph_is_teacher() or not Enrollment.has_access("read"):
            return request.redirect("/my")
        sortings = self._mph_searchbar_sortings()
        filters = self._mph_searchbar_filters()
        lesson_types = self._mph_lesson_type_filters()
        sortby = sortby if sortby in sortings else "name"
        filterby = filterby if filterby in filters else "all"
        lesson_type = lesson_type if lesson_type in lesson_types else "all"
        domain = expression.AND(
            [self._mph_enrollment_domain(), filters[filterby]["domain"], lesson_types[lesson_type]["domain"]]
        )

        pager = portal_pager(
            url="/my/students",
            url_args={"sortby": sortby, "filterby": filterby, "lesson_type": lesson_type},
            total=Enrollment.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        enrollments = Enrollment.search(
            domain, order=sortings[sortby]["order"], limit=self._items_per_page, offset=pager["offset"]
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "enrollments": enrollments,
                "page_name": "mph_students",
                "pager": pager,
                "default_url": "/my/students",
                "searchbar_sortings": sortings,
                "sortby": sortby,
                "searchbar_filters": filters,
                "filterby": filterby,
                "mph_lesson_types": lesson_types,
                "mph_lesson_type": lesson_type,
            }
        )
        # The list shows the pupils' names: that is a read of personal data too.
        request.env["mph.student.read.log"]._log_reads(enrollments.student_id)
        return request.render("mph_school.portal_my_students", values)

    def _mph_student_or_redirect(self, student_id):
        """The pupil as the logged-in teacher, or None. Unknown ids, other
        teachers' pupils and ended enrolments all look the same from outside."""
        if not self._mph_is_teacher():
            return None
        try:
            self._document_check_access("mph.student", student_id)
        except (AccessError, MissingError):
            return None
        # Read as the teacher, never through the sudo record the check returns.
        student = request.env["mph.student"].browse(student_id)
        enrollments = request.env["mph.enrollment"].search(
            expression.AND([self._mph_enrollment_domain(), [("student_id", "=", student.id)]]),
            order="date_start desc, id",
        )
        return (student, enrollments) if enrollments else None

    @http.route(["/my/students/<int:student_id>"], type="http", auth="user", website=True)
    def portal_my_student(self, student_id, correction=None, **kw):
        found = self._mph_student_or_redirect(student_id)
        if not found:
            return request.redirect("/my/students")
        student, enrollments = found
        # A many2one read gives the guardian's display name; the guardian's
        # contact itself stays out of a teacher's reach.
        guardian = student.read(["guardian_id"])[0]["guardian_id"]
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "mph_tel": self._mph_tel_href,
                "student": student,
                "enrollments": enrollments,
                "guardian_name": guardian and guardian[1],
                "page_name": "mph_student",
                "correction": correction,
            }
        )
        return request.render("mph_school.portal_my_student", values)

    @http.route(["/my/students/<int:student_id>/correction"], type="http", auth="user", website=True, methods=["POST"])
    def portal_my_student_correction(self, student_id, message="", **kw):
        found = self._mph_student_or_redirect(student_id)
        if not found:
            return request.redirect("/my/students")
        student = found[0]
        try:
            student._request_correction(message)
        except UserError:
            return request.redirect(f"/my/students/{student.id}?correction=empty")
        return request.redirect(f"/my/students/{student.id}?correction=sent")
