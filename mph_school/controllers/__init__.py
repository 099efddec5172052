from . import teacher_portal
from . import signup
from . import own_consent
from . import privacy_export
