from odoo.tests import new_test_user, tagged

from .test_signup import SignupCommon


@tagged("post_install", "-at_install", "mph_signup")
class TestWorkRouting(SignupCommon):
    """The to-dos of website sign-ups go to the lesson coordinator (the
    responsible chosen in Settings), never to the technical administrator, and
    what the website records is not authored by the public user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls.env.ref("base.user_admin")
        cls.public_partner = cls.env.ref("base.public_user").partner_id
        cls.other_coordinator = new_test_user(
            cls.env,
            login="mph_coordinator_two",
            groups="base.group_user,mph_school.group_coordinator",
            name="Tweede Coordinator",
        )
        cls.assertTrue(cls, cls.admin in cls.env.ref("mph_school.group_coordinator").users)

    def set_responsible(self, user):
        settings = self.env["res.config.settings"].create({"mph_responsible_user_id": user.id})
        settings.execute()

    def test_signup_todo_goes_to_the_first_coordinator_not_the_admin(self):
        self.post(self.form())
        activity = self.student("jesse@example.nl").activity_ids
        self.assertEqual(len(activity), 1)
        self.assertNotEqual(activity.user_id, self.admin)
        self.assertEqual(activity.user_id, self.user_coordinator, "the longest-standing coordinator but the admin")

    def test_signup_todo_goes_to_the_responsible_from_settings(self):
        self.set_responsible(self.other_coordinator)
        self.assertEqual(
            self.env["ir.config_parameter"].get_param("mph_school.responsible_user_id"),
            str(self.other_coordinator.id),
        )
        self.post(self.form())
        self.assertEqual(self.student("jesse@example.nl").activity_ids.user_id, self.other_coordinator)

    def test_responsible_who_is_no_longer_coordinator_is_passed_over(self):
        self.set_responsible(self.other_coordinator)
        self.other_coordinator.groups_id -= self.env.ref("mph_school.group_coordinator")
        self.post(self.form())
        self.assertEqual(self.student("jesse@example.nl").activity_ids.user_id, self.user_coordinator)

    def test_consent_todo_goes_to_the_responsible_and_messages_have_real_authors(self):
        self.set_responsible(self.other_coordinator)
        self.post(self.minor_form())
        student = self.student("noor@example.nl")
        link = self.consent_link(student)
        page = self.url_open(link)
        csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        path, query = link.split("?", 1)
        params = dict(part.split("=", 1) for part in query.split("&"))
        self.url_open(path, data={**params, "csrf_token": csrf})  # the link's own parameters
        self.assertEqual(student.signup_state, "done")
        self.assertEqual(student.activity_ids.user_id, self.other_coordinator)
        self.assertNotIn(self.env.ref("base.public_user"), student.activity_ids.create_uid)

        messages = student.message_ids
        self.assertTrue(messages)
        self.assertNotIn(self.public_partner, messages.author_id, "nothing is authored by the public user")
        consent = messages.filtered(lambda m: "gave consent" in str(m.body))
        self.assertEqual(consent.author_id, student.guardian_id, "the guardian gave it")
        # Logged, not posted: the guardian does not follow the pupil's chatter.
        self.assertNotIn(student.guardian_id, student.message_partner_ids)
        self.assertNotIn(self.public_partner, student.message_partner_ids)
        created = messages.filtered(lambda m: m.author_id == self.env.ref("base.partner_root"))
        self.assertTrue(created, "the records the website makes are the school's (OdooBot)")
