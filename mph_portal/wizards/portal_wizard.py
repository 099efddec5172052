from odoo import models


class PortalWizardUser(models.TransientModel):
    _inherit = "portal.wizard.user"

    def action_grant_access(self):
        """A pupil or guardian invited to the portal gets Mijn MPH."""
        res = super().action_grant_access()
        user = self.sudo().user_id
        if user and user.share and self.sudo().partner_id.mph_school_person:
            user.write({"groups_id": [(4, self.env.ref("mph_portal.group_family").id)]})
        return res
