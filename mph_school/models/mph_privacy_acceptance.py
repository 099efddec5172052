from odoo import fields, models


class MphPrivacyAcceptance(models.Model):
    """Proof of a consent: who accepted which privacy policy version, or which
    guardian consented to a minor's sign-up, when, from where and how."""

    _name = "mph.privacy.acceptance"
    _description = "Consent Record"
    _order = "date desc, id desc"
    _rec_name = "student_id"

    student_id = fields.Many2one("mph.student", string="Pupil", required=True, ondelete="cascade", index=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Given by",
        ondelete="cascade",
        index=True,
        help="The pupil, or the guardian who consented for a pupil under 16.",
    )
    kind = fields.Selection(
        [
            ("policy", "Privacy policy accepted"),
            ("guardian", "Guardian consent"),
            ("pupil", "Pupil's own consent (16+)"),
            ("pupil_refused", "Pupil refused consent (16+)"),
        ],
        required=True,
        default="policy",
    )
    policy_id = fields.Many2one("mph.privacy.policy", string="Policy version", ondelete="restrict", index=True)
    method = fields.Selection(
        [("website", "Website sign-up form"), ("email_link", "Link in e-mail"), ("manual", "Recorded by staff")],
        required=True,
        default="website",
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    ip_address = fields.Char(string="IP address", readonly=True)
    user_agent = fields.Char(string="Browser", readonly=True)
