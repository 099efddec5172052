from datetime import date

from odoo.addons.mph_school.tests.common import MphCommon


class TimetableCommon(MphCommon):
    """MphCommon's school plus a school year far ahead (2040-2041, nothing
    else in it), its autumn and Christmas holidays, three rooms and a Monday
    slot per teacher."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.season = cls.env["mph.season"].create(
            {"name": "2040-2041", "date_start": date(2040, 8, 1), "date_end": date(2041, 7, 31)}
        )
        cls.env["mph.school.holiday"].create(
            [
                {
                    "season_id": cls.season.id,
                    "name": "Herfstvakantie",
                    "date_start": "2040-10-13",
                    "date_end": "2040-10-21",
                },
                {
                    "season_id": cls.season.id,
                    "name": "Kerstvakantie",
                    "date_start": "2040-12-22",
                    "date_end": "2041-01-06",
                },
            ]
        )
        Room = cls.env["mph.room"]
        cls.room_1 = Room.create({"name": "Studio 1", "location": "Oudegracht 12", "capacity": 3})
        cls.room_2 = Room.create({"name": "Studio 2", "location": "Oudegracht 12", "capacity": 3})
        cls.room_3 = Room.create({"name": "Bandruimte", "location": "Oudegracht 12", "capacity": 10})
        cls.piano.duration = 30
        cls.koor.duration = 60
        cls.slot_piano = cls.make_slot(cls.teacher, cls.room_1, cls.piano, "0", 15.0)
        cls.slot_koor = cls.make_slot(cls.teacher, cls.room_3, cls.koor, "0", 19.0)
        cls.slot_other = cls.make_slot(cls.teacher_other, cls.room_2, cls.koor, "0", 19.0)
        cls.enrollment_adult.with_context(mph_no_sync=True).slot_id = cls.slot_piano
        cls.enrollment_minor.with_context(mph_no_sync=True).slot_id = cls.slot_koor
        cls.enrollment_other.with_context(mph_no_sync=True).slot_id = cls.slot_other

    @classmethod
    def make_slot(cls, teacher, room, lesson_type, weekday, start, season=None, **vals):
        return cls.env["mph.lesson.slot"].create(
            {
                "season_id": (season or cls.season).id,
                "teacher_id": teacher.id,
                "room_id": room.id,
                "lesson_type_id": lesson_type.id,
                "weekday": weekday,
                "start_time": start,
                **vals,
            }
        )
