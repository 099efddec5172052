"""Mijn MPH: pupils and parents on the portal.

Every page searches and reads as the logged-in user, so that the record rules
of mph_school (the global rule on contacts, res.users._mph_school_person_exceptions)
and of mph_portal decide what it shows; an id the user may not read answers
404. No route writes a person's data: a change is a correction request that
the coordinator approves (mph.correction.request)."""

from werkzeug.exceptions import NotFound

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request

from odoo.addons.mph_school.controllers.helpers import request_meta
from odoo.addons.portal.controllers.portal import CustomerPortal

from ..models.mph_correction_request import FIELDS

REQUEST_TYPES = ("erasure", "objection")


class MijnMphPortal(CustomerPortal):
    # ------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------

    def _mph_partner(self):
        return request.env.user.partner_id

    def _mph_students(self):
        """The pupils the user sees (themself and their children), as the user."""
        Student = request.env["mph.student"]
        if not Student.has_access("read"):
            return Student
        return Student.search([], order="name, id")

    def _mph_own_student(self, students=None):
        partner = self._mph_partner()
        students = self._mph_students() if students is None else students
        return students.filtered(lambda s: s.partner_id == partner)[:1]

    def _mph_is_family(self):
        """The user is a pupil or a guardian: their own contact is a school
        person (a flag of the user's own contact)."""
        return bool(self._mph_partner().sudo().mph_school_person)

    def _mph_get(self, model, record_id):
        """The record as the user, or 404 (unknown and not allowed look the same)."""
        record = request.env[model].browse(int(record_id))
        try:
            exists = bool(record.exists())
            if exists:
                record.check_access("read")
        except (AccessError, MissingError, ValueError):
            raise NotFound() from None
        if not exists:
            raise NotFound()
        return record

    def _mph_meta(self):
        return request_meta()

    def _mph_values(self, **values):
        result = self._prepare_portal_layout_values()
        result.update(values)
        return result

    def _mph_render(self, template, **values):
        return request.render(template, self._mph_values(**values))

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "mph_family_count" in counters:
            students = self._mph_students()
            own = self._mph_own_student(students)
            values["mph_family_count"] = len(students - own) + 1 if self._mph_is_family() else 0
        return values

    # ------------------------------------------------------------
    # Pages
    # ------------------------------------------------------------

    @http.route(["/my/mph"], type="http", auth="user", website=True)
    def mph_home(self, **kw):
        students = self._mph_students()
        own = self._mph_own_student(students)
        children = students - own
        Enrollment = request.env["mph.enrollment"]
        enrollments = (
            Enrollment.search([], order="date_requested desc, id desc") if Enrollment.has_access("read") else Enrollment
        )
        # What a guardian pays for without seeing the pupil (16 and 17).
        paid_only = enrollments.filtered(lambda e: e.student_id not in students)
        Move = request.env["account.move"]
        invoice_count = (
            Move.search_count([("move_type", "in", ("out_invoice", "out_refund"))]) if Move.has_access("read") else 0
        )
        return self._mph_render(
            "mph_portal.portal_mph_home",
            page_name="mph_home",
            partner=self._mph_partner(),
            own=own,
            own_phone=own.phone if own else self._mph_partner().phone,
            children=children,
            paid_only=paid_only,
            invoice_count=invoice_count,
            is_family=self._mph_is_family(),
            newsletter=bool(request.env.user._mph_newsletter_subscriptions()),
            done=kw.get("done"),
        )

    @http.route(["/my/mph/leerling/<int:student_id>"], type="http", auth="user", website=True)
    def mph_student(self, student_id, **kw):
        student = self._mph_get("mph.student", student_id)
        enrollments = request.env["mph.enrollment"].search([("student_id", "=", student.id)])
        consents = request.env["mph.privacy.acceptance"].search([("student_id", "=", student.id)])
        today = fields.Date.context_today(student)
        return self._mph_render(
            "mph_portal.portal_mph_student",
            page_name="mph_student",
            student=student,
            is_own=student.partner_id == self._mph_partner(),
            enrollments=enrollments,
            consents=consents,
            today=today,
            done=kw.get("done"),
            error=kw.get("error"),
        )

    @http.route(["/my/mph/wijzigen"], type="http", auth="user", website=True, methods=["GET", "POST"])
    def mph_correction(self, student_id=None, **post):
        if student_id:
            student = self._mph_get("mph.student", student_id)
            partner = student.partner_id
        else:
            partner = self._mph_partner()
            student = self._mph_own_student()
        Correction = request.env["mph.correction.request"]
        current = Correction._mph_current_values(partner, student)
        error = None
        if request.httprequest.method == "POST":
            changes = {name: post.get(name, "") for name in FIELDS if name in post}
            try:
                Correction._mph_submit(partner, student, changes)
            except (ValidationError, UserError) as exc:
                error = exc.args[0]
                current.update(changes)
            else:
                return request.redirect("/my/mph/verzoeken?done=correction")
        return self._mph_render(
            "mph_portal.portal_mph_correction",
            page_name="mph_correction",
            person=partner,
            student=student,
            values=current,
            error=error,
        )

    @http.route(["/my/mph/verzoeken"], type="http", auth="user", website=True)
    def mph_requests(self, **kw):
        Privacy = request.env["mph.privacy.request"]
        requests = Privacy.search([], order="date_received desc, id desc") if Privacy.has_access("read") else Privacy
        Correction = request.env["mph.correction.request"]
        corrections = Correction.search([]) if Correction.has_access("read") else Correction
        return self._mph_render(
            "mph_portal.portal_mph_requests",
            page_name="mph_requests",
            requests=requests,
            corrections=corrections,
            students=self._mph_students(),
            done=kw.get("done"),
        )

    @http.route(["/my/mph/verzoek"], type="http", auth="user", website=True, methods=["POST"])
    def mph_request(self, request_type=None, student_id=None, description=None, **kw):
        student = self._mph_get("mph.student", student_id) if student_id else self._mph_own_student() or None
        if request_type not in REQUEST_TYPES:
            raise NotFound()
        request.env["mph.privacy.request"]._mph_portal_file(request_type, student=student, description=description)
        return request.redirect(f"/my/mph/verzoeken?done={request_type}")

    @http.route(["/my/mph/inzage"], type="http", auth="user", website=True, methods=["POST"])
    def mph_export(self, student_id=None, **kw):
        student = self._mph_get("mph.student", student_id) if student_id else self._mph_own_student() or None
        privacy = request.env["mph.privacy.request"]._mph_portal_file("access", student=student)
        privacy._mph_portal_fulfil_access()
        return request.redirect(f"/my/mph/verzoeken?done=access&export={privacy.id}")

    @http.route(["/my/mph/inzage/<int:request_id>/<string:fmt>"], type="http", auth="user", website=True)
    def mph_export_download(self, request_id, fmt, **kw):
        privacy = self._mph_get("mph.privacy.request", request_id)
        if fmt not in ("json", "pdf"):
            raise NotFound()
        # Odoo gives portal users no attachment: the file is the export of a
        # request the user was just allowed to read (record rules), as
        # Odoo's own portal serves a document's files after its check.
        attachment = privacy.sudo()._mph_export_attachment(fmt)
        if not attachment:
            raise NotFound()
        return request.env["ir.binary"]._get_stream_from(attachment).get_response(as_attachment=True)

    @http.route(["/my/mph/nieuwsbrief"], type="http", auth="user", website=True, methods=["POST"])
    def mph_newsletter(self, **kw):
        if request.env.user._mph_newsletter_unsubscribe():
            request.env["mph.privacy.request"]._mph_portal_log_done(
                "objection", request.env._("Unsubscribed from the newsletter on Mijn MPH.")
            )
        return request.redirect("/my/mph?done=newsletter")

    @http.route(["/my/mph/opzeggen/<int:enrollment_id>"], type="http", auth="user", website=True, methods=["POST"])
    def mph_cancel(self, enrollment_id, date_end=None, **kw):
        enrollment = self._mph_get("mph.enrollment", enrollment_id)
        student_id = enrollment.student_id.id
        target = f"/my/mph/leerling/{student_id}" if enrollment.student_id in self._mph_students() else "/my/mph"
        try:
            # The cancellation and its line on the request log, both or neither.
            with request.env.cr.savepoint():
                enrollment._mph_portal_cancel(date_end)
                request.env["mph.privacy.request"]._mph_portal_log_done(
                    "cancellation",
                    request.env._(
                        "%(lessons)s cancelled on Mijn MPH per %(date)s.",
                        lessons=enrollment.sudo().lesson_type_id.name,
                        date=enrollment.sudo().date_end or fields.Date.context_today(enrollment),
                    ),
                    student=enrollment.student_id,
                )
        except (UserError, ValidationError, ValueError):
            return request.redirect(f"{target}?error=cancel")
        except AccessError:
            raise NotFound() from None
        return request.redirect(f"{target}?done=cancel")

    @http.route(["/my/mph/leerling/<int:student_id>/ouders"], type="http", auth="user", website=True, methods=["POST"])
    def mph_guardian_access(self, student_id, allow=None, **kw):
        student = self._mph_get("mph.student", student_id)
        try:
            student._mph_set_guardian_access(allow == "1", self._mph_meta())
        except AccessError:
            raise NotFound() from None
        return request.redirect(f"/my/mph/leerling/{student.id}?done=guardians")

    # ------------------------------------------------------------
    # Odoo's own details page: for a pupil or guardian a change goes through
    # the coordinator, so their details page is the correction form.
    # ------------------------------------------------------------

    @http.route()
    def account(self, redirect=None, **post):
        if self._mph_partner().sudo().mph_school_person:
            return request.redirect("/my/mph/wijzigen")
        return super().account(redirect=redirect, **post)
