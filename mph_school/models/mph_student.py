from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import plaintext2html

from ..groups import COORDINATOR, COORDINATOR_FINANCE, COORDINATOR_TEACHER
from .mph_enrollment import RUNNING_STATES
from .res_partner import normalize_nl_postcode

GUARDIAN_AGE = 16  # UAVG art. 5: below this age a guardian consents
ADULT_AGE = 18  # below this age the guardian pays
MAX_AGE = 110
CORRECTION_MAX_LENGTH = 2000
# The user the coordinator's to-dos go to (Settings > Music School).
RESPONSIBLE_PARAM = "mph_school.responsible_user_id"


class MphStudent(models.Model):
    """A pupil of the school. Name, address and e-mail live on the delegated
    partner (what invoices and mail need); everything more personal lives here,
    behind field groups. Aspects in mixins of their own: the field whitelist,
    read log and chatter access, the phone search, probable duplicates, the
    legal hold. Its flows are models of their own: the website sign-up
    ``mph.signup``, consent ``mph.consent``, retention ``mph.retention``."""

    _name = "mph.student"
    _description = "Pupil"
    _inherits = {"res.partner": "partner_id"}
    _inherit = [
        "mph.student.privacy.mixin",
        "mph.student.phone.mixin",
        "mph.student.duplicates.mixin",
        "mph.student.legal.hold",
        "mail.thread",
        "mail.activity.mixin",
    ]
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

    # ------------------------------------------------------------
    # Constraints
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

    def unlink(self):
        student_ids = self.ids
        res = super().unlink()
        # The read log keeps no trace of an erased pupil, not even the number.
        self.env["mph.student.read.batch"].sudo()._forget_students(student_ids)
        return res

    def _mph_sync_guardians(self):
        """The payer (guardian_id) is always one of the guardians (other
        guardians stay until removed by hand); nobody is their own."""
        for student in self.sudo():
            if student.partner_id in student.guardian_ids:
                raise ValidationError(self.env._("%s cannot be their own guardian.", student.name))
            if student.guardian_id and student.guardian_id not in student.guardian_ids:
                student.guardian_ids = [Command.link(student.guardian_id.id)]

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
