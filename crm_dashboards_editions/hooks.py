from odoo.tools import SQL

LOOKUP_INDEX = "crm_lead_crm_kpi_contact_kind_index"


def post_init_hook(env):
    """The leads already of a kind enter the roll-up, and the running goals count them."""
    env["crm.kpi.daily"]._refresh(full=True)
    env["gamification.goal"].search([("crm_kpi", "!=", False), ("state", "=", "inprogress")]).update_goal()


def uninstall_hook(env):
    """Rebuild the lead triggers of the roll-up without the contact-kind source (they would
    read ``crm_contact_kind`` on every lead write, a column that goes away with
    crm_event_editions) and drop its lookup index."""
    env["crm.kpi.daily"].with_context(crm_kpi_without_kinds=True)._create_triggers()
    env.cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(LOOKUP_INDEX)))
