from . import mailchimp_webhook
from . import newsletter
