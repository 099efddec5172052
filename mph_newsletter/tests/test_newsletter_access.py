from datetime import date

from dateutil.relativedelta import relativedelta
from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import NewsletterCommon


@tagged("post_install", "-at_install")
class TestVolunteerAccess(NewsletterCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.subscriber = cls.env["mailing.contact"].create({"email": "lezer@example.nl"})
        cls.env["mailing.subscription"].create(
            {"contact_id": cls.subscriber.id, "list_id": cls.newsletter.id, "mph_state": "confirmed"}
        )
        cls.board_member = cls.env["mailing.contact"].create(
            {"name": "Bestuurslid Jansen", "email": "bestuur@example.nl", "list_ids": [(6, 0, cls.other_list.ids)]}
        )
        cls.student = cls.env["mph.student"].create({"name": "Sanne Bakker", "email": "sanne@example.nl"})
        cls.env["mail.blacklist"]._add("zwart@example.nl")

    def test_volunteer_can_compose_and_see_addresses(self):
        env = self.env(user=self.user_volunteer)
        self.assertEqual(env["mailing.list"].search([]), self.newsletter)
        rows = env["mailing.contact"].search_read([], ["email"])
        self.assertEqual([r["email"] for r in rows], ["lezer@example.nl"])
        mailing = env["mailing.mailing"].create(
            {
                "subject": "Nieuwsbrief december",
                "body_html": "<p>Kerstconcert</p>",
                "mailing_model_id": self.env.ref("mass_mailing.model_mailing_list").id,
                "contact_list_ids": [(6, 0, self.newsletter.ids)],
            }
        )
        mailing.write({"subject": "Nieuwsbrief december (2)"})
        self.assertEqual(env["mailing.mailing"].search([]), mailing)

    def test_volunteer_cannot_change_who_is_on_the_list(self):
        """Subscribers decide (double opt-in, unsubscribe link) and the
        coordinator's soft opt-in; a volunteer adds, imports, edits,
        resubscribes or removes nobody."""
        env = self.env(user=self.user_volunteer)
        subscription = self.subscriber.subscription_ids.with_env(env)
        unsubscribed = self.env["mailing.contact"].create({"email": "afgemeld@example.nl"})
        self.env["mailing.subscription"].create(
            {"contact_id": unsubscribed.id, "list_id": self.newsletter.id, "mph_state": "confirmed", "opt_out": True}
        )
        attempts = {
            "add an address": lambda: env["mailing.contact"].create(
                {"email": "zomaar@example.nl", "list_ids": [(6, 0, self.newsletter.ids)]}
            ),
            "edit an address": lambda: self.subscriber.with_env(env).write({"email": "ander@example.nl"}),
            "resubscribe": lambda: unsubscribed.subscription_ids.with_env(env).write({"opt_out": False}),
            "subscribe by hand": lambda: env["mailing.subscription"].create(
                {"contact_id": self.board_member.id, "list_id": self.newsletter.id}
            ),
            "unsubscribe by hand": lambda: subscription.write({"opt_out": True}),
            "paste addresses in the import wizard": lambda: env["mailing.contact.import"]
            .create({"mailing_list_ids": [(6, 0, self.newsletter.ids)], "contact_list": "geplakt@example.nl"})
            .action_import(),
            "remove an address": lambda: self.subscriber.with_env(env).unlink(),
            "rename the list": lambda: self.newsletter.with_env(env).write({"name": "Iets anders"}),
            "delete the list": lambda: self.newsletter.with_env(env).unlink(),
        }
        for attempt, call in attempts.items():
            with self.subTest(attempt), self.assertRaises(AccessError):
                with self.env.cr.savepoint():
                    call()
        # An import (what the list's "Importeren" button does) is refused
        # too; the same rows load for a user who may.
        rows = (["email", "list_ids/id"], [["import@example.nl", "mph_newsletter.mailing_list_newsletter"]])
        with self.env.cr.savepoint() as savepoint:
            self.assertTrue(self.env["mailing.contact"].load(*rows)["ids"])
            savepoint.rollback()
        refused = env["mailing.contact"].load(*rows)
        self.assertFalse(refused["ids"])
        self.assertEqual([m["type"] for m in refused["messages"]], ["error"])
        self.assertEqual(self.subscriber.email, "lezer@example.nl")
        self.assertTrue(unsubscribed.subscription_ids.opt_out)
        self.assertFalse(
            self.env["mailing.contact"].search(
                [("email", "in", ("zomaar@example.nl", "import@example.nl", "geplakt@example.nl"))]
            )
        )
        # ... while reading and composing still work (both sides).
        self.assertEqual(subscription.read(["opt_out"])[0]["opt_out"], False)
        self.assertIn(self.subscriber, env["mailing.contact"].search([]))

    def test_volunteer_screens_offer_no_import(self):
        """The volunteer's screens offer no import or add-to-list buttons; a
        mailing user who is no volunteer keeps them."""
        mailer = new_test_user(self.env, login="mailer", groups="base.group_user,mass_mailing.group_mass_mailing_user")
        # Where Odoo's mailing app puts its import buttons.
        with_import = {
            ("mailing.contact", "list"),
            ("mailing.contact", "kanban"),
            ("mailing.list", "form"),
            ("mailing.list", "kanban"),
        }
        for model, views in (
            ("mailing.contact", ["list", "kanban", "form"]),
            ("mailing.list", ["list", "kanban", "form"]),
        ):
            for user, offered in ((self.user_volunteer, False), (mailer, True)):
                arch = self.env[model].with_user(user).get_views([(False, view) for view in views])["views"]
                for view in views:
                    with self.subTest(model=model, view=view, user=user.login):
                        root = etree.fromstring(arch[view]["arch"])
                        buttons = {b.get("name") for b in root.iter("button")}
                        has_import = bool(buttons & {"action_import", "action_open_import"})
                        self.assertEqual(has_import, offered and (model, view) in with_import)

    def test_volunteer_sees_nothing_else(self):
        env = self.env(user=self.user_volunteer)
        with self.assertRaises(AccessError):
            self.other_list.with_env(env).read(["name"])
        with self.assertRaises(AccessError):
            self.board_member.with_env(env).read(["email"])
        self.assertFalse(env["mailing.contact"].search([("name", "ilike", "Jansen")]))
        with self.assertRaises(AccessError):
            env["mailing.mailing"].create(
                {
                    "subject": "Aan alle contacten",
                    "mailing_model_id": self.env.ref("base.model_res_partner").id,
                    "mailing_domain": "[]",
                }
            )
        with self.assertRaises(AccessError):
            env["mailing.mailing"].create(
                {
                    "subject": "Aan het bestuur",
                    "mailing_model_id": self.env.ref("mass_mailing.model_mailing_list").id,
                    "contact_list_ids": [(6, 0, self.other_list.ids)],
                }
            )
        self.assertFalse(env["mail.blacklist"].search([]))
        for model in ("mph.student", "mph.enrollment", "mph.mailchimp.log", "mph.newsletter.suppression"):
            with self.subTest(model=model), self.assertRaises(AccessError):
                env[model].search([])
        with self.assertRaises(AccessError):
            self.student.partner_id.with_env(env).read(["name"])
        self.assertFalse(env["res.partner"].search([("id", "=", self.student.partner_id.id)]))
        with self.assertRaises(AccessError):
            env["ir.config_parameter"].get_param("mph_newsletter.mailchimp_api_key")

    def test_settings_never_show_the_key_in_full(self):
        self.env["ir.config_parameter"].sudo().set_param("mph_newsletter.mailchimp_api_key", "abcdef0123456789-us21")
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.mph_mailchimp_api_key_hint, "…us21")
        self.assertFalse(settings.mph_mailchimp_api_key_new)
        settings.mph_mailchimp_api_key_new = "nieuwe-sleutel-us22"
        settings.execute()
        self.assertEqual(
            self.env["ir.config_parameter"].sudo().get_param("mph_newsletter.mailchimp_api_key"), "nieuwe-sleutel-us22"
        )


