import re
import time

from dateutil.relativedelta import relativedelta

from odoo import SUPERUSER_ID, Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression
from odoo.tools import consteq, email_normalize, plaintext2html
from odoo.tools.misc import hmac as hmac_tool

from ..groups import COORDINATOR, COORDINATOR_FINANCE, COORDINATOR_TEACHER
from .mph_enrollment import RUNNING_STATES
from .mph_student_read_log import read_write

# Who may read the personal data the privacy policy gives a teacher.

# Fields every role with read access on mph.student may read: what an invoice
# needs (name, address, e-mail) and technical columns. Every other field not
# given to a school role explicitly (all other inherited res.partner fields,
# the chatter, activities, fields added by other modules) is for the
# coordinator only: a whitelist, so a new field is private until someone
# decides otherwise.
OPEN_FIELDS = frozenset(
    {
        "id",
        "display_name",
        "create_date",
        "create_uid",
        "write_date",
        "write_uid",
        "active",
        "partner_id",
        "name",
        "street",
        "street2",
        "zip",
        "city",
        "state_id",
        "country_id",
        "email",
        "lang",
    }
)

# Fields whose reading is not logged in the read log: no personal data.
NOT_PERSONAL_FIELDS = frozenset({"id", ".id", "active", "state", "create_date", "write_date"})


def exported_field_names(fields_to_export):
    """The fields of the model itself in an export list ('guardian_id/name'
    is 'guardian_id', 'partner_id:id' is 'partner_id')."""
    return {path.replace(":", "/").split("/")[0] or ".id" for path in fields_to_export}


CONSENT_TOKEN_SCOPE = "mph_school-guardian-consent"
GUARDIAN_AGE = 16  # UAVG art. 5: below this age a guardian consents
ADULT_AGE = 18  # below this age the guardian pays
MAX_AGE = 110
CORRECTION_MAX_LENGTH = 2000
# Fewer digits than this find too many people to be a search for a caller.
PHONE_MIN_DIGITS = 4
# Numbers written without a country code are Dutch.
DEFAULT_COUNTRY_CODE = "31"
# The user the coordinator's to-dos go to (Settings > Music School).
RESPONSIBLE_PARAM = "mph_school.responsible_user_id"


def normalize_phone(number):
    """A phone number as digits in international form without "+", so that
    every spelling of a Dutch number is the same: "06-12345678", "0612345678",
    "+31 6 1234 5678" and "0031612345678" all give "31612345678". A part of a
    number without its leading 0 ("12345678") stays as typed, which finds the
    numbers that contain it."""
    text = (number or "").strip()
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        return digits
    if digits.startswith("00"):
        return digits[2:]
    if digits.startswith("0"):
        return DEFAULT_COUNTRY_CODE + digits[1:]
    return digits


