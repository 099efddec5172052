from odoo import models
from odoo.osv import expression

from .mph_enrollment import RUNNING_STATES

COORDINATOR = "mph_school.group_coordinator"


class ResUsers(models.Model):
    _inherit = "res.users"

    # Privacy by default: who may see a "school person" (the contact of a
    # pupil or guardian, res.partner.mph_school_person). Everything is
    # written here once; the global rule on res.partner and the rules that
    # ir.rule adds to every model pointing at a partner (ir_rule.py) ask
    # these two methods. A user in no school group, or in a group that does
    # not exist yet, gets no exception and so sees no school person.

    def _mph_school_person_exceptions(self):
        """Domains on res.partner of the school persons this user may see
        besides the coordinator's all. A role that needs a pupil adds its
        domain here; None means every school person (the coordinator)."""
        self.ensure_one()
        if self.has_group(COORDINATOR):
            return None
        # The person themself: one's own contact is always readable (a
        # guardian may also work at the school; a future portal for pupils
        # and parents starts from here).
        exceptions = [[("id", "=", self.partner_id.id)]]
        if self.has_group("mph_school.group_finance"):
            # What an invoice needs: every school person except the pupils in
            # the passive archive, unless a legal hold keeps them.
            exceptions.append(
                [
                    (
                        "mph_student_ids",
                        "not any",
                        [("active", "in", (True, False)), ("state", "=", "archived"), ("legal_hold", "=", False)],
                    )
                ]
            )
        if self.has_group("mph_school.group_teacher"):
            exceptions.append(
                [
                    (
                        "mph_student_ids",
                        "any",
                        [
                            (
                                "enrollment_ids",
                                "any",
                                [("teacher_id.user_id", "=", self.id), ("state", "in", RUNNING_STATES)],
                            )
                        ],
                    )
                ]
            )
        return exceptions

    def _mph_hidden_partner_domain(self):
        """Domain on res.partner (archived included) of the contacts this user
        may not see, or None when the user may see them all."""
        exceptions = self._mph_school_person_exceptions()
        if exceptions is None:
            return None
        return expression.AND(
            [
                [("mph_school_person", "=", True), ("active", "in", (True, False))],
                ["!", *expression.OR(exceptions)],
            ]
        )

    def _mph_partner_rule_domain(self):
        """The domain of the global rule on res.partner (see
        mph_school_security.xml): every contact that is not a school person,
        and the school persons of the user's exceptions."""
        exceptions = self._mph_school_person_exceptions()
        if exceptions is None:
            return []
        return expression.OR([[("mph_school_person", "=", False)], *exceptions])
