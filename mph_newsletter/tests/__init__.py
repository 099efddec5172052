from . import test_mailchimp
from . import test_webhook
from . import test_double_optin
from . import test_newsletter_access
from . import test_privacy_integration
from . import test_access_models
from . import test_consent_handover
