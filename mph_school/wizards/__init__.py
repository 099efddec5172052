from . import mph_contribution_invoice_wizard
from . import mph_enrollment_trial_wizard
