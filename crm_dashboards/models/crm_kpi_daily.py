import logging
import re

import psycopg2

from odoo import api, fields, models
from odoo.tools import SQL, create_index

from odoo.addons.crm_event_products.lib.rollup_sql import statement_triggers_sql

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
# (day, user) groups whose figures changed since the last refresh: appended by statement-level
# triggers on every source table (see _create_triggers), taken by the refresh
DIRTY_TABLE = "crm_kpi_daily_dirty"
# what the previous design (a write_date watermark) left in databases: dropped at init
OLD_WATERMARK_TABLE = "crm_kpi_daily_watermark"
# advisory lock of the refresh (any constant of the suite's own)
KPI_LOCK_KEY = 742_011
# the source rows of the triggers' own queries (transition tables)
NEW_ROWS, OLD_ROWS = "crm_kpi_new", "crm_kpi_old"


def _alias(spec):
    """The alias of the source table in ``spec['from']`` (``"crm_mail_trace t ..."`` -> ``t``)."""
    table, alias = spec["from"].split()[:2]
    if table != spec["table"]:
        raise ValueError(f"crm.kpi.daily source {spec['from']!r} does not start with {spec['table']}")
    return alias


def _own_sql(spec, expression):
    """``expression`` without the source table's alias, or None when it reads another table."""
    own = re.sub(rf"\b{_alias(spec)}\.", "", expression)
    return None if re.search(r"\b[a-z_]\w*\.[a-z_]", own) else own


def _from_rows(spec, rows):
    """``spec['from']`` reading the rows ``rows`` (a transition table) instead of the table."""
    return rows + spec["from"][len(spec["table"]):]


