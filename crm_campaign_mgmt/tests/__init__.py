from . import test_campaign_lifecycle
from . import test_assignment
from . import test_lead_queue
from . import test_overview
from . import test_campaign_tour
from . import test_target_import
from . import test_import_tour
