from . import crm_edition_rollover_wizard
from . import crm_team_export_wizard
