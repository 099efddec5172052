from . import mailing_list
from . import mailing_contact
from . import mailing_subscription
from . import mph_newsletter_suppression
from . import mph_mailchimp_log
from . import mph_mailchimp_sync
from . import mph_student
from . import res_config_settings
