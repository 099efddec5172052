from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import TimetableCommon

HOLIDAY_DATES = (date(2040, 10, 15), date(2040, 12, 24), date(2040, 12, 31))
REASON_LIKE_TYPES = ("char", "text", "html")


@tagged("post_install", "-at_install", "mph_timetable")
class TestTimetable(TimetableCommon):
    # ------------------------------------------------------------
    # Double booking
    # ------------------------------------------------------------

    def test_teacher_and_room_not_double_booked(self):
        with self.assertRaisesRegex(ValidationError, "teacher already has a lesson"):
            self.make_slot(self.teacher, self.room_2, self.piano, "0", 15.25)
        with self.assertRaisesRegex(ValidationError, "room is already booked"):
            self.make_slot(self.teacher_other, self.room_1, self.koor, "0", 14.75)
        # Back to back, another day, another school year: free.
        self.make_slot(self.teacher, self.room_1, self.piano, "0", 15.5)
        self.make_slot(self.teacher, self.room_1, self.piano, "1", 15.0)
        other_season = self.env["mph.season"].create(
            {"name": "2041-2042", "date_start": "2041-08-01", "date_end": "2042-07-31"}
        )
        self.make_slot(self.teacher, self.room_1, self.piano, "0", 15.0, season=other_season)
        # Moving a slot onto another one is refused too, and changes nothing.
        later = self.make_slot(self.teacher, self.room_2, self.piano, "2", 16.0)
        with self.assertRaisesRegex(ValidationError, "teacher already has a lesson"):
            later.write({"weekday": "0", "start_time": 15.0})
        self.assertEqual((later.weekday, later.start_time), ("2", 16.0))
        # An archived slot frees its time.
        later.active = False
        self.make_slot(self.teacher, self.room_2, self.piano, "2", 16.0)

    def test_availability(self):
        self.env["mph.teacher.availability"].create(
            {"teacher_id": self.teacher_other.id, "weekday": "0", "hour_from": 18.0, "hour_to": 21.0}
        )
        with self.assertRaisesRegex(ValidationError, "not available"):
            self.make_slot(self.teacher_other, self.room_2, self.koor, "1", 19.0)
        with self.assertRaisesRegex(ValidationError, "not available"):
            self.make_slot(self.teacher_other, self.room_2, self.koor, "0", 20.5)
        self.make_slot(self.teacher_other, self.room_2, self.koor, "0", 20.0)

    # ------------------------------------------------------------
    # Lessons of the school year
    # ------------------------------------------------------------

    def test_generation_skips_holidays_and_reaches_promised(self):
        made = (self.slot_piano | self.slot_koor)._generate_lessons()
        lessons = self.slot_piano.lesson_ids
        self.assertEqual(len(lessons), 36)
        self.assertEqual(made, 72)
        self.assertEqual({lesson.date.weekday() for lesson in lessons}, {0})
        self.assertFalse(set(HOLIDAY_DATES) & set(lessons.mapped("date")))
        self.assertEqual(lessons[0].date, date(2040, 8, 6), "first Monday of the school year")
        # 15:00 in Utrecht: 13:00 UTC in summer time, 14:00 in winter time.
        self.assertEqual(lessons[0].start, datetime(2040, 8, 6, 13, 0))
        november = lessons.filtered(lambda lesson: lesson.date == date(2040, 11, 5))
        self.assertEqual((november.start, november.stop), (datetime(2040, 11, 5, 14, 0), datetime(2040, 11, 5, 14, 30)))
        # One attendance row per running enrolment, nothing recorded yet.
        self.assertEqual(lessons.attendance_ids.enrollment_id, self.enrollment_adult)
        self.assertEqual(len(lessons.attendance_ids), 36)
        self.assertFalse(any(lessons.attendance_ids.mapped("state")))
        self.assertEqual(self.enrollment_adult.lessons_planned, 36)
        self.assertEqual(self.slot_piano.shortfall, 0)
        # Generating again adds nothing.
        self.assertEqual(self.slot_piano._generate_lessons(), 0)

    def test_promise_not_reachable_warns(self):
        self.piano.promised_count = 60
        action = self.slot_piano.action_generate_lessons()
        self.assertEqual(action["params"]["type"], "warning")
        # 52 Mondays minus those in the two holidays.
        self.assertEqual(self.slot_piano.planned_count, 49)
        self.assertEqual(self.slot_piano.shortfall, 11)
        self.assertIn("49/60", action["params"]["message"])

    def test_slot_change_moves_only_future_lessons(self):
        self.slot_piano._generate_lessons()
        with freeze_time("2041-01-15"):
            past = self.slot_piano.lesson_ids.filtered(lambda lesson: lesson.date < date(2041, 1, 15))
            past_dates = past.mapped("date")
            past[-1].attendance_ids.state = "present"
            self.slot_piano.write({"weekday": "2", "start_time": 16.0})
        lessons = self.slot_piano.lesson_ids
        self.assertEqual(lessons.filtered(lambda lesson: lesson.date < date(2041, 1, 15)).mapped("date"), past_dates)
        self.assertEqual(past[-1].attendance_ids.state, "present")
        future = lessons - past
        self.assertTrue(future)
        self.assertEqual({lesson.date.weekday() for lesson in future}, {2})
        self.assertEqual(set(future.mapped("start_time")), {16.0})
        self.assertEqual(len(lessons), 36, "still the promised number")
        self.assertEqual(len(future.attendance_ids), len(future))

    def test_enrolment_joins_and_leaves_future_lessons(self):
        self.slot_koor._generate_lessons()
        newcomer = self.enroll(self.create_student("Bram Visser", "1995-05-05"), self.koor, self.teacher, "active")
        with freeze_time("2041-03-01"):
            newcomer.slot_id = self.slot_koor
        joined = newcomer.sudo().attendance_ids
        self.assertTrue(joined)
        self.assertTrue(all(day >= date(2041, 3, 1) for day in joined.mapped("date")))
        with freeze_time("2041-05-01"):
            newcomer.action_stop()
        self.assertTrue(all(day < date(2041, 5, 1) for day in newcomer.sudo().attendance_ids.mapped("date")))

    # ------------------------------------------------------------
    # Planning from the enrolment
    # ------------------------------------------------------------

    def test_plan_enrolment_into_free_slot_and_trial(self):
        self.enrollment_adult.with_context(mph_no_sync=True).slot_id = False
        wizard = (
            self.env["mph.slot.plan.wizard"]
            .with_user(self.user_coordinator)
            .create({"enrollment_id": self.enrollment_adult.id, "season_id": self.season.id})
        )
        self.assertIn(self.slot_piano, wizard.free_slot_ids)
        wizard.slot_id = self.slot_piano
        wizard.action_confirm()
        self.assertEqual(self.enrollment_adult.slot_id, self.slot_piano)
        self.assertEqual(len(self.slot_piano.lesson_ids), 36)
        # A trial lesson at a free time.
        trial = self.enrollment_minor
        wizard = self.env["mph.slot.plan.wizard"].create(
            {
                "enrollment_id": trial.id,
                "mode": "trial",
                "date": "2040-09-04",
                "start_time": 17.0,
                "room_id": self.room_1.id,
            }
        )
        wizard.action_confirm()
        lesson = self.env["mph.lesson"].search([("kind", "=", "trial")])
        self.assertEqual(lesson.attendance_ids.enrollment_id, trial)
        self.assertEqual(trial.date_trial, date(2040, 9, 4))
        # Full now: an individual slot takes one pupil.
        second = self.enroll(self.create_student("Bram Visser", "1995-05-05"), self.piano, self.teacher, "active")
        wizard = self.env["mph.slot.plan.wizard"].create({"enrollment_id": second.id, "season_id": self.season.id})
        self.assertNotIn(self.slot_piano, wizard.free_slot_ids)
        with self.assertRaisesRegex(ValidationError, "full"):
            second.slot_id = self.slot_piano
        # A new slot at a taken time is refused by the database, with the Dutch-translatable message.
        wizard.write({"mode": "new", "weekday": "0", "start_time": 15.0, "room_id": self.room_2.id})
        with self.assertRaisesRegex(ValidationError, "teacher already has a lesson"):
            wizard.action_confirm()

    # ------------------------------------------------------------
    # Teacher absence, make-up lessons
    # ------------------------------------------------------------

    def test_absence_cancels_mails_and_credits(self):
        (self.slot_piano | self.slot_koor | self.slot_other)._generate_lessons()
        absence = self.env["mph.teacher.absence"].create(
            {"teacher_id": self.teacher.id, "date_from": "2040-11-05", "date_to": "2040-11-11"}
        )
        before = self.env["mail.mail"].search([])
        absence.with_user(self.user_coordinator).action_confirm()
        cancelled = absence.lesson_ids
        self.assertEqual(len(cancelled), 2, "the piano and the choir lesson of that Monday")
        self.assertEqual(set(cancelled.mapped("state")), {"cancelled"})
        self.assertEqual(set(cancelled.attendance_ids.mapped("state")), {"cancelled"})
        other = self.slot_other.lesson_ids.filtered(lambda lesson: lesson.date == date(2040, 11, 5))
        self.assertEqual(other.state, "planned", "another teacher's lessons go on")
        credits = self.env["mph.makeup.credit"].search([("lesson_id", "in", cancelled.ids)])
        self.assertEqual(credits.enrollment_id, self.enrollment_adult | self.enrollment_minor)
        self.assertEqual(set(credits.mapped("state")), {"open"})
        mails = self.env["mail.mail"].search([]) - before
        self.assertEqual(len(mails), 2)
        # The adult is mailed herself, the minor through the guardian.
        self.assertEqual(mails.recipient_ids, self.adult.partner_id | self.guardian)
        for mail in mails:
            self.assertIn("11/05/2040 does not take place", mail.body_html)
            self.assertNotIn(self.teacher.name, mail.body_html)
        self.assertEqual(self.enrollment_adult.lessons_planned, 35)
        self.assertEqual(self.enrollment_adult.makeup_open, 1)

        # Make-up lesson: at the teacher's taken time refused, at a free time planned.
        credit = credits.filtered(lambda c: c.enrollment_id == self.enrollment_adult)
        action = credit.action_plan()
        Wizard = self.env["mph.slot.plan.wizard"].with_context(**action["context"])
        wizard = Wizard.create({"date": "2040-11-12", "start_time": 19.25, "room_id": self.room_1.id})
        with self.assertRaisesRegex(ValidationError, "teacher already has a lesson"):
            wizard.action_confirm()
        wizard.write({"date": "2040-11-13", "start_time": 15.0})
        wizard.action_confirm()
        self.assertEqual(credit.state, "planned")
        self.assertEqual(credit.makeup_lesson_id.kind, "makeup")
        self.assertEqual(credit.makeup_lesson_id.attendance_ids.enrollment_id, self.enrollment_adult)
        self.assertEqual(self.enrollment_adult.makeup_open, 0)
        self.assertEqual(self.enrollment_adult.lessons_planned, 36, "delivered as promised again")

    def test_no_free_text_reason_anywhere(self):
        """Attendance, absence and make-up credit: codes and dates only."""
        allowed = {"display_name", "student_first_name"}
        for model in ("mph.lesson.attendance", "mph.teacher.absence", "mph.makeup.credit", "mph.lesson"):
            text_fields = {name for name, field in self.env[model]._fields.items() if field.type in REASON_LIKE_TYPES}
            self.assertLessEqual(text_fields, allowed, model)
        self.assertIn("health", self.env["mph.lesson.attendance"]._fields["state"].help)
        self.assertEqual(
            [code for code, _label in self.env["mph.lesson.attendance"]._fields["state"].selection],
            ["present", "excused", "absent", "cancelled"],
        )


