from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestMailchimpWebhook(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("mph_newsletter.webhook_secret", "geheim-123")
        params.set_param("mph_newsletter.mailchimp_audience_id", "aud123")
        cls.newsletter = cls.env.ref("mph_newsletter.mailing_list_newsletter")
        contact = cls.env["mailing.contact"].create({"email": "lid@example.nl"})
        cls.subscription = cls.env["mailing.subscription"].create(
            {"contact_id": contact.id, "list_id": cls.newsletter.id, "mph_state": "confirmed", "mailchimp_dirty": False}
        )

    def post(self, data, secret="geheim-123"):
        return self.url_open(f"/mph/mailchimp/webhook/{secret}", data={"data[list_id]": "aud123", **data})

    def test_get_check_and_forged_secret(self):
        self.assertEqual(self.url_open("/mph/mailchimp/webhook/geheim-123").status_code, 200)
        self.assertEqual(self.url_open("/mph/mailchimp/webhook/verkeerd").status_code, 403)
        response = self.post({"type": "unsubscribe", "data[email]": "lid@example.nl"}, secret="verkeerd")
        self.assertEqual(response.status_code, 403)
        self.assertFalse(self.subscription.opt_out, "a forged call changes nothing")

    def test_malformed_or_unknown(self):
        for data in (
            {"type": "unsubscribe"},
            {"type": "unsubscribe", "data[email]": "geen-adres"},
            {"type": "explode", "data[email]": "lid@example.nl"},
            {"type": "upemail", "data[old_email]": "lid@example.nl"},
        ):
            with self.subTest(data=data):
                self.assertEqual(self.post(data).status_code, 400)
        other_audience = self.url_open(
            "/mph/mailchimp/webhook/geheim-123",
            data={"type": "unsubscribe", "data[email]": "lid@example.nl", "data[list_id]": "andere"},
        )
        self.assertEqual(other_audience.status_code, 400)
        self.assertFalse(self.subscription.opt_out)

    def test_unsubscribe(self):
        self.assertEqual(self.post({"type": "unsubscribe", "data[email]": "lid@example.nl"}).status_code, 200)
        self.assertTrue(self.subscription.opt_out)
        self.assertFalse(self.subscription.mailchimp_dirty, "Mailchimp already knows: no push back")
        self.assertFalse(self.env["mail.blacklist"].search([("email", "=", "lid@example.nl")]), "not blacklisted")

    def test_cleaned_blacklists(self):
        self.assertEqual(self.post({"type": "cleaned", "data[email]": "lid@example.nl"}).status_code, 200)
        self.assertTrue(self.subscription.opt_out)
        self.assertTrue(self.env["mail.blacklist"].search([("email", "=", "lid@example.nl")]))

    def test_upemail(self):
        data = {"type": "upemail", "data[old_email]": "lid@example.nl", "data[new_email]": "nieuw@example.nl"}
        self.assertEqual(self.post(data).status_code, 200)
        self.assertEqual(self.subscription.contact_id.email, "nieuw@example.nl")

    def test_subscribe_and_profile(self):
        self.assertEqual(self.post({"type": "subscribe", "data[email]": "nieuwkomer@example.nl"}).status_code, 200)
        created = self.env["mailing.subscription"].search(
            [("contact_id.email_normalized", "=", "nieuwkomer@example.nl")]
        )
        self.assertEqual((created.mph_state, created.opt_out, created.list_id), ("mailchimp", False, self.newsletter))
        self.assertEqual(self.post({"type": "profile", "data[email]": "lid@example.nl"}).status_code, 200)
