from odoo import http
from odoo.http import request

from odoo.addons.mph_school.controllers.helpers import link_route
from odoo.addons.mph_school.models.res_partner import valid_email

MAX_EMAIL_LENGTH = 254


def newsletter_email(value):
    """The address a visitor typed, normalised, or ``None`` when the school's
    e-mail rule refuses it (also for a repeated or non-text field)."""
    if not isinstance(value, str) or len(value) > MAX_EMAIL_LENGTH:
        return None
    return valid_email(value)


class NewsletterController(http.Controller):
    """Subscribing to the school newsletter: a form, a confirmation mail with a
    signed expiring link (double opt-in), and the confirmation page, where a
    button (not the link itself, which mail scanners open) confirms."""

    @http.route("/nieuwsbrief", type="http", auth="public", website=True, sitemap=False)
    def newsletter_form(self, **kwargs):
        return request.render("mph_newsletter.newsletter_subscribe_page", {"email": "", "error": False})

    @http.route("/nieuwsbrief/aanmelden", type="http", auth="public", methods=["POST"], website=True, sitemap=False)
    def newsletter_subscribe(self, email="", website_url="", **kwargs):
        # A honeypot: people do not fill the hidden field, robots do.
        if website_url:
            return request.render("mph_newsletter.newsletter_check_mail_page", {})
        normalized = newsletter_email(email)
        if not normalized:
            typed = email[:MAX_EMAIL_LENGTH] if isinstance(email, str) else ""
            return request.render(
                "mph_newsletter.newsletter_subscribe_page",
                {"email": typed, "error": request.env._("Please enter a valid e-mail address.")},
                status=400,
            )
        request.env["mailing.subscription"].sudo()._mph_subscribe(normalized)
        # The same answer whether or not the address was known: no way to
        # probe who is subscribed.
        return request.render("mph_newsletter.newsletter_check_mail_page", {})

    def _valid_subscription(self, subscription_id, exp, token):
        subscription = request.env["mailing.subscription"].sudo().browse(subscription_id).exists()
        if subscription and subscription._mph_check_token(token, exp=exp):
            return subscription
        return None

    @link_route("/nieuwsbrief/bevestigen/<int:subscription_id>", website=True)
    def newsletter_confirm(self, subscription_id, exp=None, token=None, **kwargs):
        subscription = self._valid_subscription(subscription_id, exp, token)
        if not subscription:
            return request.render("mph_newsletter.newsletter_invalid_link_page", {}, status=400)
        if request.httprequest.method != "POST":
            # Opening the link changes nothing: mail scanners and link
            # previews open it too. The page's button (a POST with the
            # session's CSRF token and the link's signature) confirms.
            return request.render(
                "mph_newsletter.newsletter_confirm_page",
                {"subscription_id": subscription.id, "exp": exp, "token": token},
            )
        subscription._mph_confirm()
        return request.render("mph_newsletter.newsletter_confirmed_page", {})
