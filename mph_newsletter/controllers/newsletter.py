from odoo import http
from odoo.http import request
from odoo.tools import email_normalize


class NewsletterController(http.Controller):
    """Subscribing to the school newsletter: a form, a confirmation mail with a
    signed expiring link (double opt-in), and the confirmation page."""

    @http.route("/nieuwsbrief", type="http", auth="public", website=True, sitemap=False)
    def newsletter_form(self, **kwargs):
        return request.render("mph_newsletter.newsletter_subscribe_page", {"email": "", "error": False})

    @http.route("/nieuwsbrief/aanmelden", type="http", auth="public", methods=["POST"], website=True, sitemap=False)
    def newsletter_subscribe(self, email="", website_url="", **kwargs):
        # A honeypot: people do not fill the hidden field, robots do.
        if website_url:
            return request.render("mph_newsletter.newsletter_check_mail_page", {})
        normalized = email_normalize((email or "")[:254])
        if not normalized:
            return request.render(
                "mph_newsletter.newsletter_subscribe_page",
                {"email": email[:254], "error": request.env._("Please enter a valid e-mail address.")},
            )
        request.env["mailing.subscription"].sudo()._mph_subscribe(normalized)
        # The same answer whether or not the address was known: no way to
        # probe who is subscribed.
        return request.render("mph_newsletter.newsletter_check_mail_page", {})

    @http.route(
        "/nieuwsbrief/bevestigen/<int:subscription_id>", type="http", auth="public", website=True, sitemap=False
    )
    def newsletter_confirm(self, subscription_id, exp=None, token=None, **kwargs):
        subscription = request.env["mailing.subscription"].sudo().browse(subscription_id).exists()
        if not subscription or not subscription._mph_check_token(exp, token):
            return request.render("mph_newsletter.newsletter_invalid_link_page", {}, status=400)
        subscription._mph_confirm()
        return request.render("mph_newsletter.newsletter_confirmed_page", {})