class MphStudent(models.Model):
    """A pupil of the school. Name, address and e-mail live on the delegated
    partner (what invoices and mail need); everything more personal lives here,
    behind field groups."""

    _name = "mph.student"
    _description = "Pupil"
    _inherits = {"res.partner": "partner_id"}
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "name, id"

    # ------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------

    partner_id = fields.Many2one(
        "res.partner", string="Related contact", required=True, ondelete="restrict", index=True, auto_join=True
    )
    active = fields.Boolean(default=True, tracking=True)
    state = fields.Selection(
        [
            ("prospect", "Prospect"),
            ("active", "Active"),
            ("stopped", "Stopped"),
            ("archived", "Passive archive"),
            ("anonymised", "Anonymised"),
        ],
        string="Status",
        compute="_compute_state",
        store=True,
        readonly=False,
        default="prospect",
        index=True,
        tracking=True,
        groups=COORDINATOR_FINANCE,
    )

    # Personal data a teacher receives (privacy policy, "Docent").
    birthdate = fields.Date(string="Date of birth", groups=COORDINATOR_TEACHER)
    age = fields.Integer(compute="_compute_age", compute_sudo=True, groups=COORDINATOR_TEACHER)
    phone = fields.Char(groups=COORDINATOR_TEACHER)
    mobile = fields.Char(groups=COORDINATOR_TEACHER)
    guardian_id = fields.Many2one(
        "res.partner",
        string="Parent/guardian",
        ondelete="restrict",
        index=True,
        groups=COORDINATOR_TEACHER,
    )
    # Every parent or guardian of the pupil (two parents, separated
    # families); guardian_id above, who pays for a minor, is always one of
    # them. Each sees the pupil under 16 on the portal (res_users.py).
    guardian_ids = fields.Many2many(
        "res.partner",
        "mph_student_guardian_rel",
        "student_id",
        "partner_id",
        string="Parents/guardians",
        groups=COORDINATOR_TEACHER,
        help="Every parent or guardian of the pupil; the parent/guardian above (the payer) is always one of them.",
    )
    # The pupil of 16 or older allows the guardians to keep seeing their
    # personal data on the portal (a consent, recorded as such by mph_portal).
    mph_guardian_access = fields.Boolean(
        string="Guardians may see the pupil's data (16+)",
        copy=False,
        groups=COORDINATOR,
        help="Set when the pupil of 16 or older consents that the guardians keep seeing their personal data.",
    )
    guardian_email = fields.Char(related="guardian_id.email", string="Guardian e-mail", groups=COORDINATOR_TEACHER)
    guardian_phone = fields.Char(string="Guardian phone", groups=COORDINATOR_TEACHER)
    # Finding a caller: every number of the pupil and the guardian, normalised
    # (see normalize_phone), in one indexed column; searched through mph_phone.
    mph_phone_search = fields.Char(
        string="Phone numbers (normalised)",
        compute="_compute_mph_phone_search",
        store=True,
        index="trigram",
        groups=COORDINATOR,
    )
    mph_phone = fields.Char(
        string="Any phone number",
        compute="_compute_mph_phone",
        search="_search_mph_phone",
        groups=COORDINATOR,
        help="Any phone number of the pupil or the guardian, in any spelling.",
    )
    enrollment_ids = fields.One2many("mph.enrollment", "student_id", string="Enrolments", groups=COORDINATOR_TEACHER)

    # What finance needs besides name, address and e-mail.
    is_under_guardian_age = fields.Boolean(
        string="Under 16",
        compute="_compute_age",
        compute_sudo=True,
        search="_search_is_under_guardian_age",
        groups=COORDINATOR_TEACHER,
    )
    is_minor = fields.Boolean(
        string="Minor",
        compute="_compute_age",
        compute_sudo=True,
        groups="mph_school.group_coordinator,mph_school.group_teacher,mph_school.group_finance",
    )
    payer_id = fields.Many2one(
        "res.partner",
        compute="_compute_payer_id",
        compute_sudo=True,
        groups=COORDINATOR_FINANCE,
        help="Who receives the yearly contribution invoice: the guardian of a minor, else the pupil.",
    )
    legal_hold = fields.Boolean(
        groups=COORDINATOR_FINANCE,
        tracking=True,
        help="While set, the pupil's data is never destroyed (for example: an unpaid invoice).",
    )

    # For the coordinator only.
    note = fields.Text(string="Remarks", groups=COORDINATOR)
    date_lessons_ended = fields.Date(
        string="Lessons ended on", compute="_compute_state", store=True, groups=COORDINATOR
    )
    privacy_accepted_date = fields.Datetime(string="Privacy policy accepted on", groups=COORDINATOR)
    guardian_consent_date = fields.Datetime(string="Guardian consent given on", groups=COORDINATOR)
    newsletter_consent = fields.Boolean(string="Newsletter consent", groups=COORDINATOR)
    duplicate_student_ids = fields.Many2many(
        "mph.student",
        string="Possible duplicates",
        compute="_compute_duplicate_student_ids",
        groups=COORDINATOR,
    )
    enrollment_count = fields.Integer(compute="_compute_enrollment_count", groups=COORDINATOR)
    # Website sign-up (coordinator only, by the whitelist).
    signup_state = fields.Selection(
        [("awaiting_consent", "Awaiting guardian consent"), ("done", "Signed up")],
        string="Website sign-up",
        index=True,
        copy=False,
        help="A sign-up of a pupil under 16 waits for the guardian's consent: until then nothing is "
        "planned, and without consent in time it is deleted completely.",
    )
    signup_date = fields.Datetime(string="Signed up on", copy=False)
    acceptance_ids = fields.One2many("mph.privacy.acceptance", "student_id", string="Consent records")

    # What statistics keep of a pupil, also after anonymisation: the birth year
    # and the 4-digit postcode area. Once set they stay when the birthdate or
    # address is cleared (the lifecycle writes them explicitly when it
    # anonymises).
    birth_year = fields.Integer(compute="_compute_statistics_keys", store=True, readonly=False, groups=COORDINATOR)
    zip_area = fields.Char(
        string="Postcode area",
        compute="_compute_statistics_keys",
        store=True,
        readonly=False,
        groups=COORDINATOR,
        help="The four digits of a Dutch postcode.",
    )

    # ------------------------------------------------------------
    # Field access
    # ------------------------------------------------------------

    @api.model
    def _setup_fields(self):
        res = super()._setup_fields()
        for name, field in self.env.registry[self._name]._fields.items():
            if name not in OPEN_FIELDS and "mph_school." not in (field.groups or ""):
                field.groups = COORDINATOR
        return res

    # ------------------------------------------------------------
    # Read log
    # ------------------------------------------------------------

    def _read_format(self, fnames, load="_classic_read"):
        # Every read by a user (read, search_read, the web client, the
        # portal) passes here: record who read which pupil's personal fields.
        result = super()._read_format(fnames, load=load)
        if not self.env.su and set(fnames or ()) - NOT_PERSONAL_FIELDS:
            self.env["mph.student.read.log"]._log_reads(self.browse([row["id"] for row in result]))
        return result

    # The RPC reads log the read: a read/write cursor from the start.
    @read_write
    def read(self, fields=None, load="_classic_read"):
        return super().read(fields=fields, load=load)

    @read_write
    @api.model
    def search_read(self, domain=None, fields=None, offset=0, limit=None, order=None, **read_kwargs):
        return super().search_read(domain=domain, fields=fields, offset=offset, limit=limit, order=order, **read_kwargs)

    @read_write
    def web_read(self, specification):
        return super().web_read(specification)

    @read_write
    @api.model
    def web_search_read(self, domain, specification, offset=0, limit=None, order=None, count_limit=None):
        return super().web_search_read(
            domain, specification, offset=offset, limit=limit, order=order, count_limit=count_limit
        )

    @read_write
    @api.model
    def name_search(self, name="", args=None, operator="ilike", limit=100):
        # The suggestions of a many2one field show pupils' names.
        result = super().name_search(name=name, args=args, operator=operator, limit=limit)
        if not self.env.su and result:
            self.env["mph.student.read.log"]._log_reads(self.browse([row[0] for row in result]))
        return result

    def export_data(self, fields_to_export):
        result = super().export_data(fields_to_export)
        if not self.env.su and exported_field_names(fields_to_export) - NOT_PERSONAL_FIELDS:
            self.env["mph.student.read.log"]._log_reads(self)
        return result

    @api.model
    def _get_mail_message_access(self, res_ids, operation, model_name=None):
        # The chatter holds the coordinator's notes: reading it needs write
        # access, which only the coordinator has.
        operation = super()._get_mail_message_access(res_ids, operation, model_name=model_name)
        return "write" if operation == "read" and (model_name or self._name) == self._name else operation

    def message_subscribe(self, partner_ids=None, subtype_ids=None):
        # A follower is notified of the chatter, which is the coordinator's.
        self._mph_check_may_subscribe()
        return super().message_subscribe(partner_ids=partner_ids, subtype_ids=subtype_ids)

    @api.model
    def _mph_check_may_subscribe(self):
        """Only the coordinator (and the system's flows, as superuser) adds
        followers to a pupil, an enrolment or a pupil's or guardian's contact."""
        if not self.env.su and not self.env.user.has_group(COORDINATOR):
            raise AccessError(self.env._("Only the lesson coordinator can follow a pupil or guardian."))

    # ------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------

    @api.depends("phone", "mobile", "guardian_phone", "guardian_id.phone", "guardian_id.mobile")
    def _compute_mph_phone_search(self):
        for student in self:
            guardian = student.guardian_id
            numbers = (student.phone, student.mobile, student.guardian_phone, guardian.phone, guardian.mobile)
            normalized = sorted({normalize_phone(number) for number in numbers} - {""})
            student.mph_phone_search = f"|{'|'.join(normalized)}|" if normalized else False

    def _compute_mph_phone(self):
        for student in self:
            student.mph_phone = student.phone or student.mobile or student.guardian_phone

    def _search_mph_phone(self, operator, value):
        if operator not in ("ilike", "=", "like", "=ilike") or not isinstance(value, str):
            raise UserError(self.env._("Search a phone number with its digits."))
        digits = normalize_phone(value)
        if len(digits) < PHONE_MIN_DIGITS:
            return expression.FALSE_DOMAIN
        # Any part of a number: the trigram index serves a search inside the column.
        return [("mph_phone_search", "ilike", digits)]

    @api.depends("birthdate")
    @api.depends_context("date")
    def _compute_age(self):
        today = fields.Date.context_today(self)
        for student in self:
            student.age = relativedelta(today, student.birthdate).years if student.birthdate else 0
            student.is_under_guardian_age = bool(student.birthdate) and student.age < GUARDIAN_AGE
            student.is_minor = bool(student.birthdate) and student.age < ADULT_AGE

    def _search_is_under_guardian_age(self, operator, value):
        if operator not in ("=", "!="):
            raise ValidationError(self.env._("Unsupported search on 'Under 16'."))
        limit = fields.Date.context_today(self) - relativedelta(years=GUARDIAN_AGE)
        under = (operator == "=") == bool(value)
        return [("birthdate", ">", limit)] if under else ["|", ("birthdate", "<=", limit), ("birthdate", "=", False)]

    @api.depends("guardian_id", "birthdate")
    def _compute_payer_id(self):
        for student in self:
            student.payer_id = student.guardian_id if student.is_minor and student.guardian_id else student.partner_id

    @api.depends("enrollment_ids.state", "enrollment_ids.date_end")
    def _compute_state(self):
        for student in self:
            enrollments = student.enrollment_ids
            ended = enrollments.filtered(lambda e: e.state == "stopped" and e.date_end)
            running = enrollments.filtered(lambda e: e.state in RUNNING_STATES)
            waiting = enrollments.filtered(lambda e: e.state == "waiting")
            if running or waiting or not ended:
                student.date_lessons_ended = False
            else:
                student.date_lessons_ended = max(ended.mapped("date_end"))
            if student.state in ("archived", "anonymised"):
                continue
            if running:
                student.state = "active"
            elif ended and not waiting:
                student.state = "stopped"
            else:
                student.state = "prospect"

    def action_unarchive(self):
        """Bring pupils back from the passive archive (they return to the
        school): the pupil and its contact are active again and the status
        follows the enrolments once more."""
        archived = self.filtered(lambda s: s.state == "archived")
        res = super().action_unarchive()
        if archived:
            archived.partner_id.action_unarchive()
            # Leave the archived state; the enrolments decide the rest.
            archived.state = "prospect"
            archived._compute_state()
        return res

    @api.onchange("zip", "country_id")
    def _onchange_mph_zip(self):
        # Shown as it is saved: "3816 MR" (res.partner normalises on save too).
        # Imported here: res_partner imports this module.
        from .res_partner import normalize_nl_postcode

        nl = self.env.ref("base.nl", raise_if_not_found=False)
        if self.zip and nl and self.country_id == nl:
            self.zip = normalize_nl_postcode(self.zip) or self.zip

    @api.depends("birthdate", "partner_id.zip", "partner_id.country_id")
    def _compute_statistics_keys(self):
        for student in self:
            student.birth_year = student.birthdate.year if student.birthdate else student.birth_year
            digits = (student.zip or "").strip()[:4]
            nl = student.country_id.code in (False, "NL")
            student.zip_area = digits if digits.isdigit() and len(digits) == 4 and nl else student.zip_area

    def _compute_enrollment_count(self):
        counts = dict(
            self.env["mph.enrollment"]._read_group([("student_id", "in", self.ids)], ["student_id"], ["__count"])
        )
        for student in self:
            student.enrollment_count = counts.get(student, 0)

    @api.depends("name", "email", "birthdate")
    def _compute_duplicate_student_ids(self):
        for student in self:
            student.duplicate_student_ids = student._find_duplicates()

    def _find_duplicates(self):
        """Other pupils with the same e-mail, or the same name and birthdate."""
        self.ensure_one()
        domains = []
        if self.email:
            domains.append([("email", "=ilike", self.email.strip())])
        if self.name and self.birthdate:
            domains.append([("name", "=ilike", self.name.strip()), ("birthdate", "=", self.birthdate)])
        if not domains:
            return self.browse()
        domain = expression.OR(domains)
        if self._origin.id:
            domain = expression.AND([domain, [("id", "!=", self._origin.id)]])
        return self.with_context(active_test=False).search(domain, limit=5)

    # ------------------------------------------------------------
    # Constraints and onchange
    # ------------------------------------------------------------

    @api.constrains("birthdate")
    def _check_birthdate(self):
        today = fields.Date.context_today(self)
        for student in self.filtered("birthdate"):
            if student.birthdate > today:
                raise ValidationError(self.env._("The date of birth of %s cannot be in the future.", student.name))
            if student.birthdate < today - relativedelta(years=MAX_AGE):
                raise ValidationError(
                    self.env._(
                        "The date of birth of %(name)s (%(date)s) is not plausible: that is more than "
                        "%(years)s years ago.",
                        name=student.name,
                        date=student.birthdate,
                        years=MAX_AGE,
                    )
                )

    @api.constrains("birthdate", "guardian_id", "guardian_phone")
    def _check_guardian(self):
        for student in self:
            if student.guardian_id and student.guardian_id == student.partner_id:
                raise ValidationError(self.env._("%s cannot be their own guardian.", student.name))
            if not student.is_under_guardian_age:
                continue
            guardian = student.guardian_id
            if not guardian or not (guardian.email or guardian.phone or student.guardian_phone):
                raise ValidationError(
                    self.env._(
                        "%s is younger than 16: enter a parent or guardian with an e-mail address "
                        "or phone number, who gives consent for the lessons.",
                        student.name,
                    )
                )

    @api.onchange("email", "name", "birthdate")
    def _onchange_duplicate_warning(self):
        duplicates = self._find_duplicates() if (self.email or (self.name and self.birthdate)) else False
        if duplicates:
            return {
                "warning": {
                    "title": self.env._("Possible duplicate"),
                    "message": self.env._(
                        "This pupil may already be registered: %s. Check before saving.",
                        ", ".join(duplicates.mapped("display_name")),
                    ),
                    "type": "notification",
                }
            }
        return None

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.ondelete(at_uninstall=False)
    def _unlink_only_by_erasure(self):
        """A pupil is never deleted by hand: the formal erasure request
        anonymises the record and logs it, and keeps what the law requires.
        The school's own jobs (retention, expired sign-ups) run as superuser."""
        if not self.env.su:
            raise AccessError(
                self.env._(
                    "A pupil cannot be deleted. To remove a pupil's personal data, register an erasure "
                    "request (Privacy > Data-subject requests): it anonymises the record and keeps what "
                    "the law requires."
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # "3816mr" is saved, and shown, as "3816 MR" (also in this
            # record's cache, not only on the contact).
            self.env["res.partner"]._mph_normalize_vals(vals)
        students = super().create(vals_list)
        students._mph_sync_guardians()
        students._check_contact_data()
        return students

    def write(self, vals):
        if vals.get("zip"):
            self.sudo().partner_id._mph_normalize_vals(vals)
        res = super().write(vals)
        if {"guardian_id", "guardian_ids"} & set(vals):
            self._mph_sync_guardians()
        if {"email", "zip", "country_id", "guardian_id"} & set(vals):
            self._check_contact_data()
        return res

    def _mph_sync_guardians(self):
        """The payer (guardian_id) is always one of the guardians (other
        guardians stay until removed by hand); nobody is their own."""
        for student in self.sudo():
            if student.partner_id in student.guardian_ids:
                raise ValidationError(self.env._("%s cannot be their own guardian.", student.name))
            if student.guardian_id and student.guardian_id not in student.guardian_ids:
                student.guardian_ids = [Command.link(student.guardian_id.id)]

    def _get_legal_hold_students(self):
        """The pupils in ``self`` whose data must not be destroyed now, for
        example because of an unpaid invoice. Modules that create such
        reasons (invoicing) extend this; the retention job asks it.

        Held: the explicit flag, and every pupil on a posted contribution
        invoice that is not (fully) paid, or whose payer has one (the fiscal
        record of a family's debt must outlive each child's retention)."""
        held = self.filtered("legal_hold")
        students = self.sudo()
        payers = students.payer_id.commercial_partner_id
        unpaid = (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("payment_state", "in", ("not_paid", "partial")),
                    ("invoice_line_ids.mph_student_id", "!=", False),
                    "|",
                    ("invoice_line_ids.mph_student_id", "in", students.ids),
                    ("commercial_partner_id", "in", payers.ids),
                ]
            )
        )
        if not unpaid:
            return held
        on_invoice = unpaid.invoice_line_ids.mph_student_id
        debtors = unpaid.commercial_partner_id
        return held | self.filtered(
            lambda s: s.sudo() in on_invoice or s.sudo().payer_id.commercial_partner_id in debtors
        )

    def _check_contact_data(self):
        partners = self.sudo().partner_id | self.sudo().guardian_id
        partners._mph_check_contact_data()

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------

    def _request_correction(self, message):
        """A teacher asks the coordinator to correct this pupil's data (from
        the portal): an activity for the coordinator, with the teacher's words.

        Teachers may not write pupils, so the activity is created as superuser,
        but only after the teacher proved read access on the pupil and an own
        running enrolment; nothing of the pupil itself is written."""
        self.ensure_one()
        self.check_access("read")
        message = (message or "").strip()
        if not message:
            raise UserError(self.env._("Describe what should be corrected."))
        if len(message) > CORRECTION_MAX_LENGTH:
            raise UserError(self.env._("Keep the correction request under %s characters.", CORRECTION_MAX_LENGTH))
        own = self.env["mph.enrollment"].search_count(
            [("student_id", "=", self.id), ("teacher_id.user_id", "=", self.env.uid), ("state", "in", RUNNING_STATES)],
            limit=1,
        )
        if not own:
            raise UserError(self.env._("You can only ask for corrections of your own pupils."))
        activity_type = self.env.ref("mph_school.mail_activity_type_correction").sudo()
        coordinator = activity_type.default_user_id or self._default_coordinator()
        return self.sudo().activity_schedule(
            "mph_school.mail_activity_type_correction",
            date_deadline=activity_type._get_date_deadline(),
            summary=self.env._("Correction requested by %s", self.env.user.name),
            note=plaintext2html(message),
            user_id=coordinator.id,
        )

    def _default_coordinator(self):
        """Who gets the coordinator's to-dos (website sign-ups, consents,
        corrections): the responsible chosen in Settings while they are an
        active coordinator, else the longest-standing internal coordinator
        other than the technical administrator, who only as a last resort."""
        Users = self.env["res.users"].sudo()
        coordinators = self.env.ref(COORDINATOR).sudo().users.filtered(lambda u: u.active and not u.share)
        chosen = self.env["mph.settings"]._get(RESPONSIBLE_PARAM)
        responsible = Users.browse(chosen).exists() if chosen else Users
        if responsible and responsible in coordinators:
            return responsible
        admin = self.env.ref("base.user_admin", raise_if_not_found=False) or Users
        coordinators = coordinators.sorted("id")
        return (coordinators - admin)[:1] or coordinators[:1] or admin

    def action_view_enrollments(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("mph_school.mph_enrollment_action")
        action["domain"] = [("student_id", "=", self.id)]
        action["context"] = {"default_student_id": self.id}
        return action

    # ------------------------------------------------------------
    # Website sign-up
    # ------------------------------------------------------------

    @api.model
    def _mph_find_signup_student(self, email, birthdate):
        """The existing pupil with this e-mail and birthdate, if any."""
        return (
            self.sudo()
            .with_context(active_test=False)
            .search([("email", "=ilike", email), ("birthdate", "=", birthdate)], limit=1)
        )

    @api.model
    def _mph_signup_submit(self, student_vals, guardian_vals, lesson_types, preferred_times, meta):
        """The public form's entry (the caller validated everything).

        A sign-up with the address of a known pupil or guardian changes
        nothing yet: it is held until the owner of that address confirms
        (``mph.signup.pending``). The visitor sees the same page either way,
        so the form does not tell strangers who is a pupil."""
        self = self.sudo()
        emails = [student_vals["email"], guardian_vals and guardian_vals.get("email")]
        # Serialised before looking: of two simultaneous identical sign-ups
        # the second sees the pupil the first one made.
        self.env["mph.signup.attempt"]._mph_serialise(*emails)
        known = self.env["mph.signup.pending"]._mph_known_emails(emails)
        if known:
            payload = {
                "student": student_vals,
                "guardian": guardian_vals,
                "lesson_type_ids": lesson_types.ids,
                "preferred_times": preferred_times,
                "meta": meta,
            }
            self.env["mph.signup.pending"]._mph_hold(payload, known)
        else:
            self._mph_signup(student_vals, guardian_vals, lesson_types, preferred_times, meta)

    @api.model
    def _mph_signup(
        self, student_vals, guardian_vals, lesson_types, preferred_times, meta, confirmed_emails=(), consent_meta=None
    ):
        """Register a sign-up (runs as superuser: the caller validated
        everything and, for a known address, its owner confirmed). Returns
        the pupil and the enrolments made for this sign-up. ``meta`` holds
        the request's ip and user agent; ``confirmed_emails`` the addresses
        whose owner confirmed through their signed link."""
        # As the system, not the website's public user: the records, their
        # chatter and the to-do are the school's (OdooBot), not "Public user".
        self = self.with_user(SUPERUSER_ID)
        self.env["mph.signup.attempt"]._mph_serialise(
            student_vals["email"], guardian_vals and guardian_vals.get("email")
        )
        now = fields.Datetime.now()
        student = self._mph_find_signup_student(student_vals["email"], student_vals["birthdate"])
        if not student:
            vals = dict(student_vals, signup_date=now, privacy_accepted_date=now)
            if guardian_vals:
                vals["guardian_id"] = self._mph_signup_guardian(guardian_vals).id
                vals["guardian_phone"] = guardian_vals.get("phone") or False
                vals["signup_state"] = "awaiting_consent"
            else:
                vals["signup_state"] = "done"
            student = self.create(vals)
        else:
            # A pupil back from the passive archive is a current pupil again.
            student.filtered(lambda s: not s.active and s.state == "archived").action_unarchive()
            student.privacy_accepted_date = now
        open_types = student.enrollment_ids.filtered(lambda e: e.state in ("waiting", "trial", "active"))
        enrollments = self.env["mph.enrollment"].create(
            [
                {
                    "student_id": student.id,
                    "lesson_type_id": lesson_type.id,
                    "state": "waiting",
                    "preferred_times": preferred_times,
                }
                for lesson_type in lesson_types - open_types.lesson_type_id
            ]
        )
        self.env["mph.privacy.acceptance"].create(
            {
                "student_id": student.id,
                "partner_id": student.partner_id.id,
                "kind": "policy",
                "policy_id": self.env["mph.privacy.policy"]._get_current().id,
                "method": "website",
                "ip_address": meta.get("ip"),
                "user_agent": meta.get("user_agent"),
            }
        )
        ctx = {"mph_signup_enrollment_ids": enrollments.ids}
        if student.signup_state != "awaiting_consent":
            student._mph_start_processing(enrollments)
        elif email_normalize(student.guardian_id.email or "") in confirmed_emails:
            # The guardian confirmed through a signed link mailed to their own
            # address: that is the consent the consent link would ask for.
            student._mph_give_consent(consent_meta or meta)
        else:
            self.env.ref("mph_school.mail_template_guardian_consent").with_context(**ctx).send_mail(student.id)
        self.env.ref("mph_school.mail_template_signup_confirmation").with_context(**ctx).send_mail(student.id)
        return student, enrollments

    @api.model
    def _mph_signup_guardian(self, guardian_vals):
        """The guardian's contact: one already known as a guardian with this
        e-mail address, else a new one. A known contact is never changed
        from the public form."""
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        known = Partner.search([("email", "=ilike", guardian_vals["email"]), ("mph_ward_ids", "!=", False)], limit=1)
        if known:
            return known
        return Partner.create(
            {"name": guardian_vals["name"], "email": guardian_vals["email"], "lang": guardian_vals.get("lang")}
        )

    def _mph_start_processing(self, enrollments):
        """The sign-up may be processed (adult, or consent given): plan trial
        lessons where there is room and a teacher, and tell the coordinator."""
        self.ensure_one()
        for enrollment in enrollments.filtered(lambda e: e.state == "waiting"):
            teacher = enrollment._mph_free_teacher()
            if teacher and enrollment.lesson_type_id._has_room():
                enrollment.write({"state": "trial", "teacher_id": teacher.id})
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=self._default_coordinator().id,
            summary=self.env._("New website sign-up"),
            note=self.env._("Lesson types: %s", ", ".join(enrollments.mapped("lesson_type_id.name"))),
        )

    def _mph_signup_lines(self):
        """What the confirmation mail lists: the lesson types of this sign-up
        with their status and waiting-list position."""
        self.ensure_one()
        ids = self.env.context.get("mph_signup_enrollment_ids") or []
        enrollments = self.env["mph.enrollment"].sudo().browse(ids).exists()
        return [
            {
                "lesson_type": enrollment.lesson_type_id.name,
                "trial": enrollment.state == "trial",
                "position": enrollment.waiting_position,
            }
            for enrollment in enrollments
        ]

    # Guardian consent link: HMAC over the pupil, the guardian's address and
    # the expiry, with the database secret; compared in constant time.

    def _mph_consent_token(self, expires):
        self.ensure_one()
        message = f"{self.id}:{(self.sudo().guardian_id.email or '').lower()}:{int(expires)}"
        return hmac_tool(self.env(su=True), CONSENT_TOKEN_SCOPE, message)

    @api.model
    def _mph_consent_days(self):
        return self.env["mph.settings"]._get("mph_school.signup_consent_days")

    def _mph_consent_url(self):
        self.ensure_one()
        expires = int(time.time()) + self._mph_consent_days() * 86400
        token = self._mph_consent_token(expires)
        return f"{self.get_base_url()}/muziekles/toestemming/{self.id}?exp={expires}&token={token}"

    def _mph_check_consent_token(self, expires, token):
        """True when ``token`` is the valid, unexpired consent link of this
        sign-up (whether or not consent was already given)."""
        self.ensure_one()
        try:
            expires = int(expires)
        except (TypeError, ValueError):
            return False
        if expires < time.time() or not self.sudo().guardian_id.email:
            return False
        return consteq(self._mph_consent_token(expires), token or "")

    def _mph_give_consent(self, meta):
        """Record the guardian's consent (who, when, how) and release the
        sign-up for processing."""
        self.ensure_one()
        student = self.with_user(SUPERUSER_ID)
        now = fields.Datetime.now()
        student.write({"guardian_consent_date": now, "signup_state": "done"})
        self.env["mph.privacy.acceptance"].sudo().create(
            {
                "student_id": student.id,
                "partner_id": student.guardian_id.id,
                "kind": "guardian",
                "policy_id": self.env["mph.privacy.policy"]._get_current().id,
                "method": "email_link",
                "date": now,
                "ip_address": meta.get("ip"),
                "user_agent": meta.get("user_agent"),
            }
        )
        # Logged in the guardian's name, without notifying or subscribing them.
        student._message_log(
            body=self.env._(
                "Guardian %s gave consent for the lessons through the link in the e-mail.", student.guardian_id.name
            ),
            author_id=student.guardian_id.id,
        )
        student._mph_start_processing(student.enrollment_ids.filtered(lambda e: e.state == "waiting"))

    @api.model
    def _cron_purge_unconsented_signups(self):
        """Delete sign-ups of pupils under 16 whose guardian did not consent
        in time, completely: the pupil, its contact, a guardian contact
        nobody else uses, enrolments, consent records, mail and messages.
        Held sign-ups of known addresses that nobody confirmed in the same
        term go too (``mph.signup.pending``)."""
        self.env["mph.signup.attempt"]._mph_purge()
        self.env["mph.signup.pending"]._mph_purge()
        limit = fields.Datetime.now() - relativedelta(days=self._mph_consent_days())
        stale = (
            self.sudo()
            .with_context(active_test=False)
            .search([("signup_state", "=", "awaiting_consent"), ("signup_date", "<", limit)])
        )
        # One transaction: every stale sign-up is erased, or (on an error) none.
        for student in stale:
            student._mph_erase_signup()
        return len(stale)

    def unlink(self):
        student_ids = self.ids
        res = super().unlink()
        # The read log keeps no trace of an erased pupil, not even the number.
        self.env["mph.student.read.batch"].sudo()._forget_students(student_ids)
        return res

    def _mph_erase_signup(self):
        self.ensure_one()
        student = self.sudo().with_context(active_test=False)
        partner = student.partner_id
        guardian = student.guardian_id
        enrollments = student.enrollment_ids
        Message = self.env["mail.message"].sudo()
        messages = Message.search(
            expression.OR(
                [
                    [("model", "=", "mph.student"), ("res_id", "=", student.id)],
                    [("model", "=", "mph.enrollment"), ("res_id", "in", enrollments.ids)],
                    [("model", "=", "res.partner"), ("res_id", "in", (partner | guardian).ids)],
                ]
            )
        )
        mails = self.env["mail.mail"].sudo().search([("mail_message_id", "in", messages.ids)])
        mails.unlink()  # a mail.mail takes its mail.message with it
        messages.exists().unlink()
        enrollments.unlink()
        student.unlink()
        partner.unlink()
        if guardian and not guardian.with_context(active_test=False).mph_ward_ids and not guardian.user_ids:
            guardian.unlink()
