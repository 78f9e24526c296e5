from . import controllers
from . import models
from . import wizard

ODOO_PERSONAL_LEAD_DOMAIN = "['|',('user_id','=',user.id),('user_id','=',False)]"


def uninstall_hook(env):
    """Give Odoo's "own documents" lead rule back its original domain."""
    rule = env.ref("crm.crm_rule_personal_lead", raise_if_not_found=False)
    if rule:
        rule.domain_force = ODOO_PERSONAL_LEAD_DOMAIN
    # the lead count roll-up (models/crm_lead.py): its triggers read columns about to go
    env.cr.execute(
        "DROP TRIGGER IF EXISTS crm_lead_rollup_insert ON crm_lead;"
        " DROP TRIGGER IF EXISTS crm_lead_rollup_delete ON crm_lead;"
        " DROP TRIGGER IF EXISTS crm_lead_rollup_update ON crm_lead;"
        " DROP FUNCTION IF EXISTS crm_lead_rollup_insert, crm_lead_rollup_delete, crm_lead_rollup_update;"
        " DROP TABLE IF EXISTS crm_lead_rollup"
    )
