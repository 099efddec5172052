import psycopg2

from odoo import SUPERUSER_ID, api
from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install", "mph_timetable")
class TestConcurrentSlots(TransactionCase):
    """Two coordinators plan the same teacher at the same time. That takes two
    real transactions on two connections, so this test commits (in its own
    test database, in a school year far ahead) and removes what it committed."""

    def env_of(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            lesson = env["mph.lesson.type"].create({"name": "Cello (gelijktijdig)", "kind": "individual"})
            teacher = env["mph.teacher"].create({"name": "Bas de Groot", "lesson_type_ids": [(6, 0, lesson.ids)]})
            rooms = env["mph.room"].create([{"name": "Gelijktijdig 1"}, {"name": "Gelijktijdig 2"}])
            season = env["mph.season"].create(
                {"name": "2050-2051", "date_start": "2050-08-01", "date_end": "2051-07-31"}
            )
            self.ids = {"lesson": lesson.id, "teacher": teacher.id, "rooms": rooms.ids, "season": season.id}
        self.addCleanup(self._remove_committed)

    def _remove_committed(self):
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            env["mph.lesson.slot"].with_context(active_test=False).search(
                [("season_id", "=", self.ids["season"])]
            ).unlink()
            env["mph.season"].browse(self.ids["season"]).unlink()
            env["mph.room"].browse(self.ids["rooms"]).unlink()
            env["mph.teacher"].browse(self.ids["teacher"]).unlink()
            env["mph.lesson.type"].browse(self.ids["lesson"]).unlink()

    def slot_vals(self, room_index):
        return {
            "season_id": self.ids["season"],
            "teacher_id": self.ids["teacher"],
            "lesson_type_id": self.ids["lesson"],
            "room_id": self.ids["rooms"][room_index],
            "weekday": "2",
            "start_time": 16.0,
        }

    def test_two_coordinators_at_once(self):
        domain = [("season_id", "=", self.ids["season"]), ("teacher_id", "=", self.ids["teacher"])]
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            Slot_a, Slot_b = self.env_of(cr_a)["mph.lesson.slot"], self.env_of(cr_b)["mph.lesson.slot"]
            # Both look first: the teacher is free on Wednesday at 16:00.
            self.assertFalse(Slot_a.search_count(domain))
            self.assertFalse(Slot_b.search_count(domain))
            Slot_a.create(self.slot_vals(0))
            # While A has not committed, B's insert waits for A (here: gives up
            # after a moment) instead of going ahead.
            cr_b.execute("SET LOCAL lock_timeout = '200ms'")
            with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.errors.LockNotAvailable):
                Slot_b.create(self.slot_vals(1))
            cr_b.rollback()
            Slot_b.env.invalidate_all()
            # B starts again and looks while A has not committed: still free.
            self.assertFalse(Slot_b.search_count(domain))
            cr_a.commit()
            # B's view predates A's commit (repeatable read): a check in
            # Python would let B go ahead...
            self.assertFalse(Slot_b.search_count(domain))
            # ... and the database refuses B's slot: a clear message, nothing saved.
            with self.assertRaisesRegex(ValidationError, "teacher already has a lesson"):
                Slot_b.create(self.slot_vals(1))
            cr_b.rollback()
        with self.registry.cursor() as cr:
            slots = self.env_of(cr)["mph.lesson.slot"].search(domain)
            self.assertEqual(slots.room_id.ids, self.ids["rooms"][:1])
