from odoo import http
from odoo.http import request

from .helpers import link_route, request_meta, valid_id


class ConsentLinksController(http.Controller):
    """The pages reached through a signed consent link in an e-mail: the
    guardian's consent for the sign-up of a pupil under 16, and the pupil's
    own answer at 16. Opening a link changes nothing: the answer is a button
    (a POST with the CSRF token), because mail scanners open links too. A
    link of the legacy form carries ``exp`` besides ``token``."""

    def _linked_student(self, student_id):
        if not valid_id(student_id):
            return request.env["mph.student"]
        return request.env["mph.student"].sudo().browse(student_id).exists()

    @link_route("/muziekles/toestemming/<int:student_id>", website=True, mph_form=True)
    def guardian_consent(self, student_id, exp=None, token=None, **kwargs):
        student = self._linked_student(student_id)
        if not student or not request.env["mph.consent"]._mph_check_consent_token(student, token, exp=exp):
            return request.render("mph_school.consent_invalid_page", {}, status=400)
        if student.signup_state != "awaiting_consent":
            return request.render("mph_school.consent_done_page", {"already": True})
        if request.httprequest.method == "POST":
            request.env["mph.consent"]._mph_give_consent(student, request_meta())
            # What happens next, as it stands now: a trial lesson or a place
            # on the waiting list (the holder of the signed link may know).
            enrollments = student.enrollment_ids.filtered(lambda e: e.state in ("waiting", "trial"))
            return request.render(
                "mph_school.consent_done_page",
                {
                    "already": False,
                    "lines": [
                        {
                            "lesson_type": e.lesson_type_id.name,
                            "trial": e.state == "trial",
                            "position": e.waiting_position,
                        }
                        for e in enrollments.sorted(lambda e: e.lesson_type_id.name or "")
                    ],
                },
            )
        return request.render(
            "mph_school.consent_page",
            {
                "pupil_name": student.name,
                "guardian_name": student.guardian_id.name,
                "exp": exp,
                "token": token,
                "consent_days": request.env["mph.consent"]._mph_consent_days(),
            },
        )

    @link_route("/muziekles/eigen-toestemming/<int:student_id>", website=True, mph_form=True)
    def own_consent(self, student_id, exp=None, token=None, answer=None, **kwargs):
        student = self._linked_student(student_id)
        Consent = request.env["mph.consent"]
        if not student or not Consent._mph_check_own_consent_token(student, token, exp=exp):
            return request.render("mph_school.own_consent_invalid_page", {}, status=400)
        if student.own_consent_state != "requested":
            return request.render("mph_school.own_consent_done_page", {"already": True, "given": False})
        if request.httprequest.method == "POST":
            if answer not in ("give", "refuse"):
                return request.render("mph_school.own_consent_invalid_page", {}, status=400)
            give = answer == "give"
            Consent._mph_answer_own_consent(student, give, request_meta())
            return request.render("mph_school.own_consent_done_page", {"already": False, "given": give})
        return request.render(
            "mph_school.own_consent_page",
            {"pupil_name": student.name, "exp": exp, "token": token},
        )
