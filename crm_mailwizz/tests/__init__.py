from . import test_mailwizz_backend
from . import test_mailwizz_push
from . import test_mailwizz_campaign
from . import test_mailwizz_outage
from . import test_mailwizz_metric
from . import test_mailwizz_campaign_events
from . import test_mailwizz_list_import
