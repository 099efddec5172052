"""Odoo's own newsletter routes (mass_mailing, website_mass_mailing), held to
the school's rules: one way onto the newsletter, the double opt-in of
/nieuwsbrief with the same e-mail rule; no route that puts an address back
on a list without its owner's confirmation, or tells a visitor who is on
which list."""

import json

from odoo import http
from odoo.http import request

from odoo.addons.website_mass_mailing.controllers.main import MassMailController
from odoo.addons.website_mass_mailing.controllers.website_form import WebsiteNewsletterForm

from .newsletter import newsletter_email


class MphMassMailController(MassMailController):
    @http.route("/website_mass_mailing/is_subscriber", type="json", website=True, auth="public")
    def is_subscriber(self, list_id=None, subscription_type=None, **post):
        # Stock answers whether an address (a user's own, or the one the
        # session typed earlier) is on any list by id. The newsletter block
        # always offers the sign-up; the answer is the same for everyone.
        return {"is_subscriber": False, "value": ""}

    @http.route("/website_mass_mailing/subscribe", type="json", website=True, auth="public")
    def subscribe(self, list_id=None, value=None, subscription_type=None, **post):
        env = request.env
        if not env["ir.http"]._verify_request_recaptcha_token("website_mass_mailing_subscribe"):
            return {"toast_type": "danger", "toast_content": env._("Suspicious activity detected by Google reCaptcha.")}
        newsletter = env["mailing.list"]._mph_newsletter()
        if subscription_type != "email" or str(list_id) != str(newsletter.id):
            return {
                "toast_type": "danger",
                "toast_content": env._("You can only subscribe to the school newsletter, on the newsletter page."),
            }
        normalized = newsletter_email(value)
        if not normalized:
            return {"toast_type": "danger", "toast_content": env._("Please enter a valid e-mail address.")}
        env["mailing.subscription"].sudo()._mph_subscribe(normalized)
        return {
            "toast_type": "success",
            "toast_content": env._(
                "Thank you. Check your inbox: click the link in the e-mail we sent to confirm your subscription."
            ),
        }

    @http.route("/mailing/list/update", type="json", auth="public", csrf=True)
    def mailing_update_list_subscription(
        self, mailing_id=None, document_id=None, email=None, hash_token=None, lists_optin_ids=None, **post
    ):
        """Stock opts the address in on every public list ticked on the
        subscription page. The school newsletter is left out of that: a
        request for it starts the double opt-in (a mail to the address)."""
        newsletter = request.env["mailing.list"]._mph_newsletter()
        wanted = lists_optin_ids if isinstance(lists_optin_ids, list) else []
        email_found, _hash = self._fetch_user_information(email, hash_token)
        normalized = newsletter_email(email_found)
        subscribed = normalized and request.env["mailing.subscription"].sudo().search_count(
            [
                ("list_id", "=", newsletter.id),
                ("contact_id.email_normalized", "=", normalized),
                ("opt_out", "=", False),
            ]
        )
        ask = newsletter.id in wanted and not subscribed
        if ask:
            wanted = [list_id for list_id in wanted if list_id != newsletter.id]
        if normalized:
            # The page does not show internal lists (see below): saving it
            # leaves them as they are.
            hidden = self._fetch_contacts(normalized).subscription_ids.filtered(
                lambda s: not s.opt_out and not s.list_id.is_public
            )
            wanted = wanted + hidden.list_id.ids
        result = super().mailing_update_list_subscription(
            mailing_id=mailing_id,
            document_id=document_id,
            email=email,
            hash_token=hash_token,
            lists_optin_ids=wanted,
            **post,
        )
        # A number: the stock checks of the link's token (or the user) passed.
        if ask and normalized and isinstance(result, int) and not isinstance(result, bool):
            request.env["mailing.subscription"].sudo()._mph_subscribe(normalized)
        return result

    def _prepare_mailing_subscription_values(self, mailing, document_id, email, hash_token):
        # The page of an unsubscribe link may be opened by whoever the mail
        # was forwarded to: it names public lists only, not the internal
        # lists the address is on.
        values = super()._prepare_mailing_subscription_values(mailing, document_id, email, hash_token)
        for key in ("lists_contacts", "lists_optin", "lists_optout"):
            values[key] = values[key].filtered("is_public")
        return values


class MphNewsletterForm(WebsiteNewsletterForm):
    def _handle_website_form(self, model_name, **kwargs):
        # The form builder's "newsletter" form would store a contact on a
        # list directly, with whatever fields the form has.
        if model_name == "mailing.contact":
            return json.dumps(
                {"error": request.env._("You can only subscribe to the school newsletter, on the newsletter page.")}
            )
        return super()._handle_website_form(model_name, **kwargs)
