from . import mail_message
from . import res_partner
from . import mph_season
from . import mph_lesson_type
from . import mph_teacher
from . import mph_enrollment
from . import mph_student
from . import mph_school_demo
