"""The sign-up, consent and invoicing flows left mph.student and mph.season
(18.0.1.4.0). Their scheduled actions and mail templates are ``noupdate``
data, which an upgrade does not rewrite: point the scheduled actions at the
flow models, and replace the old method calls in the templates' texts (in
every language), keeping everything else the school changed in them."""

from odoo import SUPERUSER_ID, api

CRONS = {
    "mph_school.ir_cron_purge_unconsented_signups": ("mph.signup", "model._cron_purge_unconsented_signups()"),
    "mph_school.ir_cron_mph_consent_handover": ("mph.consent", "model._cron_consent_handover()"),
    "mph_school.ir_cron_invoice_contributions": (
        "mph.contribution.invoicing",
        "model._cron_invoice_contributions()",
    ),
}

# Old call in a template of mph.student -> the call of the flow.
CALLS = {
    "object._mph_signup_lines()": "object.env['mph.signup']._mph_signup_lines(object)",
    "object._mph_consent_url()": "object.env['mph.consent']._mph_consent_url(object)",
    "object._mph_consent_days()": "object.env['mph.consent']._mph_consent_days()",
    "object._mph_own_consent_url()": "object.env['mph.consent']._mph_own_consent_url(object)",
    "object._mph_own_consent_days()": "object.env['mph.consent']._mph_own_consent_days()",
}


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    for xmlid, (model, code) in CRONS.items():
        cron = env.ref(xmlid, raise_if_not_found=False)
        if cron:
            cron.write({"model_id": env["ir.model"]._get_id(model), "code": code})
    # The texts are JSONB per language; the calls hold no character JSON escapes.
    for old, new in CALLS.items():
        cr.execute(
            """
            UPDATE mail_template
               SET body_html = replace(body_html::text, %(old)s, %(new)s)::jsonb
             WHERE model = 'mph.student' AND body_html::text LIKE %(pattern)s
            """,
            {"old": old, "new": new, "pattern": f"%{old}%"},
        )
