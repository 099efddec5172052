from odoo import api, fields, models
from odoo.exceptions import UserError


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
    change_summary = fields.Text(
        help="What changed, in a few sentences: the notice of a material change sends this with a link.",
    )
    notice_ids = fields.One2many("mph.privacy.policy.notice", "policy_id", string="Notices sent")
    notified_on = fields.Datetime(readonly=True, copy=False)

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

    def action_send_change_notice(self):
        """Tell every current pupil, and every guardian of one, that this
        version changed materially: one queued e-mail each, and a record of
        who was told. Sent once per version."""
        self.ensure_one()
        self.check_access("write")
        if not (self.published and self.material_change):
            raise UserError(self.env._("Only a published version marked as a material change is announced."))
        if self.notified_on:
            raise UserError(self.env._("The change notice of version %s was already sent.", self.name))
        if not (self.change_summary or "").strip():
            raise UserError(self.env._("Write a short summary of the change first: the notice sends it."))
        students = self.env["mph.student"].sudo().search([("state", "in", ("prospect", "active"))])
        partners = (students.partner_id | students.guardian_id).filtered("email")
        notices = (
            self.env["mph.privacy.policy.notice"]
            .sudo()
            .create([{"policy_id": self.id, "partner_id": partner.id} for partner in partners])
        )
        template = self.env.ref("mph_school.mail_template_policy_change_notice").sudo()
        template.send_mail_batch(notices.ids, force_send=False)
        self.sudo().notified_on = fields.Datetime.now()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("%s notice(s) queued.", len(notices)),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
