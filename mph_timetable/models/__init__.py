from . import (
    mph_room,
    mph_school_holiday,
    mph_teacher_availability,
    mph_lesson_type,
    mph_lesson_slot,
    mph_lesson,
    mph_lesson_attendance,
    mph_makeup_credit,
    mph_teacher_absence,
    mph_teacher,
    mph_enrollment,
    mph_timetable_demo,
)
