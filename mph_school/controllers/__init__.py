from . import teacher_portal
