import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import create_index

_logger = logging.getLogger(__name__)

# KPIs of this addon; a connector adds its own (selection_add on ``kpi`` and an
# override of ``_kpi_sources``, see crm_dashboards_yealink)
KPIS = [
    ("leads_imported", "Leads Imported"),
    ("emails_sent", "Emails Sent"),
    ("leads_contacted_email", "Leads Contacted by Email"),
    ("leads_contacted_other", "Leads from Other Sources"),
    ("responses", "Responses"),
    ("leads_generated", "Leads Generated"),
    ("conversions", "Conversions (Won)"),
]
# a record written by a transaction that started before the last refresh but committed
# after it carries a write_date older than the watermark: every refresh looks that far back
WATERMARK_OVERLAP_MINUTES = 60
WATERMARK_OVERLAP_PARAM = "crm_dashboards.kpi_watermark_overlap_minutes"
# the watermark lives in a one-row table of its own (crm_kpi_daily_watermark, created in
# init): an ir.config_parameter write would clear the ORM caches of every worker at each refresh
# advisory lock of the refresh (any constant of the suite's own)
KPI_LOCK_KEY = 742_011


class CrmKpiDaily(models.Model):
    """Daily KPI roll-up: one row per day, user, conference (product), team and KPI.

    Dashboards, pivots and goals read these rows only, never the source tables
    (leads, mail traces, responses, calls): a few rows per user and day whatever
    the volume of the sources.

    **Sources** (:meth:`_kpi_sources`, the extension point): each source is a dict
    describing one aggregate over one table: ``from`` (table and LEFT JOINs),
    ``where`` (filter), the SQL expressions of the row keys (``date``, ``user``,
    ``event``, ``team``), ``values`` (``{kpi: aggregate SQL}``) and ``touched``
    (the SQL of the source table's ``write_date``). A connector adds its KPI to
    ``kpi`` (``selection_add``) and its source in an override.

    **Refresh** (:meth:`_refresh`): incremental by (date, user) group. The groups
    touched since the last refresh (``touched`` >= watermark - overlap) are
    deleted and recomputed from every source; ``full=True`` rebuilds everything.
    A record moved to another user or deleted leaves its old group stale until the
    nightly full rebuild (the cron *KPI roll-up: full rebuild*).
    """

    _name = "crm.kpi.daily"
    _description = "Daily KPI Roll-up"
    _order = "date desc, id desc"
    _rec_name = "kpi"

    date = fields.Date(required=True, readonly=True, index=True)
    user_id = fields.Many2one("res.users", "User", readonly=True, index=True, ondelete="cascade")
    department_id = fields.Many2one("crm.department", "Department", readonly=True, index="btree_not_null",
                                    ondelete="set null")
    event_id = fields.Many2one("event.event", "Conference", readonly=True, index="btree_not_null",
                               ondelete="cascade")
    team_id = fields.Many2one("crm.team", "Team", readonly=True, index="btree_not_null", ondelete="set null")
    kpi = fields.Selection(KPIS, "KPI", required=True, readonly=True, index=True)
    value = fields.Float(readonly=True, digits=(16, 2), aggregator="sum")

    def init(self):
        res = super().init()
        self.env.cr.execute(
            "CREATE TABLE IF NOT EXISTS crm_kpi_daily_watermark (id integer PRIMARY KEY, value timestamp NOT NULL)"
        )
        create_index(self.env.cr, "crm_kpi_daily_user_date_kpi_index", self._table, ["user_id", "date", "kpi"])
        create_index(self.env.cr, "crm_kpi_daily_date_kpi_index", self._table, ["date", "kpi"])
        # the watermark scans of the sources (refresh every few minutes at 10M traces)
        for table in self._kpi_touched_tables():
            create_index(self.env.cr, f"{table}_crm_kpi_write_date_index", table, ["write_date"])
        return res

    # ------------------------------------------------------------------
    # sources (extension point)
    # ------------------------------------------------------------------

    @api.model
    def _kpi_sources(self):
        """``{source key: spec}``; override, call ``super()`` and add your sources."""
        sent = "t.state NOT IN ('outgoing', 'error')"
        return {
            "import": {
                "table": "crm_lead",
                "from": "crm_lead l",
                "touched": "l.write_date",
                "where": "l.crm_import_job_id IS NOT NULL",
                "date": "l.create_date::date",
                "user": "l.create_uid",
                "event": "l.event_id",
                "team": "l.team_id",
                "values": {"leads_imported": "COUNT(*)"},
            },
            "smtp": {
                "table": "crm_mail_trace",
                "from": "crm_mail_trace t LEFT JOIN crm_lead l ON l.id = t.lead_id",
                "touched": "t.write_date",
                "where": sent,
                "date": "COALESCE(t.sent_datetime, t.create_date)::date",
                "user": "t.user_id",
                "event": "t.event_id",
                "team": "l.team_id",
                "values": {
                    "emails_sent": "COUNT(*)",
                    "leads_contacted_email": "COUNT(DISTINCT t.lead_id)",
                },
            },
            "platform": {
                # leads brought by another platform (LinkedIn, IndiaMart, SCM...: the
                # lead's utm source), counted for their salesperson on their creation day
                "table": "crm_lead",
                "from": "crm_lead l",
                "touched": "l.write_date",
                "where": "l.source_id IS NOT NULL",
                "date": "l.create_date::date",
                "user": "l.user_id",
                "event": "l.event_id",
                "team": "l.team_id",
                "values": {"leads_contacted_other": "COUNT(*)"},
            },
            "response": {
                "table": "crm_campaign_response",
                "from": "crm_campaign_response r LEFT JOIN crm_lead l ON l.id = r.lead_id",
                "touched": "r.write_date",
                "where": "TRUE",
                "date": "r.date::date",
                "user": "r.user_id",
                "event": "r.event_id",
                "team": "l.team_id",
                "values": {"responses": "COUNT(*)"},
            },
            "generated": {
                "table": "crm_campaign_response",
                "from": "crm_campaign_response r LEFT JOIN crm_lead l ON l.id = r.lead_id",
                "touched": "r.write_date",
                "where": "r.state = 'converted'",
                "date": "COALESCE(r.date_converted, r.date)::date",
                "user": "COALESCE(r.converted_user_id, r.user_id)",
                "event": "r.event_id",
                "team": "l.team_id",
                "values": {"leads_generated": "COUNT(*)"},
            },
            "won": {
                "table": "crm_lead",
                "from": "crm_lead l LEFT JOIN crm_stage s ON s.id = l.stage_id",
                "touched": "l.write_date",
                "where": "s.is_won AND l.active",
                "date": "COALESCE(l.date_closed, l.write_date)::date",
                "user": "l.user_id",
                "event": "l.event_id",
                "team": "l.team_id",
                "values": {"conversions": "COUNT(*)"},
            },
        }

    @api.model
    def _kpi_touched_tables(self):
        return sorted({spec["table"] for spec in self._kpi_sources().values()})

    # ------------------------------------------------------------------
    # refresh
    # ------------------------------------------------------------------

    @api.model
    def _source_rows_sql(self, spec, scoped):
        """One SELECT (date, user_id, event_id, team_id, kpi, value) per KPI of ``spec``;
        ``scoped``: only the (date, user) groups of the temporary table ``crm_kpi_dirty``."""
        scope = (
            f"AND ({spec['date']}, {spec['user']}) IN (SELECT d.date, d.user_id FROM crm_kpi_dirty d)"
            if scoped else ""
        )
        return [
            f"""SELECT {spec['date']} AS date, {spec['user']} AS user_id, {spec['event']} AS event_id,
                       {spec['team']} AS team_id, '{kpi}' AS kpi, ({value})::double precision AS value
                  FROM {spec['from']}
                 WHERE ({spec['where']}) AND {spec['user']} IS NOT NULL {scope}
              GROUP BY 1, 2, 3, 4"""
            for kpi, value in spec["values"].items()
        ]

    @api.model
    def _refresh(self, full=False):
        """Bring the roll-up up to date: the (date, user) groups touched since the last
        refresh (``full``: every group). Returns the number of groups recomputed
        (``-1`` for a full rebuild). Runs as superuser: the rows are aggregates, read
        back through the access rules of ``crm.kpi.daily``."""
        self = self.sudo()  # noqa: PLW0642 -- aggregates of every user; no user input reaches the SQL
        cr = self.env.cr
        self.env.flush_all()
        # one refresh at a time (cron and on-demand): the second one waits for the first
        cr.execute("SELECT pg_advisory_xact_lock(%s)", [KPI_LOCK_KEY])
        cr.execute("SELECT now() AT TIME ZONE 'UTC'")
        started = cr.fetchone()[0]
        params = self.env["ir.config_parameter"]
        cr.execute("SELECT value FROM crm_kpi_daily_watermark WHERE id = 1")
        watermark = (cr.fetchone() or [None])[0]
        sources = self._kpi_sources()
        full = full or not watermark
        if not full:
            overlap = int(params.get_param(WATERMARK_OVERLAP_PARAM, WATERMARK_OVERLAP_MINUTES))
            since = watermark - timedelta(minutes=overlap)
            cr.execute("DROP TABLE IF EXISTS crm_kpi_dirty")
            cr.execute("CREATE TEMPORARY TABLE crm_kpi_dirty (date date, user_id integer) ON COMMIT DROP")
            touched = " UNION ".join(
                f"SELECT {spec['date']}, {spec['user']} FROM {spec['from']}"
                f" WHERE {spec['touched']} >= %(since)s AND {spec['user']} IS NOT NULL"
                for spec in sources.values()
            )
            cr.execute(f"INSERT INTO crm_kpi_dirty {touched}", {"since": since})
            cr.execute("SELECT COUNT(*) FROM crm_kpi_dirty")
            groups = cr.fetchone()[0]
            cr.execute("CREATE INDEX ON crm_kpi_dirty (user_id, date)")
            cr.execute("ANALYZE crm_kpi_dirty")
            cr.execute(
                "DELETE FROM crm_kpi_daily k USING crm_kpi_dirty d WHERE k.user_id = d.user_id AND k.date = d.date"
            )
        else:
            groups = -1
            cr.execute("DELETE FROM crm_kpi_daily")
        if full or groups:
            rows = " UNION ALL ".join(
                query for spec in sources.values() for query in self._source_rows_sql(spec, not full)
            )
            cr.execute(f"""
                INSERT INTO crm_kpi_daily (date, user_id, department_id, event_id, team_id, kpi, value,
                                           create_uid, create_date, write_uid, write_date)
                SELECT q.date, q.user_id, u.crm_department_id, q.event_id, q.team_id, q.kpi, SUM(q.value),
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM ({rows}) q
                  JOIN res_users u ON u.id = q.user_id
                 WHERE q.date IS NOT NULL
              GROUP BY q.date, q.user_id, u.crm_department_id, q.event_id, q.team_id, q.kpi
            """, {"uid": self.env.uid, "now": started})  # noqa: S608
        cr.execute(
            "INSERT INTO crm_kpi_daily_watermark (id, value) VALUES (1, %s)"
            " ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value",
            [started],
        )
        self.invalidate_model()
        _logger.info("crm.kpi.daily refreshed (%s)", "full" if full else f"{groups} groups")
        return groups

    @api.model
    def action_refresh(self):
        """Refresh now (button of the roll-up views)."""
        self._refresh()
        return {"type": "ir.actions.client", "tag": "reload"}

    @api.model
    def _cron_refresh(self, full=False):
        self._refresh(full=full)
