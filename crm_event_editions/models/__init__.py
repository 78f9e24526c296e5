from . import crm_event_series
from . import event_event
from . import crm_lead
