from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import plaintext2html

from .mph_enrollment import RUNNING_STATES

COORDINATOR = "mph_school.group_coordinator"
# Who may read the personal data the privacy policy gives a teacher.
COORDINATOR_TEACHER = "mph_school.group_coordinator,mph_school.group_teacher"
COORDINATOR_FINANCE = "mph_school.group_coordinator,mph_school.group_finance"

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
NOT_PERSONAL_FIELDS = frozenset({"id", "active", "state", "create_date", "write_date"})

GUARDIAN_AGE = 16  # UAVG art. 5: below this age a guardian consents
ADULT_AGE = 18  # below this age the guardian pays
MAX_AGE = 110
CORRECTION_MAX_LENGTH = 2000


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
    guardian_email = fields.Char(related="guardian_id.email", string="Guardian e-mail", groups=COORDINATOR_TEACHER)
    guardian_phone = fields.Char(string="Guardian phone", groups=COORDINATOR_TEACHER)
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

    def _read_format(self, fnames, load="_classic_read"):
        # Every read by a user (read, search_read, the web client, the
        # portal) passes here: record who read which pupil's personal fields.
        result = super()._read_format(fnames, load=load)
        if not self.env.su and set(fnames or ()) - NOT_PERSONAL_FIELDS:
            self.env["mph.student.read.log"]._log_reads(self.browse([row["id"] for row in result]))
        return result

    @api.model
    def _get_mail_message_access(self, res_ids, operation, model_name=None):
        # The chatter holds the coordinator's notes: reading it needs write
        # access, which only the coordinator has.
        operation = super()._get_mail_message_access(res_ids, operation, model_name=model_name)
        return "write" if operation == "read" and (model_name or self._name) == self._name else operation

    # ------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------

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

    @api.model_create_multi
    def create(self, vals_list):
        students = super().create(vals_list)
        students._check_contact_data()
        return students

    def write(self, vals):
        res = super().write(vals)
        if {"email", "zip", "country_id", "guardian_id"} & set(vals):
            self._check_contact_data()
        return res

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
        """Who gets a teacher's correction request when the activity type names
        nobody: the longest-standing internal coordinator."""
        users = self.env.ref("mph_school.group_coordinator").sudo().users
        return users.filtered(lambda u: u.active and not u.share).sorted("id")[:1]

    def action_view_enrollments(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("mph_school.mph_enrollment_action")
        action["domain"] = [("student_id", "=", self.id)]
        action["context"] = {"default_student_id": self.id}
        return action
