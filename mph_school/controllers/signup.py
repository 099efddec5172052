import unicodedata
from datetime import date

from dateutil.relativedelta import relativedelta

from odoo import fields, http
from odoo.http import request
from odoo.tools import email_normalize

from ..models.mph_student import GUARDIAN_AGE, MAX_AGE
from ..models.res_partner import EMAIL_RE, normalize_nl_postcode
from .helpers import link_route, parse_id, request_meta

# Longest value accepted per field; longer input is refused, not cut.
MAX_LENGTH = {
    "name": 100,
    "street": 120,
    "zip": 12,
    "city": 80,
    "email": 254,
    "phone": 30,
    "mobile": 30,
    "preferred_times": 200,
    "note": 2000,
    "guardian_name": 100,
    "guardian_email": 254,
    "guardian_phone": 30,
    "birthdate": 10,
}
TEXT_FIELDS = tuple(MAX_LENGTH)
# Characters that never belong in a name or address (markup, templates).
FORBIDDEN = set("<>{}[]\\|^~`$")
PHONE_CHARS = set("+0123456789 ()-.")
MAX_CHOICES = 50


def clean_text(value, multiline=False):
    """NFC-normalise and drop control, format (zero-width, bidi override),
    surrogate and private-use characters; collapse spaces on one line."""
    value = unicodedata.normalize("NFC", value or "")
    kept = []
    for char in value:
        if multiline and char == "\n":
            kept.append(char)
        elif unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            kept.append(" " if char in "\t\r\n" else "")
        else:
            kept.append(char)
    value = "".join(kept)
    if multiline:
        return "\n".join(" ".join(line.split()) for line in value.split("\n")).strip()
    return " ".join(value.split())