@tagged("post_install", "-at_install")
class TestSoftOptIn(NewsletterCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lesson = cls.env["mph.lesson.type"].create({"name": "Gitaar (nieuwsbrief)"})
        cls.teacher = cls.env["mph.teacher"].create({"name": "Docent", "lesson_type_ids": [(6, 0, cls.lesson.ids)]})
        cls.guardian = cls.env["res.partner"].create({"name": "Ouder", "email": "ouder@example.nl"})
        child_birthdate = date.today() - relativedelta(years=10)

        def pupil(name, email, **vals):
            student = cls.env["mph.student"].create({"name": name, "email": email, **vals})
            cls.env["mph.enrollment"].create(
                {
                    "student_id": student.id,
                    "lesson_type_id": cls.lesson.id,
                    "teacher_id": cls.teacher.id,
                    "state": "active",
                    "date_start": "2025-09-01",
                }
            )
            return student

        cls.adult = pupil("Volwassen", "volwassen@example.nl")
        cls.minor_consent = pupil(
            "Kind met toestemming",
            "kind1@example.nl",
            birthdate=child_birthdate,
            guardian_id=cls.guardian.id,
            guardian_consent_date="2025-09-01 10:00:00",
        )
        cls.minor_no_consent = pupil(
            "Kind zonder toestemming", "kind2@example.nl", birthdate=child_birthdate, guardian_id=cls.guardian.id
        )
        cls.objector = pupil("Bezwaar", "bezwaar@example.nl")
        cls.unsubscribed = pupil("Afgemeld", "afgemeld@example.nl")
        cls.stopped = cls.env["mph.student"].create(
            {"name": "Gestopt", "email": "gestopt@example.nl", "state": "stopped"}
        )
        cls.Sync._object_email("bezwaar@example.nl")
        contact = cls.env["mailing.contact"].create({"email": "afgemeld@example.nl"})
        cls.env["mailing.subscription"].create(
            {"contact_id": contact.id, "list_id": cls.newsletter.id, "mph_state": "confirmed", "opt_out": True}
        )

    def test_adds_current_pupils_with_soft_opt_in(self):
        students = self.adult | self.minor_consent | self.minor_no_consent | self.objector | self.unsubscribed
        students |= self.stopped
        result = students.with_user(self.user_coordinator).action_add_to_newsletter()
        subscriptions = self.env["mailing.subscription"].search(
            [("list_id", "=", self.newsletter.id), ("mph_state", "=", "soft_opt_in")]
        )
        self.assertEqual(sorted(subscriptions.contact_id.mapped("email")), ["ouder@example.nl", "volwassen@example.nl"])
        self.assertFalse(any(subscriptions.contact_id.mapped("name")), "no names on the list")
        message = result["params"]["message"]
        self.assertIn("2 address(es) added", message)
        for reason in (
            "under 16 without guardian consent",
            "objected or erased",
            "unsubscribed",
            "not a current pupil",
        ):
            self.assertIn(reason, message)
        again = students.with_user(self.user_coordinator).action_add_to_newsletter()
        self.assertIn("0 address(es) added", again["params"]["message"])

    def test_only_the_coordinator_may(self):
        finance = new_test_user(self.env, login="nl_finance", groups="base.group_user,mph_school.group_finance")
        with self.assertRaises(AccessError):
            self.adult.with_user(finance).action_add_to_newsletter()
        with self.assertRaises(AccessError):
            self.adult.with_user(self.user_volunteer).action_add_to_newsletter()
