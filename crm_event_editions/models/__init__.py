from . import crm_event_series
from . import event_event
from . import crm_lead
from . import crm_edition_rollover_job
from . import crm_export_profile
