from . import mailchimp_webhook
from . import newsletter
from . import mass_mailing
