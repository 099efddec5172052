from . import report_privacy_export
from . import report_school_lists
