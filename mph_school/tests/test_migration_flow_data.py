"""Migration 18.0.1.4.0 (post-flow_data.py): a database installed before the
flows moved keeps ``noupdate`` scheduled actions and mail templates that call
the old names; the script points them at the flows and keeps the rest."""

import importlib.util
from pathlib import Path

from odoo.tests import TransactionCase, tagged

SCRIPT = Path(__file__).resolve().parent.parent / "migrations" / "18.0.1.4.0" / "post-flow_data.py"


def load_script():
    spec = importlib.util.spec_from_file_location("mph_post_flow_data", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestMigrationFlowData(TransactionCase):
    def test_old_crons_and_templates_call_the_flows(self):
        script = load_script()
        purge = self.env.ref("mph_school.ir_cron_purge_unconsented_signups")
        invoicing = self.env.ref("mph_school.ir_cron_invoice_contributions")
        student_model = self.env["ir.model"]._get_id("mph.student")
        # As an older installation has them, with the school's own changes.
        purge.write(
            {"model_id": student_model, "code": "model._cron_purge_unconsented_signups()", "interval_number": 3}
        )
        invoicing.write({"model_id": self.env["ir.model"]._get_id("mph.season"), "active": True})
        template = self.env.ref("mph_school.mail_template_guardian_consent")
        old_body = (
            '<p>Beste ouder,</p><a t-att-href="object._mph_consent_url()">Ja</a> '
            '<t t-out="object._mph_consent_days()"/>'
        )
        self.env.flush_all()
        # Written as stored (the ORM would sanitise), in two languages.
        self.env.cr.execute(
            "UPDATE mail_template SET body_html = jsonb_build_object('en_US', %s::text, 'nl_NL', %s::text) "
            "WHERE id = %s",
            (old_body, old_body.replace("Beste ouder", "Geachte ouder"), template.id),
        )

        script.migrate(self.env.cr, "18.0.1.3.0")
        self.env.invalidate_all()

        self.assertEqual(purge.model_id.model, "mph.signup")
        self.assertEqual(purge.code, "model._cron_purge_unconsented_signups()")
        self.assertEqual(purge.interval_number, 3, "the school's own change stays")
        self.assertEqual(invoicing.model_id.model, "mph.contribution.invoicing")
        self.assertTrue(invoicing.active, "the school's own change stays")
        body = template.with_context(lang="en_US").body_html
        self.assertIn("Beste ouder", body)
        self.assertIn("object.env['mph.consent']._mph_consent_url(object)", body)
        self.assertIn("object.env['mph.consent']._mph_consent_days()", body)
        self.assertNotIn("object._mph_consent_url()", body)
        self.env.cr.execute("SELECT body_html->>'nl_NL' FROM mail_template WHERE id = %s", (template.id,))
        dutch = self.env.cr.fetchone()[0]
        self.assertIn("Geachte ouder", dutch)
        self.assertIn("object.env['mph.consent']._mph_consent_url(object)", dutch)
        # The migrated scheduled action runs.
        self.assertEqual(purge.method_direct_trigger(), True)

    def test_current_database_is_left_as_it_is(self):
        script = load_script()
        purge = self.env.ref("mph_school.ir_cron_purge_unconsented_signups")
        template = self.env.ref("mph_school.mail_template_signup_confirmation")
        before = (purge.model_id.model, purge.code, template.body_html)
        script.migrate(self.env.cr, "18.0.1.3.0")
        self.env.invalidate_all()
        self.assertEqual((purge.model_id.model, purge.code, template.body_html), before)
