from . import crm_edition_rollover_wizard
