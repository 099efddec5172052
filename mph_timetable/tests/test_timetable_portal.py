import logging
from datetime import timedelta

import vobject

from odoo import fields
from odoo.tests import HttpCase, tagged

from .. import post_init_hook
from .common import TimetableCommon

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install", "mph_timetable", "mph_portal")
class TestTimetablePortal(HttpCase, TimetableCommon):
    """The teacher's week, attendance on a phone and the calendar feed."""

    browser_size = "390x844"
    touch_enabled = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["mph.lesson"])
        current = cls.env["mph.season"]._for_date(cls.today)
        weekday = str(cls.today.weekday())
        cls.slot_today = cls.make_slot(cls.teacher, cls.room_1, cls.piano, weekday, 10.0, season=current)
        cls.slot_today_other = cls.make_slot(cls.teacher_other, cls.room_2, cls.koor, weekday, 10.0, season=current)
        cls.enrollment_adult.with_context(mph_no_sync=True).slot_id = cls.slot_today
        cls.enrollment_other.with_context(mph_no_sync=True).slot_id = cls.slot_today_other
        (cls.slot_today | cls.slot_today_other)._generate_lessons(date_from=cls.today)
        cls.lesson_today = cls.slot_today.lesson_ids.filtered(lambda lesson: lesson.date == cls.today)
        cls.attendance_today = cls.lesson_today.attendance_ids
        cls.attendance_other = cls.slot_today_other.lesson_ids[:1].attendance_ids

    def post_attendance(self, attendance, state):
        return self.url_open(
            f"/my/timetable/attendance/{attendance.id}",
            data={"state": state, "csrf_token": self.csrf_token()},
            allow_redirects=False,
        )

    def csrf_token(self):
        page = self.url_open("/my/timetable").text
        marker = 'name="csrf_token" value="'
        return page[page.index(marker) + len(marker) :].split('"', 1)[0]

    def test_week_and_attendance(self):
        self.assertEqual(len(self.attendance_today), 1)
        self.authenticate("mph_teacher", "mph_teacher")
        response = self.url_open("/my/timetable")
        self.assertEqual(response.status_code, 200)
        text = response.text
        for shown in ("Sanne", "Piano (test)", "Studio 1", "10:00"):
            self.assertIn(shown, text)
        for hidden in ("Bakker", "Lotte", "Smit", "Studio 2"):
            self.assertNotIn(hidden, text, "surnames and other teachers' lessons stay out")
        response = self.post_attendance(self.attendance_today, "present")
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.attendance_today.state, "present")
        # Another teacher's pupil, a code the teacher does not set, a future lesson: 404, nothing changed.
        self.assertEqual(self.post_attendance(self.attendance_other, "present").status_code, 404)
        self.assertFalse(self.attendance_other.state)
        self.assertEqual(self.post_attendance(self.attendance_today, "cancelled").status_code, 404)
        future = self.slot_today.lesson_ids.filtered(lambda lesson: lesson.date > self.today)[:1].attendance_ids
        if future:
            self.assertEqual(self.post_attendance(future, "present").status_code, 404)
            self.assertFalse(future.state)
        self.assertEqual(self.attendance_today.state, "present")
        # A portal user who is no teacher: back to /my.
        self.authenticate("mph_portal", "mph_portal")
        response = self.url_open("/my/timetable", allow_redirects=False)
        self.assertEqual(response.status_code, 303)

    def test_ical_feed(self):
        url = self.teacher._mph_ical_url()
        path = url[url.index("/mph/") :]
        response = self.url_open(path)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.headers["Content-Type"].startswith("text/calendar"))
        calendar = vobject.readOne(response.text)
        events = calendar.vevent_list
        expected = self.env["mph.lesson"].search(
            [
                ("teacher_id", "=", self.teacher.id),
                ("date", ">=", self.today - timedelta(days=28)),
                ("state", "=", "planned"),
            ]
        )
        self.assertEqual(len(events), len(expected))
        first = events[0]
        self.assertEqual(first.summary.value, "Piano (test)")
        self.assertEqual(first.location.value, "Studio 1")
        self.assertEqual(first.dtstart.value.replace(tzinfo=None), self.lesson_today.start)
        for name in ("Sanne", "Bakker", "Daan", "Vries", "Esther"):
            self.assertNotIn(name, response.text, "no pupil in a feed that may end up at a third party")
        # Tampered and revoked links: 404.
        self.assertEqual(self.url_open(path.replace(".ics", "x.ics")).status_code, 404)
        self.assertEqual(self.url_open("/mph/timetable/ical/AQ.ics").status_code, 404)
        self.teacher.with_user(self.user_coordinator).action_revoke_ical()
        self.assertEqual(self.url_open(path).status_code, 404)
        new_url = self.teacher._mph_ical_url()
        self.assertNotEqual(new_url, url)
        self.assertEqual(self.url_open(new_url[new_url.index("/mph/") :]).status_code, 200)

    def test_each_teacher_has_a_feed_token_of_its_own(self):
        """Installing the addon on a school with teachers gives each its own
        token (Odoo fills a new column with one evaluation of its default)."""
        teachers = self.env["mph.teacher"].with_context(active_test=False).search([])
        self.assertGreater(len(teachers), 1)
        teachers.write({"ical_token": "one-for-all"})
        post_init_hook(self.env)
        tokens = teachers.mapped("ical_token")
        self.assertNotIn("one-for-all", tokens)
        self.assertEqual(len(set(tokens)), len(teachers))

    def test_week_query_count_does_not_grow(self):
        """Next week's page costs the same number of queries for 1 lesson and
        for 7 lessons on two days."""
        url = f"/my/timetable?week={self.today + timedelta(days=7)}"
        self.authenticate("mph_teacher", "mph_teacher")
        self.url_open(url)  # warm the caches
        before = self.cr.sql_log_count
        self.assertEqual(self.url_open(url).status_code, 200)
        few = self.cr.sql_log_count - before
        self.guitar = self.env["mph.lesson.type"].create({"name": "Gitaar (test)", "kind": "individual"})
        self.teacher.lesson_type_ids |= self.guitar
        current = self.slot_today.season_id
        other_day = str((self.today.weekday() + 1) % 5)
        for index in range(6):
            pupil = self.create_student(f"Leerling{index} Extra", "2000-01-01")
            enrollment = self.enroll(pupil, self.guitar, self.teacher, "active")
            weekday = self.slot_today.weekday if index < 3 else other_day
            slot = self.make_slot(self.teacher, self.room_1, self.guitar, weekday, 11.0 + index, season=current)
            enrollment.with_context(mph_no_sync=True).slot_id = slot
            slot._generate_lessons(date_from=self.today)
        self.url_open(url)  # warm again after the new data
        before = self.cr.sql_log_count
        response = self.url_open(url)
        many = self.cr.sql_log_count - before
        self.assertEqual(response.text.count("o_mph_lesson "), 7)
        _logger.info("queries of the teacher's week page: %s (1 lesson) and %s (7 lessons, 2 days)", few, many)
        self.assertGreater(few, 3)
        self.assertEqual(few, many)

    def test_tour_attendance_on_a_phone(self):
        self.start_tour("/web/login?redirect=/my", "mph_timetable_attendance_tour", login=None)
        self.assertEqual(self.attendance_today.state, "excused")
