from dateutil.relativedelta import relativedelta

from odoo import fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.mph_school.models.mph_student import ADULT_AGE, COORDINATOR, COORDINATOR_TEACHER

# Mijn MPH: a pupil or guardian on the portal reads these fields of the pupils
# the record rules give them (themself; a guardian the pupils under 16).
PORTAL_READ = COORDINATOR_TEACHER + ",mph_portal.group_family"


class MphStudent(models.Model):
    _inherit = "mph.student"

    birthdate = fields.Date(groups=PORTAL_READ)
    age = fields.Integer(groups=PORTAL_READ)
    phone = fields.Char(groups=PORTAL_READ)
    mobile = fields.Char(groups=PORTAL_READ)
    is_under_guardian_age = fields.Boolean(groups=PORTAL_READ)
    is_minor = fields.Boolean(search="_search_is_minor")

    def _search_is_minor(self, operator, value):
        if operator not in ("=", "!="):
            raise ValidationError(self.env._("Unsupported search on 'Minor'."))
        limit = fields.Date.context_today(self) - relativedelta(years=ADULT_AGE)
        minor = (operator == "=") == bool(value)
        return [("birthdate", ">", limit)] if minor else ["|", ("birthdate", "<=", limit), ("birthdate", "=", False)]

    # ------------------------------------------------------------
    # Accounts
    # ------------------------------------------------------------

    def _mph_portal_invitees(self):
        """Who gets a Mijn MPH login for this pupil: the pupil from 16, else
        every guardian."""
        self.ensure_one()
        student = self.sudo()
        if student.birthdate and not student.is_under_guardian_age:
            return student.partner_id
        return student.guardian_ids | student.guardian_id

    def action_mph_portal_invite(self):
        """Open Odoo's portal wizard for the pupil (16+) or the guardians."""
        if not self.env.user.has_group(COORDINATOR):
            raise AccessError(self.env._("Only the lesson coordinator invites pupils and parents to Mijn MPH."))
        partners = self.env["res.partner"]
        for student in self:
            if student.state in ("archived", "anonymised") or not student.active:
                raise UserError(self.env._("%s is in the passive archive: no Mijn MPH login.", student.name))
            partners |= student._mph_portal_invitees()
        if not partners:
            raise UserError(self.env._("Enter the pupil's date of birth, or a guardian, first."))
        wizard = self.env["portal.wizard"].with_context(active_ids=partners.ids, active_model="res.partner").create({})
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Invite to Mijn MPH"),
            "res_model": "portal.wizard",
            "res_id": wizard.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    # ------------------------------------------------------------
    # The age-16 split
    # ------------------------------------------------------------

    def _mph_is_own(self):
        self.ensure_one()
        return self.sudo().partner_id == self.env.user.partner_id

    def _mph_set_guardian_access(self, allow, meta):
        """The pupil of 16 or older allows (or no longer allows) the guardians
        to see their personal data on Mijn MPH: recorded as a consent."""
        self.ensure_one()
        self.check_access("read")
        student = self.sudo()
        if not self._mph_is_own() or student.is_under_guardian_age:
            raise AccessError(self.env._("Only the pupil of 16 or older decides this."))
        self.env["mph.privacy.acceptance"].sudo().create(
            {
                "student_id": student.id,
                "partner_id": student.partner_id.id,
                "kind": "guardian_access" if allow else "guardian_access_withdrawn",
                "policy_id": self.env["mph.privacy.policy"]._get_current().id,
                "method": "portal",
                "ip_address": meta.get("ip"),
                "user_agent": meta.get("user_agent"),
            }
        )
        student.mph_guardian_access = bool(allow)
