from . import crm_lead_assignment_decline
from . import crm_lead_template_wizard
from . import crm_import_wizard_mixin
from . import crm_campaign_import_wizard
from . import crm_campaign_import_wizard_line
