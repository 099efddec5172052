from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import MphCommon


@tagged("post_install", "-at_install", "mph_access")
class TestPrivacyDefault(MphCommon):
    """Privacy by default (issue 13): a pupil's or guardian's contact, and every
    row pointing at it, is hidden from everyone but the roles that need it,
    through Odoo's generic machinery too (followers, notifications, chatter)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.supplier = cls.env["res.partner"].create({"name": "Muziekhandel Utrecht BV", "is_company": True})
        cls.buyer = cls.env["res.partner"].create({"name": "Jan Inkoper", "email": "jan@muziekhandel.nl"})
        cls.persons = cls.adult.partner_id | cls.minor.partner_id | cls.guardian
        # Like the contribution run makes every payer a follower of an invoice.
        cls.supplier.message_subscribe((cls.persons | cls.buyer).ids)
        cls.mail_to_guardian = cls.supplier.message_post(
            body="Bevestiging van uw bestelling",
            partner_ids=cls.guardian.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        cls.mail_to_buyer = cls.supplier.message_post(
            body="Levering volgende week", partner_ids=cls.buyer.ids, message_type="comment"
        )
        # A note of the coordinator on a pupil, notifying finance and the teacher.
        cls.note = cls.minor.message_post(
            body="Moeder belt liever na 17 uur",
            partner_ids=(cls.user_finance.partner_id | cls.user_teacher.partner_id).ids,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        cls.user_newgroup = cls._user_in_new_group()

    @classmethod
    def _user_in_new_group(cls):
        """A user of a group that did not exist when the rules were written."""
        group = cls.env["res.groups"].create(
            {"name": "Roosterplanner (nieuwe app)", "implied_ids": [(4, cls.env.ref("base.group_user").id)]}
        )
        return cls.env["res.users"].create(
            {"name": "Nieuwe Groep", "login": "mph_newgroup", "groups_id": [(6, 0, group.ids)]}
        )

    def _outsiders(self):
        """Internal users without a school role that needs a pupil."""
        return self.user_employee | self.user_artistic | self.user_director | self.user_newgroup

    # ------------------------------------------------------------
    # The flag
    # ------------------------------------------------------------

    def test_school_person_flag(self):
        flag = self.env["res.partner"].with_context(active_test=False)
        self.assertTrue(all(self.persons.mapped("mph_school_person")))
        self.assertTrue(self.other_pupil.partner_id.mph_school_person)
        others = self.supplier | self.buyer | self.user_teacher.partner_id | self.user_finance.partner_id
        self.assertFalse(any(others.mapped("mph_school_person")))
        # A new guardian becomes one, and stays one when the ward leaves.
        self.adult.guardian_id = self.buyer
        self.assertTrue(self.buyer.mph_school_person)
        self.adult.guardian_id = False
        self.assertTrue(self.buyer.mph_school_person)
        # Archived and anonymised pupils keep it.
        self.adult.action_archive()
        self.env["mph.erasure"]._anonymise(self.adult)
        self.assertTrue(flag.browse(self.adult.partner_id.id).mph_school_person)
        self.assertIn(self.adult.partner_id, flag.search([("mph_school_person", "=", True)]))

    # ------------------------------------------------------------
    # Contacts
    # ------------------------------------------------------------

    def test_no_role_no_person(self):
        """Plain employees, a future app's group, a portal user who is no
        teacher, and the aggregated roles reach no pupil or guardian."""
        users = self._outsiders() | self.user_portal
        users.groups_id = [(4, self.env.ref("base.group_allow_export").id)]
        for user in users:
            Partner = self.env["res.partner"].with_user(user).with_context(active_test=False)
            with self.subTest(user=user.login):
                self.assertFalse(Partner.search([("id", "in", self.persons.ids)]))
                self.assertFalse(Partner.search([("email", "ilike", "example.nl")]))
                names = [name for _id, name in Partner.name_search("de Vries")]
                self.assertEqual(names, [])
                self.assertEqual(Partner.search_count([("id", "in", self.persons.ids)]), 0)
                for partner in self.persons:
                    with self.assertRaises(AccessError):
                        Partner.browse(partner.id).read(["name", "email", "street", "avatar_128"])
                    with self.assertRaises(AccessError):
                        Partner.browse(partner.id).export_data(["name", "email"])
                # Their own contact and the school's other contacts stay in reach.
                self.assertEqual(Partner.browse(user.partner_id.id).read(["name"])[0]["name"], user.name)
                if not user.share:
                    self.assertEqual(Partner.search([("id", "=", self.supplier.id)]), self.supplier)

    def test_archived_and_anonymised_stay_hidden(self):
        self.adult.action_archive()
        Partner = self.env["res.partner"].with_context(active_test=False)
        for user in self._outsiders():
            with self.subTest(user=user.login):
                self.assertFalse(Partner.with_user(user).search([("id", "=", self.adult.partner_id.id)]))
        self.env["mph.erasure"]._anonymise(self.adult)
        for user in self._outsiders():
            with self.subTest(user=user.login, state="anonymised"):
                self.assertFalse(Partner.with_user(user).search([("id", "=", self.adult.partner_id.id)]))
        # Finance keeps what an invoice of an anonymised pupil needs; the
        # coordinator keeps all.
        for user in self.user_finance | self.user_coordinator:
            self.assertEqual(
                Partner.with_user(user).search([("id", "=", self.adult.partner_id.id)]).id, self.adult.partner_id.id
            )

    def test_roles_that_need_a_person_keep_it(self):
        Partner = self.env["res.partner"]
        self.assertEqual(
            Partner.with_user(self.user_coordinator).search([("id", "in", self.persons.ids)]), self.persons
        )
        self.assertEqual(Partner.with_user(self.user_finance).search([("id", "in", self.persons.ids)]), self.persons)
        self.assertEqual(
            Partner.with_user(self.user_finance).browse(self.guardian.id).read(["email"])[0]["email"],
            "esther@example.nl",
        )
        teacher = Partner.with_user(self.user_teacher)
        self.assertEqual(
            teacher.search([("id", "in", self.persons.ids)]), self.adult.partner_id | self.minor.partner_id
        )
        self.assertFalse(
            Partner.with_user(self.user_teacher_other).search([("id", "in", self.persons.ids)]),
            "not another teacher's pupils",
        )
        # The teacher still reads the guardian's data the policy gives a teacher, on the pupil.
        self.assertEqual(self.minor.with_user(self.user_teacher).guardian_email, "esther@example.nl")

    def test_finance_loses_pupils_in_the_passive_archive(self):
        self.adult.sudo().write({"state": "archived", "active": False})
        Partner = self.env["res.partner"].with_user(self.user_finance).with_context(active_test=False)
        self.assertFalse(Partner.search([("id", "=", self.adult.partner_id.id)]))
        self.adult.sudo().legal_hold = True
        self.assertTrue(Partner.search([("id", "=", self.adult.partner_id.id)]))

    # ------------------------------------------------------------
    # Generic machinery: followers, notifications, messages, users
    # ------------------------------------------------------------

    def test_followers_of_persons_hidden(self):
        domain = [("res_model", "=", "res.partner"), ("res_id", "=", self.supplier.id)]
        for user in self._outsiders():
            Followers = self.env["mail.followers"].with_user(user)
            with self.subTest(user=user.login):
                rows = Followers.search_read(domain, ["partner_id", "name", "email"])
                self.assertEqual({row["partner_id"][0] for row in rows}, {self.buyer.id}, "only the non-person")
                emails = {row["email"] for row in Followers.search_read([], ["email"])}
                self.assertFalse(emails & {"esther@example.nl", "sanne@example.nl", "daan@example.nl"})
                groups = Followers.read_group([("partner_id", "in", self.persons.ids)], ["partner_id"], ["partner_id"])
                self.assertEqual(groups, [])
        # Allowed: the coordinator sees every follower. Finance sees the
        # payers following an invoice (TestExposureRegistry, on the real
        # contribution run), not a pupil or guardian following any other
        # document such as this supplier.
        rows = self.env["mail.followers"].with_user(self.user_coordinator).search_read(domain, ["partner_id"])
        self.assertEqual({row["partner_id"][0] for row in rows}, set((self.persons | self.buyer).ids))
        rows = self.env["mail.followers"].with_user(self.user_finance).search_read(domain, ["partner_id"])
        self.assertEqual({row["partner_id"][0] for row in rows}, {self.buyer.id})

    def test_notifications_hidden(self):
        for user in self._outsiders():
            Notification = self.env["mail.notification"].with_user(user)
            with self.subTest(user=user.login):
                rows = Notification.search_read([], ["res_partner_id", "mail_message_id"])
                self.assertFalse({row["res_partner_id"][0] for row in rows} & set(self.persons.ids))
                self.assertNotIn(self.note.id, {row["mail_message_id"][0] for row in rows})
                self.assertIn(self.mail_to_buyer.id, {row["mail_message_id"][0] for row in rows})
        # Finance: the notification to a guardian about another document than
        # an invoice no (those about invoices: TestExposureRegistry), the note
        # on the pupil no (not even its own notification of it), a colleague's
        # correspondence yes.
        rows = self.env["mail.notification"].with_user(self.user_finance).search_read([], ["mail_message_id"])
        messages = {row["mail_message_id"][0] for row in rows}
        self.assertNotIn(self.mail_to_guardian.id, messages)
        self.assertNotIn(self.note.id, messages)
        self.assertIn(self.mail_to_buyer.id, messages)
        rows = self.env["mail.notification"].with_user(self.user_coordinator).search_read([], ["mail_message_id"])
        self.assertTrue({self.note.id, self.mail_to_guardian.id} <= {row["mail_message_id"][0] for row in rows})

    def test_messages_to_a_person_hidden(self):
        """A message on an open document, sent to a guardian: the document is
        readable, the correspondence with the guardian is not."""
        for user in self._outsiders():
            Message = self.env["mail.message"].with_user(user)
            with self.subTest(user=user.login):
                found = Message.search([("id", "in", (self.mail_to_guardian | self.mail_to_buyer).ids)])
                self.assertEqual(found, self.mail_to_buyer)
                with self.assertRaises(AccessError):
                    Message.browse(self.mail_to_guardian.id).read(["body"])
        message = self.env["mail.message"].with_user(self.user_coordinator).browse(self.mail_to_guardian.id)
        self.assertIn("Bevestiging", message.read(["body"])[0]["body"])

    def test_users_of_persons_hidden(self):
        """A guardian with a login (any app's portal) is hidden as a user too."""
        guardian_user = self.env["res.users"].create(
            {
                "partner_id": self.guardian.id,
                "login": "esther",
                "groups_id": [(6, 0, self.env.ref("base.group_portal").ids)],
            }
        )
        for user in self._outsiders():
            with self.subTest(user=user.login):
                self.assertFalse(self.env["res.users"].with_user(user).search([("id", "=", guardian_user.id)]))
        self.assertTrue(self.env["res.users"].with_user(self.user_coordinator).search([("id", "=", guardian_user.id)]))

    # ------------------------------------------------------------
    # Self-subscription and notified recipients
    # ------------------------------------------------------------

    def test_notified_recipient_does_not_read_the_chatter(self):
        for user in self.user_finance | self.user_teacher:
            Message = self.env["mail.message"].with_user(user)
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    Message.browse(self.note.id).read(["body"])
                self.assertFalse(Message.search([("id", "=", self.note.id)]))
                self.assertFalse(Message.search([("needaction", "=", True), ("model", "=", "mph.student")]))
        Message = self.env["mail.message"].with_user(self.user_coordinator)
        self.assertIn("17 uur", Message.browse(self.note.id).read(["body"])[0]["body"])

    def test_subscribe_to_a_person_refused(self):
        subtypes = (self.env.ref("mail.mt_note") | self.env.ref("mail.mt_comment")).ids
        attempts = [
            (self.user_finance, self.minor),
            (self.user_finance, self.minor.partner_id),
            (self.user_finance, self.guardian),
            (self.user_teacher, self.minor),
            (self.user_teacher, self.enrollment_minor),
            (self.user_employee, self.guardian),
        ]
        for user, record in attempts:
            with self.subTest(user=user.login, model=record._name):
                with self.assertRaises(AccessError):
                    record.with_user(user).message_subscribe(user.partner_id.ids, subtype_ids=subtypes)
                followers = self.env["mail.followers"].search(
                    [
                        ("res_model", "=", record._name),
                        ("res_id", "=", record.id),
                        ("partner_id", "=", user.partner_id.id),
                    ]
                )
                self.assertFalse(followers)
        # Following a contact that is no person stays possible; the
        # coordinator follows pupils.
        self.assertTrue(self.supplier.with_user(self.user_finance).message_subscribe(self.user_finance.partner_id.ids))
        self.minor.with_user(self.user_coordinator).message_subscribe(self.user_coordinator.partner_id.ids, subtypes)
        self.assertIn(self.user_coordinator.partner_id, self.minor.message_partner_ids)

    def test_enrollment_chatter_is_the_coordinators(self):
        message = self.enrollment_minor.message_post(
            body="Moeder wil een andere dag", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        with self.assertRaises(AccessError):
            self.env["mail.message"].with_user(self.user_teacher).browse(message.id).read(["body"])
        self.assertTrue(self.env["mail.message"].with_user(self.user_coordinator).browse(message.id).read(["body"]))
