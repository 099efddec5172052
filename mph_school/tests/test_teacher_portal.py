import logging

from odoo import Command, http
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from odoo.addons.mail.tests.common import MockEmail

from .common import MphCommon

_logger = logging.getLogger(__name__)

# What the assignment notice must never carry (the pupil's data stays on the portal).
PERSONAL_SNIPPETS = ("Oudegracht", "3511", "06-12345678", "sanne@example.nl", "1990", "12/04", "04/12")


@tagged("post_install", "-at_install", "mph_portal")
class TestTeacherPortal(HttpCase, MphCommon):
    """The portal pages as a browser sees them: own pupils answer 200, every
    other id is a redirect without data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stopped_pupil = cls.create_student("Bram Visser", "1995-05-05", email="bram@example.nl")
        cls.enroll(cls.stopped_pupil, cls.piano, cls.teacher, "stopped")

    def _get(self, url):
        return self.url_open(url, allow_redirects=False)

    def assertNoData(self, response, *names):
        self.assertIn(response.status_code, (303, 403, 404))
        if response.status_code == 303:
            self.assertTrue(response.headers["Location"].endswith("/my/students"))
        for name in names:
            self.assertNotIn(name, response.text)

    def test_own_list_and_pupil(self):
        self.enrollment_minor.note = "Moeder twijfelt over doorgaan na de proefles."
        self.authenticate("mph_teacher", "mph_teacher")
        response = self._get("/my/students")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Sanne Bakker", response.text)
        self.assertIn("Daan de Vries", response.text)
        self.assertNotIn("Lotte Smit", response.text, "another teacher's pupil")
        self.assertNotIn("Bram Visser", response.text, "a stopped enrolment")

        response = self._get(f"/my/students/{self.minor.id}")
        self.assertEqual(response.status_code, 200)
        for shown in ("Daan de Vries", "Oudegracht 12", "daan@example.nl", "Esther de Vries", "esther@example.nl"):
            self.assertIn(shown, response.text)
        self.assertIn("06-87654321", response.text, "the guardian's phone of a minor")
        self.assertNotIn("17 uur", response.text, "the coordinator's remarks stay private")
        self.assertNotIn("twijfelt", response.text, "and so does the note on the enrolment")

    def test_sort_and_filter(self):
        self.authenticate("mph_teacher", "mph_teacher")
        text = self._get("/my/students").text
        self.assertLess(text.index("Daan de Vries"), text.index("Sanne Bakker"), "by name by default")
        text = self._get("/my/students?sortby=date_start").text
        self.assertLess(text.index("Sanne Bakker"), text.index("Daan de Vries"), "started lessons first")
        response = self._get("/my/students?filterby=trial")
        self.assertIn("Daan de Vries", response.text)
        self.assertNotIn("Sanne Bakker", response.text)
        response = self._get(f"/my/students?lesson_type={self.piano.id}&sortby=date_start")
        self.assertIn("Sanne Bakker", response.text)
        self.assertNotIn("Daan de Vries", response.text)
        # Both filters at once: no pupil has a trial lesson in piano.
        response = self._get(f"/my/students?lesson_type={self.piano.id}&filterby=trial")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("o_mph_portal_student_row", response.text)
        self.assertIn("o_mph_portal_no_students", response.text)
        response = self._get(f"/my/students?lesson_type={self.koor.id}&filterby=trial")
        self.assertIn("Daan de Vries", response.text)
        # Another teacher's lesson type is no filter option and filters nothing in.
        other = self.env["mph.lesson.type"].create({"name": "Harp (test)", "kind": "individual"})
        response = self._get(f"/my/students?lesson_type={other.id}")
        self.assertNotIn("Harp (test)", response.text)
        self.assertIn("Sanne Bakker", response.text)
        response = self._get("/my/students?sortby=lesson_type&filterby=nonsense")
        self.assertEqual(response.status_code, 200)
        # "Piano (test)" sorts before "Popkoor (test)".
        self.assertLess(response.text.index("Sanne Bakker"), response.text.index("Daan de Vries"))

    def test_no_data_on_other_ids(self):
        self.authenticate("mph_teacher", "mph_teacher")
        missing = self.other_pupil.id + 10_000
        for student, names in (
            (self.other_pupil, ("Lotte Smit", "lotte@example.nl")),
            (self.stopped_pupil, ("Bram Visser", "bram@example.nl")),
        ):
            for url in (f"/my/students/{student.id}", f"/my/students/{student.id}?correction=sent"):
                self.assertNoData(self._get(url), *names)
            response = self.url_open(
                f"/my/students/{student.id}/correction",
                data={"message": "Adres klopt niet", "csrf_token": http.Request.csrf_token(self)},
                allow_redirects=False,
            )
            self.assertNoData(response, *names)
            self.assertFalse(student.activity_ids, "no activity on a pupil that is not the teacher's")
        self.assertNoData(self._get(f"/my/students/{missing}"))
        self.assertNoData(self._get("/my/students/abc"))

    def test_reassignment_moves_access(self):
        self.authenticate("mph_teacher", "mph_teacher")
        self.assertEqual(self._get(f"/my/students/{self.minor.id}").status_code, 200)
        self.enrollment_minor.teacher_id = self.teacher_other
        self.assertNoData(self._get(f"/my/students/{self.minor.id}"), "Daan de Vries")
        self.assertNotIn("Daan de Vries", self._get("/my/students").text)
        self.authenticate("mph_teacher_other", "mph_teacher_other")
        response = self._get(f"/my/students/{self.minor.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Daan de Vries", response.text)

    def test_staff_and_anonymous_get_no_teacher_pages(self):
        self.assertIn("/web/login", self._get("/my/students").headers.get("Location", ""))
        self.authenticate("mph_coordinator", "mph_coordinator")
        self.assertNoData(self._get(f"/my/students/{self.adult.id}"), "Sanne Bakker")
        response = self._get("/my/students")
        self.assertEqual(response.status_code, 303)
        self.assertNotIn("Sanne Bakker", response.text)

    def test_home_counter(self):
        self.authenticate("mph_teacher", "mph_teacher")
        self.assertIn("/my/students", self._get("/my").text)
        result = self.make_jsonrpc_request("/my/counters", {"counters": ["mph_student_count"]})
        self.assertEqual(result["mph_student_count"], 2)
        self.authenticate("mph_teacher_other", "mph_teacher_other")
        result = self.make_jsonrpc_request("/my/counters", {"counters": ["mph_student_count"]})
        self.assertEqual(result["mph_student_count"], 1)

    def test_correction_request(self):
        self.authenticate("mph_teacher", "mph_teacher")
        response = self.url_open(
            f"/my/students/{self.adult.id}/correction",
            data={"message": "Nieuw mobiel nummer: 06-11112222", "csrf_token": http.Request.csrf_token(self)},
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 303)
        self.assertIn("correction=sent", response.headers["Location"])
        activity = self.adult.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.activity_type_id, self.env.ref("mph_school.mail_activity_type_correction"))
        self.assertFalse(activity.user_id.share, "assigned to staff, not to the teacher")
        self.assertTrue(activity.user_id.has_group("mph_school.group_coordinator"))
        self.assertIn("06-11112222", str(activity.note))
        self.assertEqual(self.adult.mobile, "06-12345678", "the request changes nothing on the pupil")
        # An empty request is refused and creates nothing.
        response = self.url_open(
            f"/my/students/{self.adult.id}/correction",
            data={"message": "   ", "csrf_token": http.Request.csrf_token(self)},
            allow_redirects=False,
        )
        self.assertIn("correction=empty", response.headers["Location"])
        self.assertEqual(len(self.adult.activity_ids), 1)

    def test_correction_goes_to_configured_coordinator(self):
        self.env.ref("mph_school.mail_activity_type_correction").default_user_id = self.user_coordinator
        self.adult.with_user(self.user_teacher)._request_correction("Postcode is 3512 CD")
        self.assertEqual(self.adult.activity_ids.user_id, self.user_coordinator)
        with self.assertRaises(AccessError):
            self.other_pupil.with_user(self.user_teacher)._request_correction("Hack")
        with self.assertRaises(UserError):
            self.adult.with_user(self.user_teacher)._request_correction("x" * 2001)

    def test_list_query_count_does_not_grow(self):
        """The list page costs the same number of queries for 10 and 100 pupils."""
        guitar = self.env["mph.lesson.type"].create({"name": "Gitaar (test)", "kind": "individual", "capacity": 0})
        counts = {}
        for size in (10, 100):
            login = f"mph_teacher_{size}"
            user = self.env["res.users"].create(
                {
                    "name": f"Docent {size}",
                    "login": login,
                    "password": login,
                    "groups_id": [Command.set([self.env.ref("mph_school.group_teacher").id])],
                }
            )
            teacher = self.env["mph.teacher"].create(
                {"name": f"Docent {size}", "user_id": user.id, "lesson_type_ids": [Command.set(guitar.ids)]}
            )
            students = self.env["mph.student"].create(
                [
                    {"name": f"Leerling {size}-{i:03d}", "birthdate": "2000-01-01", "email": f"l{size}.{i}@example.nl"}
                    for i in range(size)
                ]
            )
            self.env["mph.enrollment"].with_context(mph_no_assignment_notice=True).create(
                [
                    {
                        "student_id": s.id,
                        "lesson_type_id": guitar.id,
                        "teacher_id": teacher.id,
                        "state": "trial" if i % 3 else "active",
                        "date_start": "2024-09-01",
                    }
                    for i, s in enumerate(students)
                ]
            )
            self.authenticate(login, login)
            self.url_open("/my/students")  # warm the caches (views, assets, rules)
            before = self.cr.sql_log_count
            response = self.url_open("/my/students?sortby=lesson_type")
            counts[size] = self.cr.sql_log_count - before
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.text.count("o_mph_portal_student_row"), min(size, 80))
        _logger.info("queries of the pupil list page: %s", counts)
        self.assertGreater(counts[10], 3, "the count covers the request")
        self.assertEqual(counts[10], counts[100], counts)

    def test_tour_teacher_opens_a_pupil(self):
        self.start_tour("/web/login?redirect=/my", "mph_teacher_portal_tour", login=None)


@tagged("post_install", "-at_install", "mph_portal")
class TestTeacherPortalAdmin(MockEmail, MphCommon):
    """The back-office side: assignment notices, portal invitations, 2FA."""

    def _notices(self, enrollment):
        return self.env["mail.mail"].search(
            [("model", "=", "mph.enrollment"), ("res_id", "=", enrollment.id)], order="id"
        )

    def test_notice_on_assignment_without_personal_data(self):
        mails = self._notices(self.enrollment_adult)
        self.assertEqual(len(mails), 1, "the teacher heard of the pupil when the enrolment started")
        mail = mails
        self.assertEqual(mail.recipient_ids, self.user_teacher.partner_id)
        self.assertIn("Sanne Bakker", mail.subject)
        self.assertIn("Sanne Bakker", mail.body_html)
        self.assertIn(f"/my/students/{self.adult.id}", mail.body_html)
        for snippet in PERSONAL_SNIPPETS:
            self.assertNotIn(snippet, mail.body_html)
            self.assertNotIn(snippet, mail.subject)

    def test_notice_on_change_of_teacher_only(self):
        enrollment = self.enrollment_minor.with_user(self.user_coordinator)
        enrollment.write({"preferred_times": "woensdag"})
        enrollment.write({"teacher_id": self.teacher.id})
        self.assertEqual(len(self._notices(enrollment)), 1, "no notice when nothing changes for the teacher")
        enrollment.write({"teacher_id": self.teacher_other.id})
        mails = self._notices(enrollment)
        self.assertEqual(len(mails), 2)
        self.assertEqual(mails[-1].recipient_ids, self.user_teacher_other.partner_id)
        self.assertIn("Daan de Vries", mails[-1].body_html)
        self.assertNotIn("esther@example.nl", mails[-1].body_html)
        self.assertNotIn("06-87654321", mails[-1].body_html)

    def test_notice_when_waiting_enrolment_starts(self):
        pupil = self.create_student("Noor Jansen", "1999-09-09")
        enrollment = self.enroll(pupil, self.piano, self.teacher)
        self.assertFalse(self._notices(enrollment), "a waiting pupil is not on the portal yet")
        enrollment.with_user(self.user_coordinator).action_start_trial()
        self.assertEqual(len(self._notices(enrollment)), 1)
        enrollment.with_user(self.user_coordinator).action_activate()
        self.assertEqual(len(self._notices(enrollment)), 1, "trial to active: the same teacher, no new notice")

    def test_grant_portal_access_in_one_click(self):
        teacher = self.env["mph.teacher"].create({"name": "Ruud Peters", "email": "ruud@example.nl"})
        with self.assertRaises(AccessError):
            teacher.with_user(self.user_finance).action_grant_portal_access()
        with self.assertRaises(AccessError):
            self.teacher.with_user(self.user_teacher).action_grant_portal_access()
        with self.mock_mail_gateway():
            teacher.with_user(self.user_coordinator).action_grant_portal_access()
        user = teacher.user_id
        self.assertTrue(user.share)
        self.assertEqual(user.login, "ruud@example.nl")
        self.assertTrue(user.has_group("mph_school.group_teacher"))
        self.assertTrue(user.has_group("base.group_portal"))
        self.assertFalse(user.has_group("base.group_user"))
        invitations = [m for m in self._mails if "ruud@example.nl" in " ".join(m["email_to"])]
        self.assertEqual(len(invitations), 1, "one invitation mail with the sign-up link")
        self.assertIn("/web/signup", invitations[0]["body"])
        with self.assertRaises(UserError):
            teacher.with_user(self.user_coordinator).action_grant_portal_access()
        no_email = self.env["mph.teacher"].create({"name": "Zonder Mail"})
        with self.assertRaises(UserError):
            no_email.with_user(self.user_coordinator).action_grant_portal_access()
        self.assertFalse(no_email.user_id)

    def test_coordinator_sees_who_has_two_factor(self):
        Teacher = self.env["mph.teacher"].with_user(self.user_coordinator)
        self.assertFalse(self.teacher.with_user(self.user_coordinator).totp_enabled)
        self.user_teacher.sudo().totp_secret = "JBSWY3DPEHPK3PXP"
        self.env.invalidate_all()
        self.assertTrue(self.teacher.with_user(self.user_coordinator).totp_enabled)
        self.assertEqual(Teacher.search([("totp_enabled", "=", True)]), self.teacher)
        self.assertIn(self.teacher_other, Teacher.search([("totp_enabled", "=", False)]))
        with self.assertRaises(AccessError):
            self.teacher.with_user(self.user_finance).read(["totp_enabled"])
