from odoo.tools import SQL


def post_init_hook(env):
    """Fill the KPI roll-up from the data already there (demo included), compute the
    running goals on it and give every role user his home dashboard."""
    env["crm.kpi.daily"]._refresh(full=True)
    env["gamification.goal"].search([("crm_kpi", "!=", False), ("state", "=", "inprogress")]).update_goal()
    env["res.users"].with_context(active_test=False).search([])._crm_set_home_action()


def uninstall_hook(env):
    """Drop what the ORM does not know: the watermark table and the write_date indexes."""
    cr = env.cr
    cr.execute("DROP TABLE IF EXISTS crm_kpi_daily_watermark")
    for table in ("crm_lead", "crm_mail_trace", "crm_campaign_response", "crm_call", "utm_campaign"):
        cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(f"{table}_crm_kpi_write_date_index")))
