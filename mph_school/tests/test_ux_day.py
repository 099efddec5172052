"""Issue 16, items 8-12 and "one voice": what a person meets on a working
day, checked on the server (the Chromium walk is tests/test_screenshots_http.py)."""

import re
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import polib

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import MphCommon
from .test_signup import CSRF_RE, SignupCommon

I18N = Path(__file__).resolve().parent.parent / "i18n" / "nl.po"
# Who a text addresses, by where it is used: the teacher ("je") or a pupil or
# parent ("u"). Occurrence names of nl.po (views, mail templates, code).
TEACHER_TEXTS = (
    "mph_school.portal_my_students",
    "mph_school.portal_my_student",
    "mph_school.portal_my_home_students",
    "mph_school.mail_template_enrollment_assigned",
    "controllers/teacher_portal.py",
)
PUPIL_TEXTS = (
    "mph_school.signup_",
    "mph_school.consent_",
    "mph_school.own_consent_",
    "mph_school.privacy_policy_page",
    "mph_school.mail_template_signup_",
    "mph_school.mail_template_guardian_consent",
    "mph_school.mail_template_own_consent_request",
    "mph_school.mail_template_policy_change_notice",
)
U_RE = re.compile(r"\b(u|uw|U|Uw)\b")
JE_RE = re.compile(r"\b(je|jij|jou|jouw|Je|Jij|Jouw)\b")


