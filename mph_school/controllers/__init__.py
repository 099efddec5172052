from . import teacher_portal
from . import signup
