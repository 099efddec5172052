"""Demo timetable: Dutch school holidays (region Midden), a full timetable
for the demo teachers, a school year of lessons with attendance and one
teacher absence. Set-based like the real generation. Only called from demo
data."""

from datetime import date, timedelta

from odoo import api, fields, models

from odoo.addons.mph_school.models.mph_enrollment import RUNNING_STATES

# School holidays of region Midden (rijksoverheid.nl), and the public
# holidays without lessons. Editable afterwards, like any holiday.
HOLIDAYS_MIDDEN = {
    "2025-2026": [
        ("Herfstvakantie", date(2025, 10, 18), date(2025, 10, 26)),
        ("Kerstvakantie", date(2025, 12, 20), date(2026, 1, 4)),
        ("Voorjaarsvakantie", date(2026, 2, 14), date(2026, 2, 22)),
        ("Tweede Paasdag", date(2026, 4, 6), date(2026, 4, 6)),
        ("Meivakantie", date(2026, 4, 25), date(2026, 5, 3)),
        ("Hemelvaart", date(2026, 5, 14), date(2026, 5, 15)),
        ("Tweede Pinksterdag", date(2026, 5, 25), date(2026, 5, 25)),
        ("Zomervakantie", date(2026, 7, 18), date(2026, 7, 31)),
    ],
    "2026-2027": [
        ("Zomervakantie", date(2026, 8, 1), date(2026, 8, 30)),
        ("Herfstvakantie", date(2026, 10, 17), date(2026, 10, 25)),
        ("Kerstvakantie", date(2026, 12, 19), date(2027, 1, 3)),
        ("Voorjaarsvakantie", date(2027, 2, 20), date(2027, 2, 28)),
        ("Tweede Paasdag", date(2027, 3, 29), date(2027, 3, 29)),
        ("Meivakantie", date(2027, 4, 24), date(2027, 5, 2)),
        ("Hemelvaart", date(2027, 5, 6), date(2027, 5, 7)),
        ("Tweede Pinksterdag", date(2027, 5, 17), date(2027, 5, 17)),
        ("Zomervakantie", date(2027, 7, 17), date(2027, 7, 31)),
    ],
}


class MphLessonSlot(models.Model):
    _inherit = "mph.lesson.slot"

    @api.model
    def _demo_holidays(self):
        Season = self.env["mph.season"].with_context(active_test=False)
        vals_list = []
        for season_name, holidays in HOLIDAYS_MIDDEN.items():
            season = Season.search([("name", "=", season_name)], limit=1)
            if season:
                vals_list += [
                    {"season_id": season.id, "name": name, "date_start": start, "date_end": end}
                    for name, start, end in holidays
                ]
        self.env["mph.school.holiday"].create(vals_list)

    @api.model
    def _demo_timetable(self):
        """A slot for every running enrolment of the current school year, each
        teacher in a room of their own on a weekday of their own; the lessons
        of the school year; attendance up to today; one absence next week."""
        today = fields.Date.context_today(self)
        season = self.env["mph.season"]._for_date(today)
        rooms = self.env["mph.room"].search([], order="id")
        teachers = self.env["mph.teacher"].search([], order="id")
        if not (season and rooms and teachers):
            return
        enrollments = self.env["mph.enrollment"].search(
            [("state", "in", RUNNING_STATES), ("teacher_id", "!=", False)], order="id"
        )
        slot_vals, members = [], []
        for index, teacher in enumerate(teachers):
            room = rooms[index % len(rooms)]
            weekday = (index // len(rooms)) % 5
            start = 13.0
            own = enrollments.filtered(lambda e, t=teacher: e.teacher_id == t)
            groups = {}
            for enrollment in own:
                if enrollment.kind == "individual":
                    groups[enrollment.id] = (enrollment.lesson_type_id, enrollment)
                else:
                    key = ("group", enrollment.lesson_type_id.id)
                    lesson_type, existing = groups.get(key, (enrollment.lesson_type_id, self.env["mph.enrollment"]))
                    groups[key] = (lesson_type, existing | enrollment)
            for lesson_type, group in groups.values():
                duration = lesson_type.duration or 30
                if start * 60 + duration > 22 * 60:
                    weekday, start = (weekday + 1) % 5, 13.0
                slot_vals.append(
                    {
                        "season_id": season.id,
                        "teacher_id": teacher.id,
                        "room_id": room.id,
                        "lesson_type_id": lesson_type.id,
                        "weekday": str(weekday),
                        "start_time": start,
                        "duration": duration,
                    }
                )
                members.append(group)
                start += duration / 60
        slots = self.create(slot_vals)
        for slot, group in zip(slots, members, strict=True):
            group.with_context(mph_no_sync=True).write({"slot_id": slot.id})
        slots._generate_lessons()
        self.env.flush_all()
        # Realistic attendance up to today: mostly present, some excused, a few absent.
        self.env.cr.execute(
            """
            UPDATE mph_lesson_attendance
               SET state = CASE WHEN id %% 17 = 0 THEN 'excused' WHEN id %% 41 = 0 THEN 'absent' ELSE 'present' END
             WHERE date < %s AND state IS NULL
            """,
            [today],
        )
        self.env["mph.lesson.attendance"].invalidate_model()
        monday = today + timedelta(days=7 - today.weekday())
        absence = self.env["mph.teacher.absence"].create(
            {"teacher_id": teachers[0].id, "date_from": monday, "date_to": monday + timedelta(days=4)}
        )
        absence.action_confirm()
