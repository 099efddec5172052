from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.mph_school.groups import COORDINATOR
from odoo.addons.mph_school.models.res_partner import normalize_nl_postcode, valid_email

# What a pupil or guardian may ask to change, and where it is written: on the
# pupil (phone, mobile live on mph.student) or on the contact.
FIELDS = ("street", "zip", "city", "email", "phone", "mobile")
STUDENT_FIELDS = ("phone", "mobile")
MAX_LENGTH = 200


class MphCorrectionRequest(models.Model):
    """A change of address, phone or e-mail asked for on Mijn MPH. Nothing is
    written to the person until the coordinator approves; the request is part
    of a data-subject request (rectification) with its one-month clock."""

    _name = "mph.correction.request"
    _description = "Correction Request"
    _inherit = ["mail.thread"]
    _order = "state desc, create_date desc, id desc"

    partner_id = fields.Many2one(
        "res.partner", string="Person", required=True, readonly=True, index=True, ondelete="cascade"
    )
    student_id = fields.Many2one(
        "mph.student", string="Pupil", readonly=True, index=True, ondelete="cascade", context={"active_test": False}
    )
    requested_by_id = fields.Many2one(
        "res.partner",
        string="Requested by",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
        default=lambda self: self.env.user.partner_id,
    )
    field_name = fields.Selection(
        [
            ("street", "Street and number"),
            ("zip", "Postcode"),
            ("city", "City"),
            ("email", "E-mail"),
            ("phone", "Phone"),
            ("mobile", "Mobile"),
        ],
        string="Field",
        required=True,
        readonly=True,
    )
    old_value = fields.Char(readonly=True)
    new_value = fields.Char(required=True, readonly=True)
    state = fields.Selection(
        [("pending", "To approve"), ("approved", "Approved"), ("rejected", "Rejected")],
        default="pending",
        required=True,
        readonly=True,
        index=True,
        tracking=True,
    )
    reject_reason = fields.Text(string="Reason for rejecting")
    date_decided = fields.Datetime(string="Decided on", readonly=True)
    decided_by_id = fields.Many2one("res.users", string="Decided by", readonly=True)
    privacy_request_id = fields.Many2one(
        "mph.privacy.request", string="Data-subject request", readonly=True, index=True, ondelete="set null"
    )
    date_due = fields.Date(related="privacy_request_id.date_due", string="Answer due by")

    @api.depends("field_name", "partner_id")
    def _compute_display_name(self):
        labels = dict(self._fields["field_name"]._description_selection(self.env))
        for request in self:
            request.display_name = labels.get(request.field_name, "")

    # ------------------------------------------------------------
    # Submitting (Mijn MPH)
    # ------------------------------------------------------------

    @api.model
    def _mph_clean_value(self, field_name, value, partner):
        value = (value or "").strip()
        if len(value) > MAX_LENGTH:
            raise ValidationError(self.env._("Keep each value under %s characters.", MAX_LENGTH))
        if field_name == "email":
            if not valid_email(value):
                raise ValidationError(self.env._("'%s' is not a valid e-mail address.", value))
            return valid_email(value)
        if field_name == "zip" and value and partner.sudo().country_id.code in (False, "NL"):
            normalized = normalize_nl_postcode(value)
            if not normalized:
                raise ValidationError(
                    self.env._(
                        "'%s' is not a Dutch postcode (four digits and two letters, for example 1234 AB).", value
                    )
                )
            return normalized
        if field_name in ("street", "city") and not value:
            raise ValidationError(self.env._("The street and the city cannot be empty."))
        return value

    @api.model
    def _mph_current_values(self, partner, student=None):
        """The current values, read as the user (record rules and field
        groups decide)."""
        values = {}
        for name in FIELDS:
            record = student if (student and name in STUDENT_FIELDS) else partner
            values[name] = record[name] or "" if name in record._fields else ""
        return values

    @api.model
    def _mph_submit(self, partner, student, changes):
        """Record the changes the user asks for: one correction per changed
        field, under one rectification request. ``partner`` (and ``student``,
        the pupil when the person is one) are checked as the user; nothing of
        them is written. Returns the corrections (empty when nothing
        changed)."""
        if not self.env.user._is_portal() and not self.env.user.has_group(COORDINATOR):
            raise AccessError(self.env._("Corrections are asked for on Mijn MPH."))
        partner.check_access("read")
        if student:
            student.check_access("read")
            if student.partner_id != partner:
                raise AccessError(self.env._("This pupil is not this person."))
        current = self._mph_current_values(partner, student)
        vals_list = []
        for name, value in changes.items():
            if name not in FIELDS:
                raise ValidationError(self.env._("This field cannot be changed here."))
            if name in STUDENT_FIELDS and not student and name not in partner._fields:
                continue
            value = self._mph_clean_value(name, value, partner)
            if value == (current.get(name) or ""):
                continue
            vals_list.append(
                {
                    "partner_id": partner.id,
                    "student_id": student.id if student else False,
                    "field_name": name,
                    "old_value": current.get(name) or False,
                    "new_value": value,
                }
            )
        if not vals_list:
            return self.browse()
        privacy = self.env["mph.privacy.request"]._mph_portal_file(
            "rectification",
            student=student,
            description=self.env._("Correction of %s asked for on Mijn MPH.", partner.name),
        )
        for vals in vals_list:
            vals["privacy_request_id"] = privacy.id
        # As the user: the record rules decide whose data may be corrected.
        return self.with_context(mail_create_nosubscribe=True).create(vals_list)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and not self.env.user.has_group(COORDINATOR):
            partner = self.env.user.partner_id
            for vals in vals_list:
                vals["requested_by_id"] = partner.id
                vals["state"] = "pending"
                vals.pop("reject_reason", None)
        return super().create(vals_list)

    # ------------------------------------------------------------
    # Deciding (the coordinator)
    # ------------------------------------------------------------

    def _check_pending(self):
        for request in self:
            if request.state != "pending":
                raise UserError(self.env._("This correction was already decided."))

    def action_approve(self):
        """Write the approved value on the person: the one write of a
        person's data that follows from Mijn MPH, by the coordinator."""
        self._check_pending()
        for request in self:
            value = request._mph_clean_value(request.field_name, request.new_value, request.partner_id)
            if request.student_id and request.field_name in STUDENT_FIELDS:
                request.student_id.write({request.field_name: value})
            else:
                request.partner_id.write({request.field_name: value})
        self.write({"state": "approved", "date_decided": fields.Datetime.now(), "decided_by_id": self.env.uid})
        self._mph_after_decision()
        return True

    def action_reject(self):
        self._check_pending()
        for request in self:
            if not (request.reject_reason or "").strip():
                raise UserError(self.env._("Enter the reason for rejecting; the person is told."))
        self.write({"state": "rejected", "date_decided": fields.Datetime.now(), "decided_by_id": self.env.uid})
        self._mph_after_decision()
        return True

    def _mph_after_decision(self):
        """Tell the person the outcome, and close the data-subject request
        once every correction in it is decided."""
        states = dict(self._fields["state"]._description_selection(self.env))
        for privacy in self.privacy_request_id:
            corrections = privacy.correction_ids
            if privacy.state in ("received", "verified") and all(c.state != "pending" for c in corrections):
                approved = corrections.filtered(lambda c: c.state == "approved")
                privacy.write(
                    {
                        "state": "done" if approved else "rejected",
                        "date_done": fields.Date.context_today(self),
                        "response": "\n".join(
                            f"{c.display_name}: {c.new_value} ({states[c.state]})"
                            + (f" - {c.reject_reason}" if c.reject_reason else "")
                            for c in corrections
                        ),
                    }
                )
        for requested_by, requests in self.grouped("requested_by_id").items():
            requests._mph_mail_outcome(requested_by)

    def _mph_mail_outcome(self, recipient):
        recipient = recipient.sudo()
        if not recipient.email:
            return
        lang = recipient.lang or "nl_NL"
        requests = self.with_context(lang=lang)
        env = requests.env
        states = dict(requests._fields["state"]._description_selection(env))
        rows = Markup("").join(
            Markup("<li>{field}: {old} &rarr; {new}: <b>{state}</b>{reason}</li>").format(
                field=request.display_name,
                old=request.old_value or "-",
                new=request.new_value,
                state=states[request.state],
                reason=Markup(" ({})").format(request.reject_reason) if request.reject_reason else "",
            )
            for request in requests
        )
        body = Markup("<p>{hello}</p><p>{intro}</p><ul>{rows}</ul><p>{outro}</p>").format(
            hello=env._("Dear %s,", recipient.name),
            intro=env._("The lesson coordinator has decided on the change you asked for on Mijn MPH:"),
            rows=rows,
            outro=env._("You can see your data on Mijn MPH. Kind regards, Muziekpakhuis"),
        )
        company = self.env.company.sudo()
        self.env["mail.mail"].sudo().create(
            {
                "subject": env._("Your change on Mijn MPH"),
                "body_html": body,
                "email_to": recipient.email_formatted,
                "email_from": company.email_formatted or self.env.user.email_formatted,
                "recipient_ids": [],
                "auto_delete": True,
            }
        )
        for request in self.sudo():
            request.message_post(body=escape(env._("The outcome was mailed to %s.", recipient.name)))
