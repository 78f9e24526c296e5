from . import crm_campaign_channel
from . import crm_lead
from . import crm_lead_assignment
from . import crm_message_template
from . import res_users
from . import utm_campaign
from . import crm_campaign_import_job
from . import crm_campaign_target
