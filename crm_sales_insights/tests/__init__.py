from . import test_lead_leak_factory
from . import test_forecast
from . import test_forecast_report
from . import test_customer_pattern
from . import test_rep_performance
from . import test_demo
