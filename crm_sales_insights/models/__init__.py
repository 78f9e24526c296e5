from . import crm_insights_report_mixin
from . import crm_forecast
from . import crm_forecast_report
from . import crm_customer_pattern
from . import crm_rep_performance_report
