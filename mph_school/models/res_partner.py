import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import email_normalize

from .ir_rule import person_flag
from .mph_student_privacy_mixin import NOT_PERSONAL_FIELDS, exported_field_names

# Dutch postcode: four digits not starting with 0, two letters; SA, SD and SS
# are never issued.
NL_POSTCODE_RE = re.compile(r"^([1-9][0-9]{3})\s?(?!SA|SD|SS)([A-Z]{2})$")
# The one e-mail rule of every form and model of the school (use
# ``valid_email``). Stricter than ``email_normalize``, which accepts 'a@b',
# 'jan@localhost' and markup around an address: a plain ASCII address
# (RFC 5322 "dot-atom" local part) at a public host name of at least two
# labels, the last one a real top-level domain (letters or an IDN "xn--").
EMAIL_RE = re.compile(
    r"^(?=.{6,254}\Z)(?=[^@]{1,64}@)"
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})\Z"
)


def valid_email(value):
    """The address in ``value`` normalised (lower case, spaces around it
    stripped) when it is one the school accepts, else ``None``. Every form
    (sign-up, newsletter, Odoo's stock newsletter block) and the partner
    check use this one rule."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not EMAIL_RE.match(value):
        return None
    return email_normalize(value, strict=True) or None


def normalize_nl_postcode(value):
    """Return the postcode as '1234 AB', or None when it is not a Dutch one."""
    match = NL_POSTCODE_RE.match((value or "").strip().upper())
    return f"{match.group(1)} {match.group(2)}" if match else None


# The links from a contact to its pupils (below).
PUPIL_LINK = {"context": {"active_test": False}, "groups": "mph_school.group_coordinator"}


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Inverse links, used by the record rules that keep pupils and guardians
    # out of reach of the aggregated roles. Archived pupils count too.
    mph_student_ids = fields.One2many("mph.student", "partner_id", string="Pupil record", **PUPIL_LINK)
    mph_ward_ids = fields.One2many("mph.student", "guardian_id", string="Guardian of", **PUPIL_LINK)
    mph_guardian_of_ids = fields.Many2many(
        "mph.student", "mph_student_guardian_rel", "partner_id", "student_id", string="Parent/guardian of", **PUPIL_LINK
    )
    # A pupil's or guardian's contact: hidden by default (see res_users.py and
    # ir_rule.py). Once set it stays set, also when the pupil is archived or
    # anonymised or the guardian's wards leave: who was a school person keeps
    # the protection.
    mph_school_person = person_flag(
        "Pupil or guardian", "_compute_mph_school_person", groups="mph_school.group_coordinator"
    )

    @api.depends("mph_student_ids", "mph_ward_ids", "mph_guardian_of_ids")
    def _compute_mph_school_person(self):
        new = self.browse()
        for partner in self:
            flag = partner.mph_school_person or bool(
                partner.mph_student_ids or partner.mph_ward_ids or partner.mph_guardian_of_ids
            )
            if flag and not partner.mph_school_person:
                new |= partner
            partner.mph_school_person = flag
        if new.ids:
            # A contact that becomes a guardian may have a history: its
            # chatter becomes private from now on.
            Message = self.env["mail.message"].sudo()
            messages = Message.search([("model", "=", "res.partner"), ("res_id", "in", new.ids)])
            self.env.add_to_compute(Message._fields["mph_person_chatter"], messages)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._mph_normalize_vals(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._mph_normalize_vals(vals)
        res = super().write(vals)
        if {"email", "zip", "country_id"} & set(vals):
            school_partners = self.sudo().filtered(lambda p: p.mph_student_ids or p.mph_ward_ids)
            school_partners._mph_check_contact_data()
        return res

    def message_subscribe(self, partner_ids=None, subtype_ids=None):
        # Following a pupil's or guardian's contact would deliver its chatter:
        # for the coordinator and the system's own flows only.
        if self.sudo().filtered("mph_school_person"):
            self.env["mph.student"]._mph_check_may_subscribe()
        return super().message_subscribe(partner_ids=partner_ids, subtype_ids=subtype_ids)

    @api.model
    def _get_mail_message_access(self, res_ids, operation, model_name=None):
        # The chatter of a pupil's or guardian's contact is as private as the
        # pupil's own: outside the coordinator, reading it needs write access.
        operation = super()._get_mail_message_access(res_ids, operation, model_name=model_name)
        if (
            operation == "read"
            and (model_name or self._name) == self._name
            and not self.env.su
            and not self.env.user.has_group("mph_school.group_coordinator")
            and self.browse(list(res_ids)).sudo().filtered(lambda p: p.mph_student_ids or p.mph_ward_ids)
        ):
            return "write"
        return operation

    # ------------------------------------------------------------
    # Read log: a pupil's or guardian's contact read through Contacts
    # ------------------------------------------------------------

    def _read_format(self, fnames, load="_classic_read"):
        result = super()._read_format(fnames, load=load)
        if not self.env.su and result and set(fnames or ()) - NOT_PERSONAL_FIELDS:
            self.env["mph.student.read.log"]._log_partner_reads([row["id"] for row in result])
        return result

    @api.model
    def name_search(self, name="", args=None, operator="ilike", limit=100):
        result = super().name_search(name=name, args=args, operator=operator, limit=limit)
        if not self.env.su and result:
            self.env["mph.student.read.log"]._log_partner_reads([row[0] for row in result])
        return result

    def export_data(self, fields_to_export):
        result = super().export_data(fields_to_export)
        if not self.env.su and exported_field_names(fields_to_export) - NOT_PERSONAL_FIELDS:
            self.env["mph.student.read.log"]._log_partner_reads(self.ids)
        return result

    @api.model
    def _mph_normalize_vals(self, vals):
        if vals.get("email"):
            vals["email"] = vals["email"].strip()
        # A Dutch postcode is saved as "3816 MR" at once, so the form shows
        # what is stored (not "3816mr" until a reload).
        if vals.get("zip") and isinstance(vals["zip"], str):
            normalized = normalize_nl_postcode(vals["zip"])
            if normalized and normalized != vals["zip"] and self._mph_zip_is_dutch(vals):
                vals["zip"] = normalized

    def _mph_zip_is_dutch(self, vals):
        """Whether the postcode in ``vals`` is for the Netherlands: the
        country in ``vals``, else the country of every record written."""
        nl = self.env.ref("base.nl", raise_if_not_found=False)
        if not nl:
            return False
        if "country_id" in vals:
            return vals["country_id"] == nl.id
        return bool(self) and all(partner.country_id == nl for partner in self)

    @api.onchange("zip", "country_id")
    def _onchange_mph_zip(self):
        nl = self.env.ref("base.nl", raise_if_not_found=False)
        if self.zip and nl and self.country_id == nl:
            self.zip = normalize_nl_postcode(self.zip) or self.zip

    def _mph_check_contact_data(self):
        """Validate what the school relies on to reach a pupil or guardian."""
        nl = self.env.ref("base.nl", raise_if_not_found=False)
        for partner in self:
            if partner.email and not valid_email(partner.email):
                raise ValidationError(
                    self.env._(
                        "The e-mail address '%(email)s' of %(name)s is not valid.",
                        email=partner.email,
                        name=partner.name,
                    )
                )
            if partner.zip and nl and partner.country_id == nl:
                normalized = normalize_nl_postcode(partner.zip)
                if not normalized:
                    raise ValidationError(
                        self.env._(
                            "The postcode '%(zip)s' of %(name)s is not a Dutch postcode "
                            "(four digits and two letters, for example 1234 AB).",
                            zip=partner.zip,
                            name=partner.name,
                        )
                    )
                if normalized != partner.zip:
                    partner.zip = normalized
