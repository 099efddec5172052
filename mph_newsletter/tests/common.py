from odoo.tests import TransactionCase, new_test_user

from .mailchimp_stub import MailchimpStub


class NewsletterCommon(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, no_reset_password=True))
        cls.newsletter = cls.env.ref("mph_newsletter.mailing_list_newsletter")
        cls.other_list = cls.env["mailing.list"].create({"name": "Intern bestuur"})
        cls.user_volunteer = new_test_user(
            cls.env, login="nl_volunteer", groups="base.group_user,mph_newsletter.group_volunteer"
        )
        cls.user_coordinator = new_test_user(
            cls.env, login="nl_coordinator", groups="base.group_user,mph_school.group_coordinator"
        )
        cls.Sync = cls.env["mph.mailchimp.sync"]

    def subscribe(self, email, state="confirmed", opt_out=False, mailing_list=None, dirty=True):
        contact = self.env["mailing.contact"].create({"email": email})
        return self.env["mailing.subscription"].create(
            {
                "contact_id": contact.id,
                "list_id": (mailing_list or self.newsletter).id,
                "mph_state": state,
                "opt_out": opt_out,
                "mailchimp_dirty": dirty,
            }
        )

    def start_stub(self):
        stub = MailchimpStub().start()
        self.addCleanup(stub.stop)
        self.configure(stub)
        return stub

    def configure(self, stub):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("mph_newsletter.mailchimp_api_key", stub.api_key)
        params.set_param("mph_newsletter.mailchimp_audience_id", stub.audience)
        params.set_param("mph_newsletter.mailchimp_base_url", stub.base_url)
        params.set_param("mph_newsletter.mailchimp_backoff", "0.01")
