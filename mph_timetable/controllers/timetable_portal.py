"""The teacher's week on the portal, attendance in two taps on a phone, and
the teacher's calendar feed.

The week and the attendance are read and written as the logged-in teacher:
the record rules of mph_timetable decide what is shown (own lessons, the
pupils of own running enrolments). The calendar feed is public behind a
signed link and carries no pupil at all: only lesson type, room and time.
"""

from datetime import timedelta

import pytz
import vobject

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.mph_school.groups import TEACHER as TEACHER_GROUP
from odoo.addons.portal.controllers.portal import CustomerPortal

from ..models.mph_teacher import ICAL_SCOPE

# What a teacher can record from the portal ("cancelled" is the school's).
PORTAL_STATES = ("present", "excused", "absent")
# How far back the calendar feed reaches.
ICAL_DAYS_BACK = 28


class TimetablePortal(CustomerPortal):
    def _mph_is_teacher(self):
        return request.env.user.has_group(TEACHER_GROUP)

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "mph_lesson_week_count" in counters:
            # This week's lessons: the card shows whenever the teacher has lessons this week.
            Lesson = request.env["mph.lesson"]
            today = fields.Date.context_today(Lesson)
            monday = today - timedelta(days=today.weekday())
            values["mph_lesson_week_count"] = (
                Lesson.search_count(self._mph_lesson_domain(monday, monday + timedelta(days=6)))
                if self._mph_is_teacher() and Lesson.has_access("read")
                else 0
            )
        return values

    def _mph_lesson_domain(self, first, last=None):
        return [("teacher_id.user_id", "=", request.env.uid), ("date", ">=", first), ("date", "<=", last or first)]

    @http.route(["/my/timetable"], type="http", auth="user", website=True)
    def portal_my_timetable(self, week=None, **kw):
        Lesson = request.env["mph.lesson"]
        if not self._mph_is_teacher() or not Lesson.has_access("read"):
            return request.redirect("/my")
        today = fields.Date.context_today(Lesson)
        try:
            day = fields.Date.to_date(week) if week else today
        except ValueError:
            day = today
        monday = day - timedelta(days=day.weekday())
        lessons = Lesson.search(self._mph_lesson_domain(monday, monday + timedelta(days=6)), order="start, id")
        attendances = lessons.attendance_ids
        # Every name at once: the page costs the same queries for any number of lessons and days.
        attendances.mapped("student_first_name")
        # First names shown are a read of the pupils, logged as elsewhere.
        request.env["mph.student.read.log"]._log_reads(attendances.enrollment_id.student_id)
        days = []
        for offset in range(7):
            date = monday + timedelta(days=offset)
            day_lessons = lessons.filtered(lambda lesson, d=date: lesson.date == d)
            if day_lessons or offset < 5:
                days.append((date, day_lessons))
        teacher = request.env["mph.teacher"].search([("user_id", "=", request.env.uid)], limit=1)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "mph_timetable",
                "days": days,
                "today": today,
                "monday": monday,
                "previous_week": monday - timedelta(days=7),
                "next_week": monday + timedelta(days=7),
                "attendance_labels": dict(
                    request.env["mph.lesson.attendance"]._fields["state"]._description_selection(request.env)
                ),
                "portal_states": PORTAL_STATES,
                "ical_url": teacher._mph_ical_url() if teacher else False,
            }
        )
        return request.render("mph_timetable.portal_my_timetable", values)

    @http.route(
        ["/my/timetable/attendance/<int:attendance_id>"], type="http", auth="user", website=True, methods=["POST"]
    )
    def portal_my_timetable_attendance(self, attendance_id, state=None, **kw):
        """Record one pupil's attendance (as the teacher: other teachers'
        lessons, unknown ids and future lessons answer 404)."""
        if not self._mph_is_teacher() or state not in PORTAL_STATES:
            raise request.not_found()
        attendance = request.env["mph.lesson.attendance"].browse(attendance_id)
        try:
            attendance.check_access("write")
            lesson = attendance.lesson_id
            if lesson.state != "planned" or lesson.date > fields.Date.context_today(lesson):
                raise request.not_found()
            attendance.write({"state": state})
        except (AccessError, MissingError):
            raise request.not_found() from None
        return request.redirect(f"/my/timetable?week={lesson.date}#mph_lesson_{lesson.id}")

    @http.route(["/mph/timetable/ical/<string:payload>.ics"], type="http", auth="public", methods=["GET"])
    def timetable_ical(self, payload, **kw):
        """The teacher's lessons as iCalendar: lesson type, room and time,
        never a pupil. 404 for a tampered or revoked link."""
        env = request.env(su=True)
        values = env["mph.signed.link"]._verify(ICAL_SCOPE, payload)
        if not values or not isinstance(values, list) or len(values) != 2:
            raise request.not_found()
        teacher = env["mph.teacher"].browse(values[0]).exists()
        if not teacher or not teacher.active or teacher.ical_token != values[1]:
            raise request.not_found()
        today = fields.Date.context_today(teacher)
        lessons = env["mph.lesson"].search_read(
            [
                ("teacher_id", "=", teacher.id),
                ("date", ">=", today - timedelta(days=ICAL_DAYS_BACK)),
                ("state", "=", "planned"),
            ],
            ["start", "stop", "lesson_type_id", "room_id", "write_date"],
            order="start",
        )
        calendar = vobject.iCalendar()
        calendar.add("prodid").value = "-//Muziekpakhuis//Lesrooster//NL"
        calendar.add("x-wr-calname").value = request.env._("Lessons")
        host = request.httprequest.host
        for lesson in lessons:
            event = calendar.add("vevent")
            event.add("uid").value = f"mph-lesson-{lesson['id']}@{host}"
            event.add("dtstamp").value = pytz.utc.localize(lesson["write_date"])
            event.add("dtstart").value = pytz.utc.localize(lesson["start"])
            event.add("dtend").value = pytz.utc.localize(lesson["stop"])
            event.add("summary").value = lesson["lesson_type_id"][1]
            event.add("location").value = lesson["room_id"][1]
        return request.make_response(
            calendar.serialize(),
            headers=[("Content-Type", "text/calendar; charset=utf-8"), ("Cache-Control", "private, max-age=300")],
        )
