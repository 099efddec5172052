from . import test_timetable
from . import test_timetable_access
from . import test_timetable_concurrency
from . import test_timetable_portal
