"""Demo timetable: Dutch school holidays (region Midden), a full timetable
for the demo teachers, a school year of lessons with attendance and one
teacher absence. Set-based like the real generation. Only called from demo
data."""

from datetime import date, timedelta

from odoo import api, fields, models

from odoo.addons.mph_school.models.mph_enrollment import RUNNING_STATES


def holidays(table):
    """[(name, first day, last day)] from a table of lines 'first-day last-day name'."""
    rows = (line.split(maxsplit=2) for line in table.strip().splitlines())
    return [(name, date.fromisoformat(first), date.fromisoformat(last)) for first, last, name in rows]


def holiday_vals(season, rows):
    """Values of ``mph.school.holiday`` records of a school year from (name, first day, last day)."""
    return [{"season_id": season.id, "name": name, "date_start": start, "date_end": end} for name, start, end in rows]


# School holidays of region Midden (rijksoverheid.nl), and the public
# holidays without lessons. Editable afterwards, like any holiday.
HOLIDAYS_MIDDEN = {
    "2025-2026": holidays(
        """
        2025-10-18 2025-10-26 Herfstvakantie
        2025-12-20 2026-01-04 Kerstvakantie
        2026-02-14 2026-02-22 Voorjaarsvakantie
        2026-04-06 2026-04-06 Tweede Paasdag
        2026-04-25 2026-05-03 Meivakantie
        2026-05-14 2026-05-15 Hemelvaart
        2026-05-25 2026-05-25 Tweede Pinksterdag
        2026-07-18 2026-07-31 Zomervakantie
        """
    ),
    "2026-2027": holidays(
        """
        2026-08-01 2026-08-30 Zomervakantie
        2026-10-17 2026-10-25 Herfstvakantie
        2026-12-19 2027-01-03 Kerstvakantie
        2027-02-20 2027-02-28 Voorjaarsvakantie
        2027-03-29 2027-03-29 Tweede Paasdag
        2027-04-24 2027-05-02 Meivakantie
        2027-05-06 2027-05-07 Hemelvaart
        2027-05-17 2027-05-17 Tweede Pinksterdag
        2027-07-17 2027-07-31 Zomervakantie
        """
    ),
}


class MphLessonSlot(models.Model):
    _inherit = "mph.lesson.slot"

    @api.model
    def _demo_holidays(self):
        Season = self.env["mph.season"].with_context(active_test=False)
        vals_list = []
        for season_name, rows in HOLIDAYS_MIDDEN.items():
            season = Season.search([("name", "=", season_name)], limit=1)
            if season:
                vals_list += holiday_vals(season, rows)
        self.env["mph.school.holiday"].create(vals_list)

    @api.model
    def _demo_create_slots(self, vals_list, members):
        """Slots from ``vals_list``, each with the enrolments of the same
        index in ``members`` placed in it (as demo data, and the timetable
        benchmark, make them)."""
        slots = self.create(vals_list)
        for slot, group in zip(slots, members, strict=True):
            group.with_context(mph_no_sync=True).write({"slot_id": slot.id})
        return slots

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
        slots = self._demo_create_slots(slot_vals, members)
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
