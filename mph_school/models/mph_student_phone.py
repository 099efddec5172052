from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression

from ..groups import COORDINATOR
from ..phone import PHONE_MIN_DIGITS, normalize_phone


class MphStudentPhoneMixin(models.AbstractModel):
    """Finding a caller: a pupil by any phone number of the pupil or the
    guardian, in any spelling. Inherited by ``mph.student``."""

    _name = "mph.student.phone.mixin"
    _description = "Pupil: search by phone number"

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
