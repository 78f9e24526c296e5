from . import test_mailwizz_backend
from . import test_mailwizz_push
from . import test_mailwizz_campaign
from . import test_mailwizz_outage
from . import test_smtp_user_mailbox
from . import test_mail_tracking
from . import test_mail_response
from . import test_crm_campaign_metric
