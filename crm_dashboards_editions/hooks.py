def post_init_hook(env):
    """The leads already of a kind enter the roll-up, and the running goals count them."""
    env["crm.kpi.daily"]._refresh(full=True)
    env["gamification.goal"].search([("crm_kpi", "!=", False), ("state", "=", "inprogress")]).update_goal()
