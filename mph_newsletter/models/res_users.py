from odoo import models


class ResUsers(models.Model):
    _inherit = "res.users"

    def _mph_home_menus(self):
        # The newsletter volunteer starts in the mailings.
        return [*super()._mph_home_menus(), ("mph_newsletter.group_volunteer", "mass_mailing.mass_mailing_menu")]
