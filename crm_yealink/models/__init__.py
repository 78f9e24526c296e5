from . import yealink_phone
from . import crm_call
from . import crm_call_event
from . import crm_pbx_backend
from . import crm_lead
from . import res_partner
from . import res_users
from . import yealink_action_event
