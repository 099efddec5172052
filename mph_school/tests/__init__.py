from . import test_access
from . import test_student
from . import test_enrollment
from . import test_translation
from . import test_signup
