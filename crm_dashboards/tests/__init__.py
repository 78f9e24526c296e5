from . import test_demo
from . import test_home
from . import test_kpi_daily
from . import test_targets
from . import test_tour
from . import test_visibility
