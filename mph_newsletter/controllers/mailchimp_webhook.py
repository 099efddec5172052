import logging

from werkzeug.exceptions import BadRequest, Forbidden

from odoo import http
from odoo.http import request
from odoo.tools import consteq, email_normalize

_logger = logging.getLogger(__name__)

EVENTS = ("subscribe", "unsubscribe", "profile", "upemail", "cleaned")


class MailchimpWebhookController(http.Controller):
    """Mailchimp calls this URL (with the secret in it) for changes made on
    its side. GET is Mailchimp's check that the URL exists."""

    @http.route(
        "/mph/mailchimp/webhook/<string:secret>",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        csrf=False,
        sitemap=False,
    )
    def mailchimp_webhook(self, secret, **post):
        settings = request.env["mph.settings"]
        expected = settings._get("mph_newsletter.webhook_secret")
        if not expected or not consteq(expected, secret):
            _logger.warning("Mailchimp webhook called with a wrong secret")
            raise Forbidden()
        if request.httprequest.method == "GET":
            return request.make_response("ok")
        event = post.get("type")
        audience = settings._get("mph_newsletter.mailchimp_audience_id")
        if event not in EVENTS or post.get("data[list_id]") != audience:
            raise BadRequest()
        handler = request.env["mailing.subscription"].sudo()
        if event == "upemail":
            old, new = (
                email_normalize(post.get("data[old_email]", "")),
                email_normalize(post.get("data[new_email]", "")),
            )
            if not (old and new):
                raise BadRequest()
            handler._mph_mailchimp_event(event, old, new_email=new)
        else:
            email = email_normalize(post.get("data[email]", ""))
            if not email:
                raise BadRequest()
            handler._mph_mailchimp_event(event, email)
        return request.make_response("ok")
