from odoo import api, fields, models
from odoo.exceptions import ValidationError

KINDS = [("individual", "Individual"), ("group", "Group lesson"), ("ensemble", "Ensemble")]
ENSEMBLE_TYPES = [("band", "Band"), ("orchestra", "Orchestra"), ("choir", "Choir")]


class MphLessonType(models.Model):
    """What can be learned at the school: an instrument, or an ensemble."""

    _name = "mph.lesson.type"
    _description = "Lesson Type"
    _order = "sequence, name"

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    kind = fields.Selection(KINDS, required=True, default="individual")
    ensemble_type = fields.Selection(
        ENSEMBLE_TYPES,
        string="Ensemble",
        help="For ensembles: band, orchestra or choir.",
    )
    capacity = fields.Integer(
        help="Maximum number of pupils in trial or active lessons at the same time; "
        "0 means no limit. New enrolments beyond it go on the waiting list.",
    )
    duration = fields.Integer(string="Lesson duration (minutes)", default=30)
    description = fields.Text()
    teacher_ids = fields.Many2many(
        "mph.teacher",
        string="Teachers",
        groups="mph_school.group_coordinator",
    )
    enrollment_ids = fields.One2many("mph.enrollment", "lesson_type_id", groups="mph_school.group_coordinator")
    seats_taken = fields.Integer(
        string="Places taken",
        compute="_compute_counts",
        groups="mph_school.group_coordinator",
    )
    waiting_count = fields.Integer(
        string="Waiting",
        compute="_compute_counts",
        groups="mph_school.group_coordinator",
    )

    _sql_constraints = [
        ("capacity_positive", "CHECK(capacity >= 0)", "The capacity cannot be negative."),
        ("name_uniq", "UNIQUE(name)", "A lesson type with this name already exists."),
    ]

    @api.constrains("kind", "ensemble_type")
    def _check_ensemble_type(self):
        for lesson_type in self:
            if lesson_type.kind == "ensemble" and not lesson_type.ensemble_type:
                raise ValidationError(
                    self.env._("Choose whether the ensemble '%s' is a band, an orchestra or a choir.", lesson_type.name)
                )

    @api.depends("enrollment_ids.state")
    def _compute_counts(self):
        counts = {
            (lesson_type.id, state): count
            for lesson_type, state, count in self.env["mph.enrollment"]._read_group(
                [("lesson_type_id", "in", self.ids), ("state", "in", ("waiting", "trial", "active"))],
                ["lesson_type_id", "state"],
                ["__count"],
            )
        }
        for lesson_type in self:
            lid = lesson_type.id
            lesson_type.seats_taken = counts.get((lid, "trial"), 0) + counts.get((lid, "active"), 0)
            lesson_type.waiting_count = counts.get((lid, "waiting"), 0)

    def _has_room(self, extra=1):
        """True when ``extra`` more pupils fit in this lesson type."""
        self.ensure_one()
        if not self.capacity:
            return True
        return self.sudo().seats_taken + extra <= self.capacity

    def action_view_waiting_list(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("mph_school.mph_enrollment_action")
        action["domain"] = [("lesson_type_id", "=", self.id), ("state", "=", "waiting")]
        action["context"] = {"default_lesson_type_id": self.id}
        return action