class CrmKpiDaily(models.Model):
    """Daily KPI roll-up: one row per day, user, conference (product), team and KPI.

    Dashboards, pivots and goals read these rows only, never the source tables
    (leads, mail traces, responses, calls): a few rows per user and day whatever
    the volume of the sources.

    **Sources** (:meth:`_kpi_sources`, the extension point): each source is a dict
    describing one aggregate over one table: ``table``, ``from`` (the table with its
    alias, then LEFT JOINs), ``where`` (filter), the SQL expressions of the row keys
    (``date``, ``user``, ``event``, ``team``), ``values`` (``{kpi: aggregate SQL}``)
    and, optionally, ``inputs`` (the source row's columns the values read besides
    the keys and the filter, e.g. ``["t.lead_id"]`` for a count of distinct leads,
    ``[]`` for a plain count; left out, every update of a row counts as a change)
    ``index_where`` (the predicate of the lookup index, see below; by default
    ``where`` when it reads the source table only), ``index_keys`` (more key
    columns after user and date, e.g. the stage of won leads) and ``index_include``
    (columns the lookup index carries for index-only scans). A connector
    adds its KPI to ``kpi`` (``selection_add``) and its source in an override.

    **Change log**: statement-level triggers on every source table (built from the
    specs at init) append to ``crm_kpi_daily_dirty`` the (date, user) groups whose
    figures a statement changed: the groups of inserted and deleted rows, and of
    updated rows whose filter, keys or ``inputs`` differ (old and new group: a row
    moved to another user or day, or out of the filter, leaves nothing stale). A
    mail open or click, a lead's note or any other write leaves no trace in it.

    **Refresh** (:meth:`_refresh`): takes the logged groups, deletes their rows and
    recomputes them from every source through the sources' lookup indexes
    (``(user, date)`` expression indexes, partial on the filter, created at init):
    the work is proportional to the groups changed, not to the tables.
    ``full=True`` rebuilds everything (install, nightly cron).
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
        cr = self.env.cr
        cr.execute(SQL(f"CREATE TABLE IF NOT EXISTS {DIRTY_TABLE} (date date NOT NULL, user_id integer NOT NULL)"))
        create_index(cr, "crm_kpi_daily_user_date_kpi_index", self._table, ["user_id", "date", "kpi"])
        create_index(cr, "crm_kpi_daily_date_kpi_index", self._table, ["date", "kpi"])
        # the previous design's watermark and write_date indexes (one more index updated
        # on every write of the sources, and no HOT updates of leads)
        cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(OLD_WATERMARK_TABLE)))
        for table in self._kpi_touched_tables():
            cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(f"{table}_crm_kpi_write_date_index")))
        self._create_lookup_indexes()
        self._create_triggers()
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
                "where": "l.crm_import_job_id IS NOT NULL",
                "date": "l.create_date::date",
                "user": "l.create_uid",
                "event": "l.event_id",
                "team": "l.team_id",
                "values": {"leads_imported": "COUNT(*)"},
                "inputs": [],
            },
            "smtp": {
                "table": "crm_mail_trace",
                "from": "crm_mail_trace t LEFT JOIN crm_lead l ON l.id = t.lead_id",
                "where": sent,
                "date": "COALESCE(t.sent_datetime, t.create_date)::date",
                "user": "t.user_id",
                "event": "t.event_id",
                "team": "l.team_id",
                "values": {
                    "emails_sent": "COUNT(*)",
                    "leads_contacted_email": "COUNT(DISTINCT t.lead_id)",
                },
                "inputs": ["t.lead_id"],
                # the index-only scan of a group's traces (10M rows: no heap visits)
                # (the columns of the date expression too: PostgreSQL plans an index-only
                # scan only when every column the query reads is in the index)
                "index_include": ["event_id", "lead_id", "sent_datetime", "create_date"],
            },
            "platform": {
                # leads brought by another platform (LinkedIn, IndiaMart, SCM...: the
                # lead's utm source), counted for their salesperson on their creation day
                "table": "crm_lead",
                "from": "crm_lead l",
                "where": "l.source_id IS NOT NULL",
                "date": "l.create_date::date",
                "user": "l.user_id",
                "event": "l.event_id",
                "team": "l.team_id",
                "values": {"leads_contacted_other": "COUNT(*)"},
                "inputs": [],
            },
            "response": {
                "table": "crm_campaign_response",
                "from": "crm_campaign_response r LEFT JOIN crm_lead l ON l.id = r.lead_id",
                "where": "TRUE",
                "date": "r.date::date",
                "user": "r.user_id",
                "event": "r.event_id",
                "team": "l.team_id",
                "values": {"responses": "COUNT(*)"},
                "inputs": [],
            },
            "generated": {
                "table": "crm_campaign_response",
                "from": "crm_campaign_response r LEFT JOIN crm_lead l ON l.id = r.lead_id",
                "where": "r.state = 'converted'",
                "date": "COALESCE(r.date_converted, r.date)::date",
                "user": "COALESCE(r.converted_user_id, r.user_id)",
                "event": "r.event_id",
                "team": "l.team_id",
                "values": {"leads_generated": "COUNT(*)"},
                "inputs": [],
            },
            "won": {
                # day: the closing date (set by crm when a lead is won), else the
                # creation date (as the campaign metrics: not write_date, which would
                # move the conversion to the day of any later edit)
                "table": "crm_lead",
                "from": "crm_lead l LEFT JOIN crm_stage s ON s.id = l.stage_id",
                "where": "s.is_won AND l.active",
                "index_where": "l.active",
                # the won stages' entries of a group only (a nested loop from the won stages)
                "index_keys": ["stage_id"],
                "date": "COALESCE(l.date_closed, l.create_date)::date",
                "user": "l.user_id",
                "event": "l.event_id",
                "team": "l.team_id",
                "values": {"conversions": "COUNT(*)"},
                "inputs": ["l.stage_id"],
            },
        }

    @api.model
    def _kpi_touched_tables(self):
        return sorted({spec["table"] for spec in self._kpi_sources().values()})

    # ------------------------------------------------------------------
    # schema: lookup indexes and change log triggers
    # ------------------------------------------------------------------

    @api.model
    def _create_lookup_indexes(self):
        """One ``(user, date)`` expression index per source (partial on its filter when
        the filter reads only the source table): the refresh reaches the rows of a
        group through it. Sources with the same index share it."""
        cr = self.env.cr
        done = set()
        for key, spec in sorted(self._kpi_sources().items()):
            user, date = _own_sql(spec, spec["user"]), _own_sql(spec, spec["date"])
            where = spec.get("index_where", spec["where"])
            where = _own_sql(spec, where) if where and where.strip().upper() != "TRUE" else None
            if not (user and date) or (spec["table"], user, date, where) in done:
                continue
            done.add((spec["table"], user, date, where))
            name = f"{spec['table']}_crm_kpi_{key}_index"
            predicate = f" WHERE {where}" if where else ""
            include = spec.get("index_include")
            include = f" INCLUDE ({', '.join(include)})" if include else ""
            keys = "".join(f", {column}" for column in spec.get("index_keys", ()))
            try:
                with cr.savepoint(flush=False):
                    cr.execute(SQL(f'CREATE INDEX IF NOT EXISTS "{name}" ON {spec["table"]}'
                                   f" (({user}), ({date}){keys}){include}{predicate}"))
            except psycopg2.Error as error:
                _logger.warning("crm.kpi.daily: no lookup index for source %s: %s", key, error)

    @api.model
    def _trigger_rows_sql(self, spec, rows):
        """SELECT of the (date, user) groups of the transition table ``rows`` that the
        source counts."""
        return (f"SELECT {spec['date']} AS date, {spec['user']} AS user_id"
                f" FROM {_from_rows(spec, rows)} WHERE ({spec['where']})")

    @api.model
    def _trigger_update_sql(self, spec):
        """SELECT of the old and new (date, user) groups of the updated rows whose
        filter, keys or inputs changed (all updated rows when ``inputs`` is not given)."""
        alias = _alias(spec)
        inputs = spec.get("inputs")
        columns = [f"COALESCE(({spec['where']}), FALSE)", spec["date"], spec["user"], spec["event"],
                   spec["team"], *(inputs or [])]
        names = [f"c{index}" for index in range(len(columns))]
        select = ", ".join(f"{sql} AS {name}" for sql, name in zip(columns, names, strict=True))
        changed = (f"({', '.join(f'n.{name}' for name in names)}) IS DISTINCT FROM"
                   f" ({', '.join(f'o.{name}' for name in names)})") if inputs is not None else "TRUE"
        return f"""
            SELECT k.date, k.user_id
              FROM (SELECT {alias}.id AS id, {select} FROM {_from_rows(spec, NEW_ROWS)}) n
              JOIN (SELECT {alias}.id AS id, {select} FROM {_from_rows(spec, OLD_ROWS)}) o ON o.id = n.id
             CROSS JOIN LATERAL (VALUES (n.c0, n.c1, n.c2), (o.c0, o.c1, o.c2)) k(ok, date, user_id)
             WHERE k.ok AND {changed}"""

    @api.model
    def _create_triggers(self):
        """Statement-level triggers on each source table that log the groups changed."""
        cr = self.env.cr
        by_table = {}
        for spec in self._kpi_sources().values():
            by_table.setdefault(spec["table"], []).append(spec)
        for table, specs in sorted(by_table.items()):
            queries = {
                "insert": [self._trigger_rows_sql(spec, NEW_ROWS) for spec in specs],
                "delete": [self._trigger_rows_sql(spec, OLD_ROWS) for spec in specs],
                "update": [self._trigger_update_sql(spec) for spec in specs],
            }
            bodies = {}
            for operation, selects in queries.items():
                union = "\nUNION ALL\n".join(selects)
                bodies[f"{operation}_body"] = f"""
                    INSERT INTO {DIRTY_TABLE} (date, user_id)
                    SELECT DISTINCT g.date, g.user_id FROM ({union}) g
                     WHERE g.date IS NOT NULL AND g.user_id IS NOT NULL"""
            cr.execute(SQL(statement_triggers_sql(
                f"crm_kpi_daily_{table}", table, new_alias=NEW_ROWS, old_alias=OLD_ROWS, **bodies,
            )))

    # ------------------------------------------------------------------
    # refresh
    # ------------------------------------------------------------------

    @api.model
    def _source_rows_sql(self, spec, scoped):
        """One SELECT (date, user_id, event_id, team_id, kpi, value) of every KPI of ``spec``
        (one pass over the source, unpivoted). ``scoped``: only the (date, user) groups
        of the temporary table ``crm_kpi_dirty``, reached through the source's lookup
        index (a nested loop driven by the groups); the group's date and user are
        taken from ``crm_kpi_dirty`` so that a covering index (``index_include``)
        answers with an index-only scan."""
        if scoped:
            date, user = "kpi_dirty.date", "kpi_dirty.user_id"
            source = f"crm_kpi_dirty kpi_dirty, {spec['from']}"
            scope = f"AND {spec['user']} = kpi_dirty.user_id AND {spec['date']} = kpi_dirty.date"
        else:
            date, user, source, scope = spec["date"], spec["user"], spec["from"], ""
        kpis = list(spec["values"].items())
        aggregates = ", ".join(f"({value})::double precision AS v{index}" for index, (_kpi, value) in enumerate(kpis))
        unpivot = ", ".join(f"('{kpi}', g.v{index})" for index, (kpi, _value) in enumerate(kpis))
        return f"""
            SELECT g.date, g.user_id, g.event_id, g.team_id, v.kpi, v.value
              FROM (SELECT {date} AS date, {user} AS user_id, {spec['event']} AS event_id,
                           {spec['team']} AS team_id, {aggregates}
                      FROM {source}
                     WHERE ({spec['where']}) AND {spec['user']} IS NOT NULL {scope}
                  GROUP BY 1, 2, 3, 4) g
             CROSS JOIN LATERAL (VALUES {unpivot}) v(kpi, value)"""

    @api.model
    def _take_dirty_groups(self):
        """Move the logged groups into the temporary table ``crm_kpi_dirty`` (one row per
        group); returns their number. Groups logged by transactions not committed yet
        stay in the log for the next refresh."""
        cr = self.env.cr
        cr.execute("DROP TABLE IF EXISTS crm_kpi_dirty")
        cr.execute("CREATE TEMPORARY TABLE crm_kpi_dirty (date date, user_id integer) ON COMMIT DROP")
        cr.execute(SQL(f"""
            WITH taken AS (DELETE FROM {DIRTY_TABLE} RETURNING date, user_id)
            INSERT INTO crm_kpi_dirty SELECT DISTINCT date, user_id FROM taken
        """))  # noqa: S608
        return cr.rowcount

    @api.model
    def _refresh(self, full=False):
        """Bring the roll-up up to date: the (date, user) groups changed since the last
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
        sources = self._kpi_sources()
        groups = self._take_dirty_groups()
        if full:
            groups = -1
            cr.execute("DELETE FROM crm_kpi_daily")
        elif groups:
            # a handful of index lookups: JIT compilation would cost more than the query
            cr.execute("SET LOCAL jit = off")
            # the groups' rows are sorted for their aggregates in memory, not on disk
            cr.execute("SET LOCAL work_mem = '64MB'")
            cr.execute("ANALYZE crm_kpi_dirty")
            cr.execute(
                "DELETE FROM crm_kpi_daily k USING crm_kpi_dirty d WHERE k.user_id = d.user_id AND k.date = d.date"
            )
        if full or groups:
            rows = " UNION ALL ".join(self._source_rows_sql(spec, not full) for spec in sources.values())
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
