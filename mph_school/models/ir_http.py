import json

import psycopg2
import werkzeug.exceptions

from odoo import models
from odoo.http import request

FORM_MIMETYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    def session_info(self):
        # The reports show suppressed figures as "< N": the web client needs N.
        info = super().session_info()
        if self.env.user._is_internal():
            info["mph_insight_min_count"] = self.env["mph.insight.mixin"]._insight_min_count()
            if not info.get("home_action_id"):
                info["home_action_id"] = self.env.user.sudo()._mph_home_action().id or False
        return info

    @classmethod
    def _pre_dispatch(cls, rule, args):
        res = super()._pre_dispatch(rule, args)
        # The school's public forms (routes marked mph_form=True) take form
        # posts only. Anything else (JSON, plain text) would fail Odoo's CSRF
        # check with a bare English page; answer in the visitor's language.
        if (
            rule.endpoint.routing.get("mph_form")
            and request.httprequest.method == "POST"
            and request.httprequest.mimetype not in FORM_MIMETYPES
        ):
            response = request.render(
                "mph_school.bad_request_page",
                {"message": request.env._("This page only accepts the form on our website. Please use the form.")},
                status=415,
            )
            response.flatten()
            werkzeug.exceptions.abort(response)
        return res

    @classmethod
    def _handle_error(cls, exception):
        """JSON-RPC errors carry Odoo's full traceback (``data.debug``). An
        anonymous visitor or a portal user has no use for it and must not
        learn the server's code paths from it: it is removed for them. An
        internal user keeps it (the web client shows it in its error dialog);
        the error's name and message stay for everyone."""
        response = super()._handle_error(exception)
        if getattr(request, "dispatcher", None) is None or request.dispatcher.routing_type != "json":
            return response
        if cls._mph_error_for_internal_user():
            return response
        try:
            body = json.loads(response.get_data())
        except (AttributeError, TypeError, ValueError):
            return response
        data = (body.get("error") or {}).get("data")
        if isinstance(data, dict) and "debug" in data:
            data["debug"] = ""
            response.set_data(json.dumps(body))
        return response

    @classmethod
    def _mph_error_for_internal_user(cls):
        if not request.env or not request.env.uid:
            return False
        try:
            return request.env.user._is_internal()
        except psycopg2.Error:
            # The failed transaction cannot tell: treat the caller as outside.
            return False
