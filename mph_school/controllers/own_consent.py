from odoo import http
from odoo.http import request

from .signup import valid_link


class OwnConsentController(http.Controller):
    """The page where a pupil who turned 16 gives or refuses their own
    consent, reached through the signed link in the e-mail."""

    @http.route(
        "/muziekles/eigen-toestemming/<int:student_id>",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        website=True,
        sitemap=False,
        mph_form=True,
    )
    def own_consent(self, student_id, exp=None, token=None, answer=None, **kwargs):
        if not valid_link(student_id, exp, token):
            return request.render("mph_school.own_consent_invalid_page", {}, status=400)
        student = request.env["mph.student"].sudo().browse(student_id).exists()
        if not student or not student._mph_check_own_consent_token(exp, token):
            return request.render("mph_school.own_consent_invalid_page", {}, status=400)
        if student.own_consent_state != "requested":
            return request.render("mph_school.own_consent_done_page", {"already": True, "given": False})
        # The answer is a button (a POST with the CSRF token), not opening the
        # link: mail scanners open links too.
        if request.httprequest.method == "POST":
            if answer not in ("give", "refuse"):
                return request.render("mph_school.own_consent_invalid_page", {}, status=400)
            give = answer == "give"
            meta = {
                "ip": request.httprequest.remote_addr,
                "user_agent": (request.httprequest.user_agent.string or "")[:500],
            }
            student._mph_answer_own_consent(give, meta)
            return request.render("mph_school.own_consent_done_page", {"already": False, "given": give})
        return request.render(
            "mph_school.own_consent_page",
            {"pupil_name": student.name, "exp": exp, "token": token},
        )
