from odoo import fields, models


class MphPrivacyAcceptance(models.Model):
    _inherit = "mph.privacy.acceptance"

    kind = fields.Selection(
        selection_add=[
            ("guardian_access", "Pupil allows the guardians to see their data (16+)"),
            ("guardian_access_withdrawn", "Pupil withdrew the guardians' access (16+)"),
        ],
        ondelete={"guardian_access": "cascade", "guardian_access_withdrawn": "cascade"},
    )
    method = fields.Selection(selection_add=[("portal", "Mijn MPH")], ondelete={"portal": "set default"})
