from . import controllers
from . import models
from . import wizard

ODOO_PERSONAL_LEAD_DOMAIN = "['|',('user_id','=',user.id),('user_id','=',False)]"


def uninstall_hook(env):
    """Give Odoo's "own documents" lead rule back its original domain."""
    rule = env.ref("crm.crm_rule_personal_lead", raise_if_not_found=False)
    if rule:
        rule.domain_force = ODOO_PERSONAL_LEAD_DOMAIN
