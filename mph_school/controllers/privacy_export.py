from odoo import http
from odoo.exceptions import AccessError
from odoo.http import request


class PrivacyExportController(http.Controller):
    """The readable copy of an access export as a web page. Odoo stores HTML
    that a non-administrator attaches as plain text (no scripts in
    attachments), so the chatter would show its markup; here it is served as
    HTML, for the coordinator only, and sandboxed: no script, nothing loaded."""

    @http.route("/mph/privacy-request/<int:request_id>/inzage.html", type="http", auth="user", methods=["GET"])
    def privacy_export_page(self, request_id):
        privacy_request = request.env["mph.privacy.request"].browse(request_id).exists()
        try:
            privacy_request.check_access("read")
            page = privacy_request._export_page_attachment()
        except AccessError:
            page = None
        if not privacy_request or not page:
            raise request.not_found()
        return request.make_response(
            page.raw,
            headers=[
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Security-Policy", "sandbox; default-src 'none'; style-src 'unsafe-inline'"),
                ("X-Content-Type-Options", "nosniff"),
                ("Cache-Control", "no-store"),
            ],
        )
