from odoo import api, models
from odoo.exceptions import AccessError
from odoo.osv import expression

from .res_users import COORDINATOR


class IrAttachment(models.Model):
    """Files on the contact of a pupil or guardian are as private as that
    contact's chatter: the coordinator's alone. Odoo lets anyone who may read
    the contact read its files; finance and a teacher may read the contact
    (name, address, e-mail), not what the school filed about the person.
    Files stored in a binary field (res_field: the avatar, the picture) keep
    following the field's own access."""

    _inherit = "ir.attachment"

    def _mph_restricted(self):
        return not self.env.su and not self.env.user.has_group(COORDINATOR)

    @api.model
    def _mph_person_contacts(self):
        return (
            self.env["res.partner"].sudo().with_context(active_test=False)._search([("mph_school_person", "=", True)])
        )

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        if self._mph_restricted():
            domain = expression.AND(
                [
                    domain,
                    [
                        "|",
                        "|",
                        ("res_model", "!=", "res.partner"),
                        ("res_field", "!=", False),
                        ("res_id", "not in", self._mph_person_contacts()),
                    ],
                ]
            )
        return super()._search(domain, offset=offset, limit=limit, order=order)

    def check(self, mode, values=None):
        super().check(mode, values)
        if not self._mph_restricted():
            return
        partner_ids = set()
        if self.ids:
            self.flush_model(["res_model", "res_id", "res_field"])
            self.env.cr.execute(
                "SELECT res_id FROM ir_attachment WHERE id IN %s AND res_model = 'res.partner' AND res_field IS NULL",
                [tuple(self.ids)],
            )
            partner_ids.update(row[0] for row in self.env.cr.fetchall() if row[0])
        if values and values.get("res_model") == "res.partner" and values.get("res_id") and not values.get("res_field"):
            partner_ids.add(values["res_id"])
        if partner_ids and self.env["res.partner"].sudo().with_context(active_test=False).search_count(
            [("id", "in", list(partner_ids)), ("mph_school_person", "=", True)], limit=1
        ):
            raise AccessError(self.env._("Only the lesson coordinator may see or add files of a pupil or guardian."))
