from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import email_normalize


class MphTeacher(models.Model):
    """A teacher of the school. Teachers reach their pupils through the portal,
    with a portal user of their own."""

    _name = "mph.teacher"
    _description = "Teacher"
    _inherit = ["mail.thread"]
    _order = "name"

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    email = fields.Char(tracking=True)
    phone = fields.Char()
    user_id = fields.Many2one(
        "res.users",
        string="Portal user",
        ondelete="restrict",
        tracking=True,
        help="The teacher's own portal login; it shows only the teacher's own pupils.",
    )
    totp_enabled = fields.Boolean(
        string="Two-factor authentication",
        related="user_id.totp_enabled",
        help="Whether the teacher's portal login asks for a code from an authenticator app.",
    )
    lesson_type_ids = fields.Many2many("mph.lesson.type", string="Lesson types taught")
    max_students = fields.Integer(
        string="Maximum pupils",
        help="How many pupils this teacher can take at the same time; 0 means no limit.",
    )
    enrollment_ids = fields.One2many("mph.enrollment", "teacher_id", string="Enrolments")
    student_count = fields.Integer(string="Pupils", compute="_compute_student_count")

    _sql_constraints = [
        ("user_uniq", "UNIQUE(user_id)", "This portal user is already linked to another teacher."),
        ("max_students_positive", "CHECK(max_students >= 0)", "The maximum number of pupils cannot be negative."),
    ]

    @api.depends("enrollment_ids.state")
    def _compute_student_count(self):
        counts = dict(
            self.env["mph.enrollment"]._read_group(
                [("teacher_id", "in", self.ids), ("state", "in", ("trial", "active"))],
                ["teacher_id"],
                ["student_id:count_distinct"],
            )
        )
        for teacher in self:
            teacher.student_count = counts.get(teacher, 0)

    @api.constrains("email")
    def _check_email(self):
        for teacher in self:
            if teacher.email and not email_normalize(teacher.email):
                raise ValidationError(self.env._("The e-mail address '%s' is not valid.", teacher.email))

    @api.constrains("user_id")
    def _check_user_is_portal(self):
        for teacher in self:
            if teacher.user_id and not teacher.user_id.share:
                raise ValidationError(
                    self.env._(
                        "The login of teacher %s must be a portal user: teachers see their pupils "
                        "on the portal, never in the back office.",
                        teacher.name,
                    )
                )

    def action_grant_portal_access(self):
        """Create the teacher's portal login and send the invitation, in one
        click. Odoo's portal wizard creates the user and mails the sign-up
        link; the teacher role is added on top of portal."""
        self.ensure_one()
        self.check_access("write")
        if self.user_id:
            raise UserError(self.env._("%s already has a portal login.", self.name))
        if not self.email or not email_normalize(self.email):
            raise UserError(self.env._("Enter a valid e-mail address for %s first: it becomes the login.", self.name))
        partner = self.env["res.partner"].create({"name": self.name, "email": self.email, "phone": self.phone})
        wizard = self.env["portal.wizard"].create({"partner_ids": [Command.set(partner.ids)]})
        wizard.user_ids.action_grant_access()
        user = partner.with_context(active_test=False).user_ids[:1]
        # Adding a group to a user needs the rights of a user administrator;
        # the coordinator's write access on this teacher was checked above.
        user.sudo().write({"groups_id": [Command.link(self.env.ref("mph_school.group_teacher").id)]})
        self.user_id = user
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%(name)s has been invited to the portal at %(email)s.", name=self.name, email=self.email
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_view_enrollments(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("mph_school.mph_enrollment_action")
        action["domain"] = [("teacher_id", "=", self.id)]
        action["context"] = {"default_teacher_id": self.id, "search_default_filter_running": 1}
        return action
