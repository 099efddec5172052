from odoo import fields, models


class MphAttendanceCount(models.Model):
    """What is left of a pupil's attendance after its retention period (or
    after the pupil was anonymised): counts per enrolment and school year,
    no dates, no lessons."""

    _name = "mph.attendance.count"
    _description = "Attendance Counts"
    _order = "season_id desc, id"

    enrollment_id = fields.Many2one("mph.enrollment", string="Enrolment", required=True, ondelete="cascade", index=True)
    season_id = fields.Many2one("mph.season", string="School year", required=True, ondelete="cascade")
    present = fields.Integer()
    excused = fields.Integer()
    absent = fields.Integer()
    cancelled = fields.Integer()
    unrecorded = fields.Integer(string="Not recorded")

    _sql_constraints = [
        (
            "enrollment_season_uniq",
            "UNIQUE(enrollment_id, season_id)",
            "One row of counts per enrolment and school year.",
        ),
    ]