class SignupController(http.Controller):
    """The public sign-up for a first lesson, the confirmation of a sign-up
    by the owner of a known address, and the current privacy policy (the
    consent links: consent_links.py)."""

    # ------------------------------------------------------------
    # Pages
    # ------------------------------------------------------------

    @http.route("/muziekles/aanmelden", type="http", auth="public", methods=["GET"], website=True, sitemap=True)
    def signup_form(self, **kwargs):
        return self._render_form({}, {})

    @http.route(
        "/muziekles/aanmelden", type="http", auth="public", methods=["POST"], website=True, sitemap=False, mph_form=True
    )
    def signup_submit(self, **post):
        form = request.httprequest.form
        values = {key: form.get(key, "") for key in TEXT_FIELDS + ("country_id", "privacy_accept")}
        values["lesson_type_ids"] = form.getlist("lesson_type_ids")
        # A honeypot: people do not see this field, robots fill it in.
        if form.get("website_url"):
            return self._render_form(
                values, {"form": request.env._("Your sign-up could not be sent. Please try again.")}, status=400
            )
        if not request.env["mph.signup.attempt"].sudo()._mph_register(request.httprequest.remote_addr):
            return self._render_form(
                values,
                {"form": request.env._("Too many sign-ups were sent from your connection. Please try again later.")},
                status=429,
            )
        clean, errors = self._validate(values)
        if errors:
            return self._render_form(values, errors, status=400)
        request.env["mph.signup"].sudo()._mph_signup_submit(
            clean["student"],
            clean["guardian"],
            clean["lesson_types"],
            clean["preferred_times"],
            request_meta(),
        )
        # Built from what was sent only, never from what the database holds:
        # a known pupil's address gets exactly the page a new person gets.
        return request.render(
            "mph_school.signup_done_page",
            {
                "awaiting_consent": clean["guardian"] is not None,
                "lesson_type_names": clean["lesson_types"].mapped("name"),
                "consent_days": request.env["mph.consent"]._mph_consent_days(),
            },
        )

    @http.route("/muziekles/privacybeleid", type="http", auth="public", website=True, sitemap=True)
    def privacy_policy(self, **kwargs):
        policy = request.env["mph.privacy.policy"]._get_current()
        return request.render("mph_school.privacy_policy_page", {"policy": policy})

    @link_route("/muziekles/bevestigen", website=True, mph_form=True)
    def confirm_address(self, token=None, **kwargs):
        """The owner of a known address confirms a sign-up that used it."""
        pending, email = request.env["mph.signup.pending"].sudo()._mph_from_token(token)
        if not pending:
            return request.render("mph_school.signup_confirm_invalid_page", {}, status=400)
        payload = pending.payload
        guardian = payload.get("guardian") or {}
        as_guardian = bool(guardian) and email_normalize(guardian.get("email") or "") == email
        # Confirming is a button (a POST with the CSRF token), not opening
        # the link: mail scanners open links too.
        if request.httprequest.method == "POST":
            applied = pending._mph_confirm(email, request_meta())
            return request.render(
                "mph_school.signup_confirm_done_page", {"applied": applied, "as_guardian": as_guardian}
            )
        lesson_types = request.env["mph.lesson.type"].sudo().browse(payload.get("lesson_type_ids") or []).exists()
        return request.render(
            "mph_school.signup_confirm_page",
            {
                "pupil_name": payload["student"].get("name"),
                "lesson_type_names": lesson_types.mapped("name"),
                "as_guardian": as_guardian,
                "token": token,
            },
        )

    # ------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------

    def _render_form(self, values, errors, status=200):
        policy = request.env["mph.privacy.policy"]._get_current()
        lesson_types = request.env["mph.lesson.type"].sudo().search([])
        selected = {str(v) for v in values.get("lesson_type_ids", [])}
        shown = {key: (values.get(key) or "")[: MAX_LENGTH.get(key, 20)] for key in TEXT_FIELDS + ("country_id",)}
        nl = request.env.ref("base.nl")
        labels = self._field_labels()
        return request.render(
            "mph_school.signup_page",
            {
                # The summary above the form: each field in error, in the
                # order of the form, linked to the field.
                "error_list": [(key, labels[key], errors[key]) for key in labels if key in errors],
                "full_ids": {lesson_type.id for lesson_type in lesson_types if not lesson_type._has_room()},
                "values": shown,
                "errors": errors,
                "selected": selected,
                "privacy_checked": bool(values.get("privacy_accept")),
                "policy": policy,
                "lesson_types": lesson_types,
                "countries": request.env["res.country"].sudo().search([]),
                "country_id": parse_id(shown["country_id"]) or nl.id,
                "consent_days": request.env["mph.consent"]._mph_consent_days(),
            },
            status=status,
        )

    def _field_labels(self):
        """The form's fields in their order, with the label the form shows."""
        env = request.env
        return {
            "lesson_type_ids": env._("Lesson types"),
            "preferred_times": env._("Preferred days and times"),
            "name": env._("Name"),
            "birthdate": env._("Date of birth"),
            "street": env._("Street and house number"),
            "zip": env._("Postcode"),
            "city": env._("Town or city"),
            "country_id": env._("Country"),
            "email": env._("E-mail address"),
            "phone": env._("Phone number"),
            "mobile": env._("Second phone number"),
            "guardian_name": env._("Name of the parent or guardian"),
            "guardian_email": env._("E-mail address of the parent or guardian"),
            "guardian_phone": env._("Phone number of the parent or guardian"),
            "note": env._("Remarks"),
            "privacy_accept": env._("Privacy policy"),
        }

    def _validate(self, values):
        """Check every field of the form. Returns (clean values, errors by
        field); the messages are translated and meant to show next to the field."""
        env = request.env
        errors = {}
        text = self._clean_texts(values, errors)
        for key, message in (
            ("name", env._("Please enter the pupil's name.")),
            ("street", env._("Please enter the street and house number.")),
            ("zip", env._("Please enter the postcode.")),
            ("city", env._("Please enter the town or city.")),
            ("email", env._("Please enter an e-mail address.")),
            ("phone", env._("Please enter a phone number.")),
            ("birthdate", env._("Please enter the date of birth.")),
        ):
            if key not in errors and not text.get(key):
                errors[key] = message
        if "name" not in errors and not any(c.isalpha() for c in text["name"]):
            errors["name"] = env._("Please enter the pupil's name.")
        country = self._check_address(values, text, errors)
        self._check_contact(text, errors)
        birthdate = self._check_birthdate(text, errors)
        today = fields.Date.context_today(env["mph.student"])
        minor = bool(birthdate) and relativedelta(today, birthdate).years < GUARDIAN_AGE
        if minor:
            if "guardian_name" not in errors and not text.get("guardian_name"):
                errors["guardian_name"] = env._("Pupils under 16 need consent: please enter a parent or guardian.")
            if "guardian_email" not in errors and not text.get("guardian_email"):
                errors["guardian_email"] = env._("Please enter the e-mail address of the parent or guardian.")
        lesson_types = self._check_choices(values, errors)
        if errors:
            return None, errors
        lang = request.lang.code if request.lang else None
        student = {
            "name": text["name"],
            "street": text["street"],
            "zip": text["zip"],
            "city": text["city"],
            "country_id": country.id,
            "email": text["email"],
            "phone": text["phone"],
            "mobile": text.get("mobile") or False,
            "birthdate": birthdate,
            "note": text.get("note") or False,
            "lang": lang,
        }
        guardian = None
        if minor:
            guardian = {
                "name": text["guardian_name"],
                "email": text["guardian_email"],
                "phone": text.get("guardian_phone"),
                "lang": lang,
            }
        return {
            "student": student,
            "guardian": guardian,
            "lesson_types": lesson_types,
            "preferred_times": text.get("preferred_times") or False,
        }, {}

    def _clean_texts(self, values, errors):
        text = {}
        for key in TEXT_FIELDS:
            raw = values.get(key) or ""
            if len(raw) > MAX_LENGTH[key]:
                errors[key] = request.env._("This is too long: at most %s characters.", MAX_LENGTH[key])
                continue
            text[key] = clean_text(raw, multiline=key == "note")
            if FORBIDDEN & set(text[key]):
                errors[key] = request.env._("Please do not use the characters < > { } [ ] \\ | ^ ~ ` $ here.")
        return text

    def _check_address(self, values, text, errors):
        env = request.env
        country = env["res.country"].sudo().browse(parse_id(values.get("country_id")) or []).exists()
        if not country:
            errors["country_id"] = env._("Please choose a country.")
        elif "zip" not in errors and text.get("zip"):
            if country == env.ref("base.nl"):
                normalized = normalize_nl_postcode(text["zip"])
                if not normalized:
                    errors["zip"] = env._("This is not a Dutch postcode: four digits and two letters, like 1234 AB.")
                text["zip"] = normalized
            elif not all(c.isalnum() or c in " -" for c in text["zip"]):
                errors["zip"] = env._("This postcode contains characters that are not allowed.")
        return country

    def _check_contact(self, text, errors):
        for key in ("email", "guardian_email"):
            if text.get(key) and key not in errors:
                if not (EMAIL_RE.match(text[key]) and email_normalize(text[key])):
                    errors[key] = request.env._("This is not a valid e-mail address.")
        for key in ("phone", "mobile", "guardian_phone"):
            if text.get(key) and key not in errors:
                digits = sum(c.isdigit() for c in text[key])
                if not set(text[key]) <= PHONE_CHARS or not 8 <= digits <= 15:
                    errors[key] = request.env._("This is not a valid phone number (8 to 15 digits).")

    def _check_birthdate(self, text, errors):
        """The parsed date of birth, or None (with an error) when it is not plausible."""
        env = request.env
        if not text.get("birthdate") or "birthdate" in errors:
            return None
        birthdate = self._parse_date(text["birthdate"])
        today = fields.Date.context_today(env["mph.student"])
        if not birthdate:
            errors["birthdate"] = env._("Please enter the date of birth as day-month-year, like 21-03-2012.")
        elif birthdate > today:
            errors["birthdate"] = env._("The date of birth cannot be in the future.")
        elif birthdate < today - relativedelta(years=MAX_AGE):
            errors["birthdate"] = env._("Please check the date of birth: that is more than %s years ago.", MAX_AGE)
        else:
            return birthdate
        return None

    def _check_choices(self, values, errors):
        env = request.env
        raw_ids = values.get("lesson_type_ids") or []
        lesson_type_ids = [parse_id(v) for v in raw_ids[: MAX_CHOICES + 1]]
        # Only what the form offers: an archived lesson type's id is refused.
        lesson_types = env["mph.lesson.type"].sudo().search([("id", "in", [i for i in lesson_type_ids if i])])
        if None in lesson_type_ids or len(raw_ids) > MAX_CHOICES:
            errors["lesson_type_ids"] = env._("Please choose at least one lesson type from the list.")
        elif len(set(lesson_type_ids)) != len(lesson_type_ids):
            errors["lesson_type_ids"] = env._("Please choose each lesson type only once.")
        elif not lesson_types or len(lesson_types) != len(lesson_type_ids):
            errors["lesson_type_ids"] = env._("Please choose at least one lesson type from the list.")
        if not env["mph.privacy.policy"]._get_current():
            errors["form"] = env._("Signing up is not possible at the moment. Please call or e-mail us.")
        elif not values.get("privacy_accept"):
            errors["privacy_accept"] = env._("Please read and accept the privacy policy.")
        return lesson_types

    @staticmethod
    def _parse_date(value):
        for order in ("ymd", "dmy"):
            parts = value.replace("/", "-").split("-")
            if len(parts) != 3 or not all(p.isdigit() for p in parts):
                return None
            year, month, day = (parts[0], parts[1], parts[2]) if order == "ymd" else (parts[2], parts[1], parts[0])
            if len(year) != 4:
                continue
            try:
                return date(int(year), int(month), int(day))
            except ValueError:
                return None
        return None
