import secrets

from odoo import fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_duration

ICAL_SCOPE = "mph_timetable.ical"


def _new_token():
    return secrets.token_urlsafe(16)


class MphTeacher(models.Model):
    _inherit = "mph.teacher"

    availability_ids = fields.One2many(
        "mph.teacher.availability",
        "teacher_id",
        groups="mph_school.group_coordinator",
        help="When the teacher can teach. Without any, the teacher can be planned at any time.",
    )
    # Part of the signed calendar-feed link: a new token revokes every link
    # given out before.
    ical_token = fields.Char(
        copy=False, default=lambda self: _new_token(), groups="mph_school.group_coordinator", readonly=True
    )

    def _mph_check_slots_available(self):
        """Every active slot of these teachers lies in one of their availability
        windows (teachers without windows can be planned at any time)."""
        days = dict(self.env["mph.teacher.availability"]._fields["weekday"]._description_selection(self.env))
        for teacher in self.sudo():
            windows = teacher.availability_ids
            if not windows:
                continue
            slots = self.env["mph.lesson.slot"].sudo().search([("teacher_id", "=", teacher.id)])
            for slot in slots:
                fits = windows.filtered(
                    lambda w, s=slot: w.weekday == s.weekday and w.hour_from <= s.start_time and s.end_time <= w.hour_to
                )
                if not fits:
                    raise ValidationError(
                        self.env._(
                            "%(teacher)s is not available on %(day)s at %(time)s.",
                            teacher=teacher.name,
                            day=days.get(slot.weekday),
                            time=format_duration(slot.start_time),
                        )
                    )

    def _mph_ical_url(self):
        """The teacher's calendar-feed address: signed over the teacher and
        the current token."""
        self.ensure_one()
        payload = self.env["mph.signed.link"]._sign(ICAL_SCOPE, [self.id, self.sudo().ical_token])
        return f"{self.get_base_url()}/mph/timetable/ical/{payload}.ics"

    def action_revoke_ical(self):
        """Every calendar-feed link given out before stops working."""
        self.check_access("write")
        for teacher in self:
            teacher.sudo().ical_token = _new_token()
        return True
