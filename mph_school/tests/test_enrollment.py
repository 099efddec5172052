import psycopg2

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import MphCommon


@tagged("post_install", "-at_install")
class TestEnrollment(MphCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pupils = [cls.create_student(f"Wachtende {i}", f"1990-01-0{i + 1}") for i in range(4)]

    def test_waiting_list_first_come_first_served(self):
        # Created in another order than requested: the request date decides.
        late = self.enroll(self.pupils[0], self.piano, date_requested="2026-03-01")
        early = self.enroll(self.pupils[1], self.piano, date_requested="2026-01-15")
        middle = self.enroll(self.pupils[2], self.piano, date_requested="2026-02-10")
        same_day = self.enroll(self.pupils[3], self.piano, date_requested="2026-02-10")
        other_list = self.enroll(self.adult, self.koor, date_requested="2026-06-01")
        self.assertEqual(
            [early.waiting_position, middle.waiting_position, same_day.waiting_position, late.waiting_position],
            [1, 2, 3, 4],
        )
        self.assertEqual(other_list.waiting_position, 1, "each lesson type has its own list")
        self.assertEqual(self.enrollment_adult.waiting_position, 0, "not waiting: no position")
        early.teacher_id = self.teacher
        early.action_start_trial()
        self.env.invalidate_all()
        self.assertEqual([middle.waiting_position, same_day.waiting_position, late.waiting_position], [1, 2, 3])
        self.assertEqual(self.piano.waiting_count, 3)

    def test_capacity_sends_newcomers_to_the_waiting_list(self):
        # Piano holds 2: the adult is active, one place left.
        first = self.enroll(self.pupils[0], self.piano, self.teacher)
        first.action_start_trial()
        self.assertEqual(first.state, "trial")
        second = self.enroll(self.pupils[1], self.piano, self.teacher)
        with self.assertRaisesRegex(UserError, "is full"):
            second.action_start_trial()
        self.assertEqual(second.state, "waiting", "a refused action changes nothing")
        first.action_stop()
        second.action_activate()
        self.assertEqual(second.state, "active")

    def test_one_open_enrollment_per_lesson_type(self):
        with self.assertRaisesRegex(ValidationError, "already has an open enrolment"):
            self.enroll(self.adult, self.piano)
        self.enrollment_adult.action_stop()
        again = self.enroll(self.adult, self.piano)
        self.assertEqual(again.state, "waiting", "after stopping, a new enrolment is fine")

    def test_batch_checks_open_enrollments_in_one_query(self):
        Enrollment = self.env["mph.enrollment"]
        before = Enrollment.search_count([])
        twice = [{"student_id": self.pupils[0].id, "lesson_type_id": self.koor.id}] * 2
        with self.assertRaisesRegex(ValidationError, "already has an open enrolment"):
            Enrollment.create(twice)
        self.assertEqual(Enrollment.search_count([]), before, "nothing of the batch is created")

        def queries(pupils):
            vals_list = [{"student_id": p.id, "lesson_type_id": self.koor.id} for p in pupils]
            self.env.invalidate_all()
            start = self.env.cr.sql_log_count
            Enrollment.browse()._check_single_open_enrollment(vals_list)
            return self.env.cr.sql_log_count - start

        self.assertEqual(queries(self.pupils[:1]), queries(self.pupils), "the check costs the same for 1 or many")
        created = Enrollment.create([{"student_id": p.id, "lesson_type_id": self.koor.id} for p in self.pupils])
        self.assertEqual(len(created), len(self.pupils))

    def test_running_lessons_need_a_teacher_who_teaches_it(self):
        waiting = self.enroll(self.pupils[0], self.koor)
        with self.assertRaisesRegex(ValidationError, "Assign a teacher"):
            waiting.action_activate()
        with self.assertRaisesRegex(ValidationError, "does not teach"):
            self.enroll(self.pupils[1], self.piano, self.teacher_other)

    def test_state_transitions(self):
        enrollment = self.enroll(self.pupils[0], self.koor, self.teacher)
        with self.assertRaisesRegex(UserError, "not possible"):
            enrollment.action_stop()
        enrollment.action_start_trial()
        self.assertTrue(enrollment.date_trial)
        enrollment.action_activate()
        self.assertTrue(enrollment.date_start)
        enrollment.action_stop()
        self.assertEqual(enrollment.state, "stopped")
        self.assertTrue(enrollment.date_end)
        with self.assertRaisesRegex(UserError, "not possible"):
            enrollment.action_cancel()

    def test_end_before_start_refused(self):
        with self.assertRaisesRegex(ValidationError, "cannot be before its start date"):
            self.enrollment_adult.write({"date_end": "2024-01-01"})

    def test_database_refuses_second_open_enrollment(self):
        """Two coordinators at once: the exclusion constraint holds even past the Python check."""
        stopped = self.enroll(self.adult, self.piano, self.teacher, "stopped")
        self.env.flush_all()
        with self.assertRaises(psycopg2.IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.env.cr.execute("UPDATE mph_enrollment SET state = 'waiting' WHERE id = %s", [stopped.id])
        with self.assertRaisesRegex(ValidationError, "already has an open enrolment"):
            stopped.state = "waiting"
