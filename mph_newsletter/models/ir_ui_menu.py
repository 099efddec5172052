from odoo import api, models


class IrUiMenu(models.Model):
    _inherit = "ir.ui.menu"

    @api.model
    def _mph_menus_for_roles(self):
        # The blacklist shows a volunteer nothing (its record rule): no menu.
        return {**super()._mph_menus_for_roles(), "mass_mailing.mail_blacklist_mm_menu": ("base.group_system",)}
