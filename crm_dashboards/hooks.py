from odoo.tools import SQL


def post_init_hook(env):
    """Fill the KPI roll-up from the data already there (demo included), compute the
    running goals on it and give every role user his home dashboard."""
    env["crm.kpi.daily"]._refresh(full=True)
    env["gamification.goal"].search([("crm_kpi", "!=", False), ("state", "=", "inprogress")]).update_goal()
    env["res.users"].with_context(active_test=False).search([])._crm_set_home_action()


def uninstall_hook(env):
    """Drop what the ORM does not know: the change log, its triggers and functions, the
    sources' lookup indexes (and the previous design's watermark and write_date indexes)."""
    cr = env.cr
    cr.execute("DROP TABLE IF EXISTS crm_kpi_daily_dirty")
    cr.execute("DROP TABLE IF EXISTS crm_kpi_daily_watermark")
    cr.execute("""SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                   WHERE t.tgname LIKE 'crm\\_kpi\\_daily\\_%'""")
    for trigger, table in cr.fetchall():
        cr.execute(SQL("DROP TRIGGER IF EXISTS %s ON %s", SQL.identifier(trigger), SQL.identifier(table)))
        cr.execute(SQL("DROP FUNCTION IF EXISTS %s()", SQL.identifier(trigger)))
    cr.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%\\_crm\\_kpi\\_%\\_index'")
    for (index,) in cr.fetchall():
        cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(index)))
