from . import teacher_portal
from . import signup
from . import consent_links
from . import privacy_export
