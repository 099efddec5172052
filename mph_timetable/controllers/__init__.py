from . import timetable_portal
