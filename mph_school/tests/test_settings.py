from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestSettingsAccessor(TransactionCase):
    """Every setting is read one typed way, with its default in one place."""

    def setUp(self):
        super().setUp()
        self.settings = self.env["mph.settings"]
        self.params = self.env["ir.config_parameter"].sudo()

    def test_stored_value_is_typed(self):
        self.params.set_param("mph_school.retention_years", "10")
        self.assertEqual(self.settings._get("mph_school.retention_years"), 10)
        self.params.set_param("mph_school.responsible_user_id", str(self.env.uid))
        self.assertEqual(self.settings._get("mph_school.responsible_user_id"), self.env.uid)

    def test_missing_unreadable_or_too_low_is_the_default(self):
        key = "mph_school.retention_archive_months"
        default = self.settings._default(key)
        self.assertEqual(default, 24)
        self.params.set_param(key, False)  # deletes the parameter
        self.assertEqual(self.settings._get(key), default)
        self.params.set_param(key, "twee jaar")
        self.assertEqual(self.settings._get(key), default)
        self.params.set_param(key, "0")
        self.assertEqual(self.settings._get(key), default)
        # 0 is a valid value where the setting allows it
        self.params.set_param("mph_school.privacy_request_warning_days", "0")
        self.assertEqual(self.settings._get("mph_school.privacy_request_warning_days"), 0)

    def test_settings_page_defaults_come_from_the_accessor(self):
        self.params.set_param("mph_school.signup_consent_days", False)
        page = self.env["res.config.settings"].create({})
        self.assertEqual(page.mph_signup_consent_days, self.settings._default("mph_school.signup_consent_days"))

    def test_undeclared_key_is_refused(self):
        with self.assertRaises(KeyError):
            self.settings._get("mph_school.no_such_setting")
        with self.assertRaises(KeyError):
            self.settings._set("mph_school.no_such_setting", "1")
