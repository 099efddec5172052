from collections import Counter

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

OPEN_STATES = ("waiting", "trial", "active")
RUNNING_STATES = ("trial", "active")


class MphEnrollment(models.Model):
    """A pupil's place in a lesson type, from the waiting list to the end of
    the lessons. The waiting list is first come, first served per lesson type."""

    _name = "mph.enrollment"
    _description = "Enrolment"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_requested desc, id desc"

    # ------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------

    student_id = fields.Many2one(
        "mph.student", string="Pupil", required=True, ondelete="cascade", index=True, tracking=True
    )
    lesson_type_id = fields.Many2one(
        "mph.lesson.type", string="Lesson type", required=True, ondelete="restrict", index=True, tracking=True
    )
    kind = fields.Selection(related="lesson_type_id.kind", store=True)
    teacher_id = fields.Many2one("mph.teacher", ondelete="restrict", index=True, tracking=True)
    state = fields.Selection(
        [
            ("waiting", "Waiting list"),
            ("trial", "Trial lesson"),
            ("active", "Active"),
            ("stopped", "Stopped"),
            ("cancelled", "Cancelled"),
        ],
        string="Status",
        required=True,
        default="waiting",
        index=True,
        tracking=True,
    )
    date_requested = fields.Date(string="Requested on", required=True, default=fields.Date.context_today, tracking=True)
    date_trial = fields.Date(string="Trial lesson on")
    trial_time = fields.Float(string="Trial lesson at", help="Time of day of the trial lesson.")
    date_start = fields.Date(string="Start date", tracking=True)
    date_end = fields.Date(string="End date", tracking=True)
    preferred_times = fields.Char(string="Preferred days and times")
    # The coordinator's own remarks, not part of what the privacy policy gives a teacher.
    note = fields.Text(string="Internal note", groups="mph_school.group_coordinator")
    waiting_position = fields.Integer(
        string="Waiting-list position",
        compute="_compute_waiting_position",
        help="Place on the waiting list of this lesson type: first come, first served.",
    )
    # Known before a click: a waiting enrolment of a full lesson type cannot
    # start a trial or lessons; the form says so instead of offering buttons.
    mph_no_room = fields.Boolean(string="Lesson type full", compute="_compute_mph_no_room")
    mph_no_room_reason = fields.Char(string="Why not", compute="_compute_mph_no_room")

    # ------------------------------------------------------------
    # Compute and constraints
    # ------------------------------------------------------------

    def message_subscribe(self, partner_ids=None, subtype_ids=None):
        # An enrolment's chatter is about the pupil: the coordinator's alone.
        self.env["mph.student"]._mph_check_may_subscribe()
        return super().message_subscribe(partner_ids=partner_ids, subtype_ids=subtype_ids)

    @api.model
    def _get_mail_message_access(self, res_ids, operation, model_name=None):
        # Like the pupil's chatter: reading it needs write access, which a
        # teacher (read on own enrolments) does not have.
        operation = super()._get_mail_message_access(res_ids, operation, model_name=model_name)
        return "write" if operation == "read" and (model_name or self._name) == self._name else operation

    @api.depends("student_id.name", "lesson_type_id.name")
    def _compute_display_name(self):
        for enrollment in self:
            enrollment.display_name = f"{enrollment.student_id.name or ''} - {enrollment.lesson_type_id.name or ''}"

    @api.depends("state", "date_requested", "lesson_type_id")
    def _compute_waiting_position(self):
        waiting = self.filtered(lambda e: e.state == "waiting" and e.lesson_type_id and e.id)
        positions = {}
        if waiting:
            queue = self.sudo().search(
                [("state", "=", "waiting"), ("lesson_type_id", "in", waiting.lesson_type_id.ids)],
                order="date_requested, id",
            )
            counters = {}
            for enrollment in queue:
                lesson_type = enrollment.lesson_type_id.id
                counters[lesson_type] = counters.get(lesson_type, 0) + 1
                positions[enrollment.id] = counters[lesson_type]
        for enrollment in self:
            enrollment.waiting_position = positions.get(enrollment.id, 0)

    @api.depends("state", "lesson_type_id")
    def _compute_mph_no_room(self):
        for enrollment in self:
            lesson_type = enrollment.lesson_type_id.sudo()
            full = enrollment.state == "waiting" and bool(lesson_type) and not lesson_type._has_room()
            enrollment.mph_no_room = full
            enrollment.mph_no_room_reason = (
                self.env._(
                    "%(lesson_type)s is full: %(taken)s of %(capacity)s places are taken. A trial or lessons can "
                    "start when a place is free, or after the capacity is raised.",
                    lesson_type=lesson_type.name,
                    taken=lesson_type.seats_taken,
                    capacity=lesson_type.capacity,
                )
                if full
                else False
            )

    @api.constrains("trial_time")
    def _check_trial_time(self):
        for enrollment in self:
            if not 0 <= enrollment.trial_time < 24:
                raise ValidationError(self.env._("The time of the trial lesson must be between 00:00 and 23:59."))

    @api.constrains("date_start", "date_end", "date_trial", "date_requested")
    def _check_dates(self):
        for enrollment in self:
            if enrollment.date_start and enrollment.date_end and enrollment.date_end < enrollment.date_start:
                raise ValidationError(
                    self.env._("The end date of %s cannot be before its start date.", enrollment.display_name)
                )
            if enrollment.date_trial and enrollment.date_trial < enrollment.date_requested:
                raise ValidationError(
                    self.env._("The trial lesson of %s cannot be before the request date.", enrollment.display_name)
                )

    def _check_single_open_enrollment(self, vals_list):
        """Refuse a second open enrolment of a pupil for a lesson type before
        the database's exclusion constraint would (with a clearer message)."""
        keys = []
        for record, vals in zip(self or [self.browse()] * len(vals_list), vals_list, strict=True):
            state = vals.get("state", record.state or "waiting")
            student_id = vals.get("student_id", record.student_id.id)
            lesson_type_id = vals.get("lesson_type_id", record.lesson_type_id.id)
            if state in OPEN_STATES and student_id and lesson_type_id:
                keys.append((record.id, student_id, lesson_type_id))
        pairs = [(student_id, lesson_type_id) for _record_id, student_id, lesson_type_id in keys]
        clashes = {pair for pair, count in Counter(pairs).items() if count > 1}
        if pairs and not clashes:
            # One query for the whole batch (an import of thousands of
            # enrolments must not cost one search each).
            others = self.sudo().search_fetch(
                [
                    ("id", "not in", [record_id for record_id, _s, _l in keys if record_id]),
                    ("student_id", "in", list({pair[0] for pair in pairs})),
                    ("lesson_type_id", "in", list({pair[1] for pair in pairs})),
                    ("state", "in", OPEN_STATES),
                ],
                ["student_id", "lesson_type_id"],
            )
            clashes = {(e.student_id.id, e.lesson_type_id.id) for e in others} & set(pairs)
        if clashes:
            student_id, lesson_type_id = next(pair for pair in pairs if pair in clashes)
            raise ValidationError(
                self.env._(
                    "%(student)s already has an open enrolment for %(lesson_type)s.",
                    student=self.env["mph.student"].browse(student_id).sudo().name,
                    lesson_type=self.env["mph.lesson.type"].browse(lesson_type_id).sudo().name,
                )
            )

    @api.constrains("state", "teacher_id", "lesson_type_id")
    def _check_teacher(self):
        for enrollment in self:
            teacher = enrollment.teacher_id
            if enrollment.state in RUNNING_STATES and not teacher:
                raise ValidationError(
                    self.env._("Assign a teacher before %s starts trial or regular lessons.", enrollment.display_name)
                )
            if teacher and teacher.lesson_type_ids and enrollment.lesson_type_id not in teacher.lesson_type_ids:
                raise ValidationError(
                    self.env._(
                        "%(teacher)s does not teach %(lesson_type)s.",
                        teacher=teacher.name,
                        lesson_type=enrollment.lesson_type_id.name,
                    )
                )

    # The database, not only Python, refuses a second open enrolment for the
    # same pupil and lesson type (two coordinators at once).
    _sql_constraints = [
        (
            "open_uniq",
            "EXCLUDE (student_id WITH =, lesson_type_id WITH =) WHERE (state IN ('waiting', 'trial', 'active'))",
            "This pupil already has an open enrolment for this lesson type.",
        ),
    ]

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        # Rights first: the duplicate check must not tell an outsider who is enrolled.
        self.check_access("create")
        self.browse()._check_single_open_enrollment(vals_list)
        enrollments = super().create(vals_list)
        enrollments._notify_assignment()
        return enrollments

    def write(self, vals):
        if {"state", "student_id", "lesson_type_id"} & set(vals):
            self.check_access("write")
            self._check_single_open_enrollment([vals] * len(self))
        before = {}
        if {"state", "teacher_id", "student_id"} & set(vals):
            before = {e.id: (e.teacher_id, e.student_id, e.state in RUNNING_STATES) for e in self}
        res = super().write(vals)
        if before:
            self.filtered(
                lambda e: e.state in RUNNING_STATES
                and e.teacher_id
                and before[e.id] != (e.teacher_id, e.student_id, True)
            )._notify_assignment()
        return res

    # ------------------------------------------------------------
    # Assignment notice
    # ------------------------------------------------------------

    def _notify_assignment(self):
        """Tell the teacher of each running enrolment in ``self`` that the pupil
        is theirs, by e-mail. The mail names the pupil and links to the portal
        page; the pupil's data stays on the portal. Sent when the teacher can
        see the pupil: a teacher is set or changed on a running enrolment, or
        an enrolment with a teacher starts its trial or lessons."""
        if self.env.context.get("mph_no_assignment_notice"):
            return
        template = self.env.ref("mph_school.mail_template_enrollment_assigned", raise_if_not_found=False)
        for enrollment in self.filtered(lambda e: e.state in RUNNING_STATES and e.teacher_id.user_id):
            template.send_mail(enrollment.id, email_layout_xmlid="mail.mail_notification_light")

    def _get_portal_url(self):
        self.ensure_one()
        return f"{self.get_base_url()}/my/students/{self.student_id.id}"

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------

    def _check_state(self, allowed, action_label):
        for enrollment in self:
            if enrollment.state not in allowed:
                state_label = dict(self._fields["state"]._description_selection(self.env))[enrollment.state]
                raise UserError(
                    self.env._(
                        "%(action)s is not possible for %(enrollment)s: its status is '%(state)s'.",
                        action=action_label,
                        enrollment=enrollment.display_name,
                        state=state_label,
                    )
                )

    def _check_room(self):
        for lesson_type in self.filtered(lambda e: e.state == "waiting").lesson_type_id:
            newcomers = self.filtered(lambda e, lt=lesson_type: e.lesson_type_id == lt and e.state == "waiting")
            if not lesson_type._has_room(len(newcomers)):
                raise UserError(
                    self.env._(
                        "%(lesson_type)s is full (%(capacity)s places). Raise its capacity or "
                        "wait until a place is free.",
                        lesson_type=lesson_type.name,
                        capacity=lesson_type.capacity,
                    )
                )

    def action_plan_trial(self):
        """The button: ask when the trial lesson is, in a small dialog."""
        self.ensure_one()
        self._check_state(("waiting",), self.env._("Planning a trial lesson"))
        self._check_room()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Plan trial lesson"),
            "res_model": "mph.enrollment.trial.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_enrollment_id": self.id},
        }

    def action_start_trial(self):
        self._check_state(("waiting",), self.env._("Planning a trial lesson"))
        self._check_room()
        for enrollment in self:
            enrollment.write({"state": "trial", "date_trial": enrollment.date_trial or fields.Date.context_today(self)})
        return True

    def action_activate(self):
        self._check_state(("waiting", "trial"), self.env._("Starting regular lessons"))
        self._check_room()
        for enrollment in self:
            enrollment.write(
                {"state": "active", "date_start": enrollment.date_start or fields.Date.context_today(self)}
            )
        return True

    def action_stop(self):
        self._check_state(RUNNING_STATES, self.env._("Stopping the lessons"))
        for enrollment in self:
            enrollment.write({"state": "stopped", "date_end": enrollment.date_end or fields.Date.context_today(self)})
        return True

    def _mph_free_teacher(self):
        """A teacher of this lesson type with room for one more pupil, the
        least busy first; empty when there is none."""
        self.ensure_one()
        teachers = (
            self.env["mph.teacher"]
            .sudo()
            .search([("lesson_type_ids", "in", self.lesson_type_id.ids)])
            .filtered(lambda t: not t.max_students or t.student_count < t.max_students)
        )
        return teachers.sorted(lambda t: (t.student_count, t.id))[:1]

    def action_cancel(self):
        self._check_state(("waiting", "trial"), self.env._("Cancelling"))
        self.write({"state": "cancelled"})
        return True