@tagged("post_install", "-at_install", "mph_timetable")
class TestTimetableDutch(TimetableCommon):
    """The coordinator's message and the pupils' mail come out in Dutch."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("nl_NL")
        cls.env["ir.module.module"]._load_module_terms(["mph_timetable"], ["nl_NL"], overwrite=True)

    def test_double_booking_and_cancellation_in_dutch(self):
        env = self.env(user=self.user_coordinator, context={"lang": "nl_NL"})
        with self.assertRaisesRegex(ValidationError, "De docent heeft op dit tijdstip al les"):
            env["mph.lesson.slot"].create(
                {
                    "season_id": self.season.id,
                    "teacher_id": self.teacher.id,
                    "room_id": self.room_2.id,
                    "lesson_type_id": self.piano.id,
                    "weekday": "0",
                    "start_time": 15.0,
                }
            )
        self.guardian.lang = "nl_NL"
        self.slot_koor._generate_lessons()
        absence = env["mph.teacher.absence"].create(
            {"teacher_id": self.teacher.id, "date_from": "2040-11-05", "date_to": "2040-11-05"}
        )
        absence.action_confirm()
        mail = self.env["mail.mail"].search([("recipient_ids", "=", self.guardian.id)], order="id desc", limit=1)
        self.assertEqual(mail.subject, "Les op 05-11-2040 gaat niet door")
        self.assertIn("gaat niet door", mail.body_html)
        self.assertIn("wordt ingehaald", mail.body_html)


@tagged("post_install", "-at_install", "mph_timetable")
class TestTimetableRetention(TimetableCommon):
    """Attendance per lesson becomes counts after the school year plus the
    retention period, and at once when the pupil is anonymised; the access
    export holds it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        (cls.slot_piano | cls.slot_koor)._generate_lessons()
        adult = cls.slot_piano.lesson_ids.attendance_ids
        adult[:30].state = "present"
        adult[30:33].state = "excused"
        adult[33:34].state = "absent"
        cls.adult_attendance = adult

    def counts(self, enrollment):
        row = self.env["mph.attendance.count"].search([("enrollment_id", "=", enrollment.id)])
        return row and (row.season_id, row.present, row.excused, row.absent, row.cancelled, row.unrecorded)

    def test_reduced_after_the_period_only(self):
        Retention = self.env["mph.retention"]
        with freeze_time("2042-07-30"):
            self.assertEqual(Retention._cron_reduce_attendance(), 0)
        self.assertTrue(self.adult_attendance.exists())
        self.env["ir.config_parameter"].set_param("mph_timetable.attendance_retention_months", "6")
        with freeze_time("2042-02-01"):
            reduced = Retention._cron_reduce_attendance()
        self.assertEqual(reduced, 36 + 36)
        self.assertFalse(self.adult_attendance.exists())
        self.assertEqual(self.counts(self.enrollment_adult), (self.season, 30, 3, 1, 0, 2))
        self.assertEqual(self.counts(self.enrollment_minor)[1:], (0, 0, 0, 0, 36))
        # The lessons themselves stay (teacher, room, time: no pupil).
        self.assertEqual(len(self.slot_piano.lesson_ids), 36)

    def test_anonymisation_reduces_the_pupils_attendance(self):
        request = self.env["mph.privacy.request"].create(
            {"request_type": "access", "partner_id": self.adult.partner_id.id, "student_id": self.adult.id}
        )
        data = self.env["mph.access.export"]._gather_personal_data(request)
        self.assertEqual(len(data["Lessons and attendance"]), 36)
        self.assertIn("Present", {row["Attendance"] for row in data["Lessons and attendance"]})
        self.env["mph.erasure"]._anonymise(self.adult)
        self.assertFalse(self.adult_attendance.exists())
        self.assertEqual(self.counts(self.enrollment_adult)[1:], (30, 3, 1, 0, 2))
        self.assertEqual(len(self.slot_koor.lesson_ids.attendance_ids), 36, "another pupil's attendance stays")
        data = self.env["mph.access.export"]._gather_personal_data(request)
        self.assertNotIn("Lessons and attendance", data)
        self.assertEqual(data["Attendance counts"][0]["Present"], 30)
