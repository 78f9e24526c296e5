from . import test_smtp_user_mailbox
from . import test_mailbox_security
from . import test_mail_tracking
from . import test_mail_response
from . import test_crm_campaign_metric
