from . import crm_team_export_wizard
