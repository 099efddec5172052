from odoo import api, fields, models


class MphPrivacyPolicy(models.Model):
    """A published version of the school's privacy policy. The sign-up page
    links the current one (the newest published on or before today); every
    acceptance points at the version the person saw."""

    _name = "mph.privacy.policy"
    _description = "Privacy Policy Version"
    _order = "date_published desc, id desc"

    name = fields.Char(string="Version", required=True)
    date_published = fields.Date(string="Published on", required=True, default=fields.Date.context_today)
    published = fields.Boolean(default=False, help="Only published versions are shown on the website.")
    material_change = fields.Boolean(
        help="This version changes what the school does with personal data in a way people must be told about.",
    )
    body = fields.Html(string="Text", required=True, sanitize=True)
    acceptance_count = fields.Integer(string="Acceptances", compute="_compute_acceptance_count")

    _sql_constraints = [("name_uniq", "UNIQUE(name)", "A privacy policy version with this name already exists.")]

    def _compute_acceptance_count(self):
        counts = dict(
            self.env["mph.privacy.acceptance"]._read_group([("policy_id", "in", self.ids)], ["policy_id"], ["__count"])
        )
        for policy in self:
            policy.acceptance_count = counts.get(policy, 0)

    @api.model
    def _get_current(self):
        """The version in force today: the newest published one."""
        return self.sudo().search(
            [("published", "=", True), ("date_published", "<=", fields.Date.context_today(self))], limit=1
        )