@tagged("post_install", "-at_install", "mph_ux_day")
class TestUxDay(MphCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gitaar = cls.env["mph.lesson.type"].create({"name": "Gitaar (test)", "capacity": 0})
        cls.teacher.lesson_type_ids += cls.gitaar
        cls.waiting = cls.enroll(cls.other_pupil, cls.gitaar)

    # -- 8. enrolments --------------------------------------------------

    def test_trial_lesson_asks_when(self):
        enrollment = self.waiting.with_user(self.user_coordinator)
        enrollment.teacher_id = self.teacher
        action = enrollment.action_plan_trial()
        self.assertEqual((action["res_model"], action["target"]), ("mph.enrollment.trial.wizard", "new"))
        self.assertEqual(enrollment.state, "waiting", "the button only asks; nothing is planned yet")
        Wizard = self.env["mph.enrollment.trial.wizard"].with_user(self.user_coordinator)
        past = Wizard.create(
            {"enrollment_id": enrollment.id, "date_trial": date.today() - timedelta(days=1), "trial_time": 18.5}
        )
        with self.assertRaisesRegex(UserError, "past"):
            past.action_confirm()
        self.assertEqual((enrollment.state, enrollment.date_trial), ("waiting", False), "nothing changed")
        when = date.today() + timedelta(days=5)
        Wizard.create({"enrollment_id": enrollment.id, "date_trial": when, "trial_time": 18.5}).action_confirm()
        self.assertEqual((enrollment.state, enrollment.date_trial, enrollment.trial_time), ("trial", when, 18.5))
        # The teacher heard of it (the assignment notice goes with the trial).
        mail = self.env["mail.mail"].search([("model", "=", "mph.enrollment"), ("res_id", "=", enrollment.id)])
        self.assertEqual(mail.recipient_ids, self.user_teacher.partner_id)

    def test_full_lesson_type_is_known_before_a_click(self):
        # Piano (test) holds 2: one active pupil, so one free place.
        waiting = self.enroll(self.minor, self.piano).with_user(self.user_coordinator)
        self.assertFalse(waiting.mph_no_room)
        self.assertFalse(waiting.mph_no_room_reason)
        self.enroll(self.create_student("Vera Vol", "1980-01-01"), self.piano, self.teacher, "active")
        waiting.invalidate_recordset(["mph_no_room", "mph_no_room_reason"])
        self.piano.invalidate_recordset(["seats_taken"])
        self.assertTrue(waiting.mph_no_room)
        self.assertIn("Piano (test) is full: 2 of 2 places are taken", waiting.mph_no_room_reason)
        # The form hides both buttons on it and shows the reason.
        arch = waiting.get_view(view_type="form")["arch"]
        self.assertIn('name="action_plan_trial"', arch)
        self.assertRegex(arch, r'name="action_plan_trial"[^>]*invisible="[^"]*mph_no_room')
        self.assertRegex(arch, r'name="action_activate"[^>]*invisible="[^"]*mph_no_room')
        with self.assertRaisesRegex(UserError, "full"):
            waiting.action_plan_trial()
        # A running enrolment is never "full".
        self.assertFalse(self.enrollment_adult.mph_no_room)

    def test_one_voice_in_dutch(self):
        """je to teachers, u to pupils and parents, in every translated text."""
        checked = {"teacher": 0, "pupil": 0}
        for entry in polib.pofile(str(I18N)):
            places = [name for name, _line in entry.occurrences]
            text = entry.msgstr
            if any(key in place for place in places for key in TEACHER_TEXTS):
                checked["teacher"] += 1
                self.assertNotRegex(text, U_RE, f"a teacher is addressed with 'je': {entry.msgid!r}")
            elif any(key in place for place in places for key in PUPIL_TEXTS):
                checked["pupil"] += 1
                self.assertNotRegex(text, JE_RE, f"a pupil or parent is addressed with 'u': {entry.msgid!r}")
        self.assertGreater(checked["teacher"], 10)
        self.assertGreater(checked["pupil"], 40)

    # -- 12. volunteer and everyone -------------------------------------

    def test_each_role_lands_in_its_own_app(self):
        expected = {
            self.user_coordinator: "mph_school.menu_mph_student",
            self.user_finance: "account.menu_action_move_out_invoice_type",
            self.user_director: "mph_school.menu_mph_insight_age",
            self.user_artistic: "mph_school.menu_mph_insight_waiting",
        }
        for user, menu in expected.items():
            with self.subTest(user=user.login):
                self.assertEqual(user._mph_home_action(), self.env.ref(menu).action)
        self.assertFalse(self.user_employee._mph_home_action(), "no role: Odoo's own default")
        # A home action chosen for the user in Settings wins.
        chosen = self.env.ref("mph_school.mph_enrollment_action")
        self.user_coordinator.action_id = chosen.id
        self.assertEqual(self.user_coordinator._mph_home_action().id, chosen.id)

    def test_menus_only_for_roles_that_use_them(self):
        def apps(user):
            self.env.registry.clear_cache()
            menus = self.env["ir.ui.menu"].with_user(user).load_menus(False)
            return {menus[root]["xmlid"] for root in menus["root"]["children"]}

        unused = {
            "base.menu_management",
            "spreadsheet_dashboard.spreadsheet_dashboard_menu_root",
            "website.menu_website_configuration",
        }
        coordinator = apps(self.user_coordinator)
        self.assertIn("mph_school.menu_mph_root", coordinator)
        self.assertIn("contacts.menu_contacts", coordinator, "the coordinator keeps the guardians' contacts")
        self.assertFalse(coordinator & unused)
        for user in (self.user_finance, self.user_director, self.user_artistic):
            with self.subTest(user=user.login):
                seen = apps(user)
                self.assertFalse(seen & (unused | {"contacts.menu_contacts"}), seen)
        # Someone without a school role, and the administrator, keep Odoo's menus.
        self.assertIn("contacts.menu_contacts", apps(self.user_employee))
        self.assertIn("base.menu_management", apps(self.env.ref("base.user_admin")))

    def test_postcode_saved_as_written_on_letters(self):
        student = self.adult.with_user(self.user_coordinator)
        student.zip = "3816mr"
        self.assertEqual((student.zip, student.partner_id.zip), ("3816 MR", "3816 MR"))
        with Form(student) as form:
            form.zip = "3511ab"
            self.assertEqual(form.zip, "3511 AB", "shown as saved, before saving")
        self.assertEqual(student.zip, "3511 AB")
        abroad = self.env["res.partner"].create(
            {"name": "Buitenland", "zip": "3816mr", "country_id": self.ref("base.be")}
        )
        self.assertEqual(abroad.zip, "3816mr", "only Dutch postcodes are rewritten")

    def test_legal_hold_list_has_its_own_title_and_empty_state(self):
        action = self.env["mph.retention"].with_user(self.user_coordinator).action_open_legal_hold()
        self.assertEqual((action["name"], action["display_name"]), ("Kept under legal hold",) * 2)
        self.assertIn("No pupil is kept under legal hold", action["help"])
        self.assertNotIn("sign-up", action["help"])

    def test_filters_have_distinct_short_labels(self):
        arch = self.env["mph.student"].with_user(self.user_coordinator).get_view(view_type="search")["arch"]
        labels = re.findall(r'<filter name="filter_own_consent_[a-z_]+"[^>]* string="([^"]+)"', arch)
        self.assertEqual(len(labels), 2, arch)
        # The search panel cuts labels after about 18 characters.
        self.assertNotEqual(labels[0][:18], labels[1][:18])

    def test_general_channel_is_dutch(self):
        self.assertEqual(self.env.ref("mail.channel_all_employees").name, "algemeen")


@tagged("post_install", "-at_install", "mph_ux_day")
class TestUxDayHttp(SignupCommon):
    """The public sign-up and the teacher portal, over HTTP."""

    def test_signup_summary_full_hint_and_consent_page(self):
        # 11. A failed submit lists each field in error, linked to it.
        page = self.post(self.form(zip="12", email="", phone=""))
        self.assertEqual(page.status_code, 400)
        summary = re.search(r'<div[^>]*id="mph_signup_errors".*?</div>', page.text, re.S).group(0)
        links = re.findall(r'href="#([a-z_]+)"', summary)
        self.assertEqual(links, ["zip", "email", "phone"], "in the order of the form")
        for field in links:
            self.assertIn(f'id="{field}"', page.text)
        # A full lesson type says so on the form: Piano (test) holds 2.
        self.assertNotIn("o_mph_signup_full", self.url_open("/muziekles/aanmelden").text)
        self.enroll(self.create_student("Vera Vol", "1980-01-01"), self.piano, self.teacher, "active")
        form = self.url_open("/muziekles/aanmelden").text
        hints = re.findall(r'for="lesson_type_(\d+)">(.*?)</label>', form, re.S)
        full = {int(lesson_type) for lesson_type, label in hints if "o_mph_signup_full" in label}
        self.assertEqual(full, {self.piano.id})
        # After the guardian's consent the page tells what happens: the full
        # piano is a waiting-list place, the choir a trial lesson.
        self.post(self.minor_form(lesson_type_ids=[str(self.piano.id), str(self.koor.id)]))
        student = self.student("noor@example.nl")
        link = urlparse(self.consent_link(student))
        query = parse_qs(link.query)
        consent = self.url_open(f"{link.path}?{link.query}")
        csrf = CSRF_RE.search(consent.text).group(1)
        done = self.url_open(link.path, data={**{key: values[0] for key, values in query.items()}, "csrf_token": csrf})
        self.assertEqual(done.status_code, 200)
        items = re.findall(r'<li class="list-group-item">(.*?)</li>', done.text, re.S)
        piano = next(item for item in items if "Piano (test)" in item)
        koor = next(item for item in items if "Popkoor (test)" in item)
        self.assertIn("on the waiting list, at position", piano)
        self.assertNotIn("trial", piano)
        self.assertIn("plan a trial lesson", koor)

    def test_teacher_portal_on_a_phone(self):
        self.authenticate("mph_teacher", "mph_teacher")
        page = self.url_open(f"/my/students/{self.adult.id}").text
        self.assertIn('href="tel:0612345678"', page, "tap to call")
        self.assertIn("o_mph_portal_lessons", page, "the lessons as a list on a phone")
        listing = self.url_open("/my/students").text
        self.assertIn("o_mph_portal_student_card", listing)
        self.assertNotIn("filterby=invoices", self.url_open("/my").text, "no invoices tile for a teacher without any")
        # Anyone else keeps Odoo's tile.
        self.authenticate("mph_portal", "mph_portal")
        self.assertIn("filterby=invoices", self.url_open("/my").text)
