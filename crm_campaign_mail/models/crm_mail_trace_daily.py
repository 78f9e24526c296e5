import logging

from odoo import api, models
from odoo.tools import SQL

from odoo.addons.crm_event_products.lib.rollup_sql import statement_triggers_sql

_logger = logging.getLogger(__name__)

# key of a roll-up row; NULL event / user are stored as 0 (part of the primary key)
KEY = ("campaign_id", "event_id", "user_id", "day")
# key of a trace ``t`` (same expressions in the triggers and the fill)
TRACE_KEY = {
    "campaign_id": "t.campaign_id",
    "event_id": "COALESCE(t.event_id, 0)",
    "user_id": "COALESCE(t.user_id, 0)",
    "day": "(COALESCE(t.sent_datetime, t.create_date))::date",
}
# what one trace ``t`` adds to each counter of its key
TRACE_COUNTERS = {
    "sent_count": "CASE WHEN t.state NOT IN ('outgoing', 'error') THEN 1 ELSE 0 END",
    "delivered_count": "CASE WHEN t.state NOT IN ('outgoing', 'error', 'bounced') THEN 1 ELSE 0 END",
    "opened_count": "CASE WHEN t.open_datetime IS NOT NULL THEN 1 ELSE 0 END",
    "clicked_count": "CASE WHEN t.click_datetime IS NOT NULL THEN 1 ELSE 0 END",
    "bounced_count": "CASE WHEN t.state = 'bounced' THEN 1 ELSE 0 END",
}
# summed columns of the roll-up and of its delta log (trace_count: the key has traces)
SUMS = ("trace_count", *TRACE_COUNTERS)
# columns of a trace that change its key or its counters
TRACE_COLUMNS = ("campaign_id", "event_id", "user_id", "state", "sent_datetime", "create_date",
                 "open_datetime", "click_datetime")
# advisory lock of the refresh (one refresh at a time; readers never wait for it)
REFRESH_LOCK = 0x63726D74  # "crmt"


def _changed_sql(old, new):
    """SQL: trace ``old`` and ``new`` differ in a column of the roll-up."""
    return " OR ".join(f"{old}.{column} IS DISTINCT FROM {new}.{column}" for column in TRACE_COLUMNS)


def _delta_select(sign):
    """SELECT list of the delta of one trace ``t`` (its key, +/-1 per counter)."""
    key = ", ".join(f"{sql} AS {name}" for name, sql in TRACE_KEY.items())
    sums = ", ".join([f"{sign}1 AS trace_count"] + [
        f"{sign}({sql}) AS {name}" for name, sql in TRACE_COUNTERS.items()])
    return f"{key}, {sums}"


def _sums_select(prefix=""):
    """``SUM(<prefix>x) AS x`` for every summed column."""
    return ", ".join(f"SUM({prefix}{name})::bigint AS {name}" for name in SUMS)


class CrmMailTraceDaily(models.AbstractModel):
    """Daily roll-up of the CRM mail traces, read by ``crm.campaign.metric``.

    Two tables kept by PostgreSQL itself, whoever writes the traces (ORM, SQL,
    cascades of deleted campaigns or users):

    * ``crm_mail_trace_daily``: one row per (campaign, conference, user, day)
      with the counters of its traces (tens of thousands of rows for ten
      million traces);
    * ``crm_mail_trace_daily_delta``: what changed since the last refresh,
      appended by statement-level triggers on ``crm_mail_trace`` (one
      ``INSERT ... SELECT ... GROUP BY key`` per statement: +1 per counter for
      new or updated traces, -1 for their old values and deleted traces). Only
      appends: no shared row is locked by mail senders or tracking hits.

    Readers are always exact, in any transaction: :meth:`_rows_query` adds the
    deltas to the roll-up rows (a few thousand rows, never the traces).
    :meth:`_refresh` (cron, every few minutes) folds the deltas into the
    roll-up. Row ids come from one sequence for both tables (the id of a key is
    the smallest of its rows: stable across refreshes, unique across keys).
    """

    _name = "crm.mail.trace.daily"
    _description = "CRM Mail Trace Daily Roll-up"
    _table = "crm_mail_trace_daily"
    _delta_table = "crm_mail_trace_daily_delta"

    # ------------------------------------------------------------------
    # schema
    # ------------------------------------------------------------------

    @api.model
    def _setup_tables(self):
        """Create the roll-up, its delta log and the triggers (idempotent); a new
        roll-up is filled from every trace in one statement."""
        cr = self.env.cr
        cr.execute("SELECT to_regclass(%s)", [self._table])
        exists = cr.fetchone()[0]
        sums = ", ".join(f"{name} bigint NOT NULL DEFAULT 0" for name in SUMS)
        cr.execute(SQL(f"""
            CREATE SEQUENCE IF NOT EXISTS {self._table}_id_seq;
            CREATE TABLE IF NOT EXISTS {self._table} (
                id bigint NOT NULL DEFAULT nextval('{self._table}_id_seq'),
                campaign_id integer NOT NULL,
                event_id integer NOT NULL,
                user_id integer NOT NULL,
                day date NOT NULL,
                {sums},
                PRIMARY KEY (campaign_id, event_id, user_id, day)
            );
            CREATE INDEX IF NOT EXISTS {self._table}_user_id_index ON {self._table} (user_id);
            CREATE TABLE IF NOT EXISTS {self._delta_table} (
                id bigint NOT NULL DEFAULT nextval('{self._table}_id_seq'),
                campaign_id integer NOT NULL,
                event_id integer NOT NULL,
                user_id integer NOT NULL,
                day date NOT NULL,
                {sums}
            );
        """))
        self._create_triggers()
        if not exists:
            self._fill()

    @api.model
    def _create_triggers(self):
        columns = ", ".join((*KEY, *SUMS))
        keys = ", ".join(KEY)
        delta = self._delta_table
        insert = f"""
                INSERT INTO {delta} ({columns})
                SELECT {keys}, {_sums_select()}
                  FROM (SELECT {_delta_select("+")} FROM crm_mail_trace_new t
                         WHERE t.campaign_id IS NOT NULL) d
              GROUP BY {keys}"""
        delete = f"""
                INSERT INTO {delta} ({columns})
                SELECT {keys}, {_sums_select()}
                  FROM (SELECT {_delta_select("-")} FROM crm_mail_trace_old t
                         WHERE t.campaign_id IS NOT NULL) d
              GROUP BY {keys}"""
        update = f"""
                INSERT INTO {delta} ({columns})
                SELECT {keys}, {_sums_select()}
                  FROM (SELECT {_delta_select("+")} FROM crm_mail_trace_new t
                          JOIN crm_mail_trace_old o ON o.id = t.id
                         WHERE t.campaign_id IS NOT NULL AND ({_changed_sql("o", "t")})
                        UNION ALL
                        SELECT {_delta_select("-")} FROM crm_mail_trace_old t
                          JOIN crm_mail_trace_new n ON n.id = t.id
                         WHERE t.campaign_id IS NOT NULL AND ({_changed_sql("t", "n")})) d
              GROUP BY {keys}
                HAVING {" OR ".join(f"SUM({name}) <> 0" for name in SUMS)}"""
        self.env.cr.execute(SQL(statement_triggers_sql(
            "crm_mail_trace_daily", "crm_mail_trace", insert_body=insert, delete_body=delete, update_body=update,
            new_alias="crm_mail_trace_new", old_alias="crm_mail_trace_old",
        )))

    @api.model
    def _fill(self):
        """Rebuild the whole roll-up from the traces (install, or after a bulk SQL load
        with the triggers disabled)."""
        cr = self.env.cr
        keys = ", ".join(KEY)
        cr.execute(SQL(f"DELETE FROM {self._delta_table}"))
        cr.execute(SQL(f"TRUNCATE {self._table}"))
        cr.execute(SQL(f"""
            INSERT INTO {self._table} ({keys}, {", ".join(SUMS)})
            SELECT {keys}, {_sums_select()}
              FROM (SELECT {_delta_select("+")} FROM crm_mail_trace t
                     WHERE t.campaign_id IS NOT NULL) d
          GROUP BY {keys}
        """))
        _logger.info("crm.mail.trace.daily: %s roll-up rows built", cr.rowcount)

    # ------------------------------------------------------------------
    # reading
    # ------------------------------------------------------------------

    @api.model
    def _rows_query(self):
        """SQL of every (campaign, conference, user, day) that has traces, with its
        ``id`` and counters: the roll-up rows of the keys without delta as they are
        (no aggregation: the rules' and the pivot's filters reach the table), plus the
        keys with deltas not folded yet (their roll-up row + their deltas)."""
        keys = ", ".join(KEY)
        columns = ", ".join(("id", *KEY, *SUMS))
        key_match = " AND ".join(f"k.{name} = d.{name}" for name in KEY)
        return f"""
            SELECT {columns}
              FROM {self._table} d
             WHERE NOT EXISTS (SELECT 1 FROM {self._delta_table} k WHERE {key_match})
            UNION ALL
            SELECT MIN(r.id) AS id, {", ".join(f"r.{name}" for name in KEY)}, {_sums_select("r.")}
              FROM (SELECT {columns} FROM {self._table} d
                     WHERE EXISTS (SELECT 1 FROM {self._delta_table} k WHERE {key_match})
                    UNION ALL
                    SELECT {columns} FROM {self._delta_table}) r
          GROUP BY {keys}
            HAVING SUM(r.trace_count) > 0"""

    # ------------------------------------------------------------------
    # refresh
    # ------------------------------------------------------------------

    @api.model
    def _refresh(self):
        """Fold the deltas into the roll-up (one upsert) and drop the keys left
        without traces. Returns the number of keys folded, or ``None`` when
        another transaction is refreshing (readers stay exact meanwhile)."""
        cr = self.env.cr
        cr.execute("SELECT pg_try_advisory_xact_lock(%s)", [REFRESH_LOCK])
        if not cr.fetchone()[0]:
            return None
        keys = ", ".join(KEY)
        sums = ", ".join(SUMS)
        updates = ", ".join(f"{name} = {self._table}.{name} + EXCLUDED.{name}" for name in SUMS)
        cr.execute(SQL(f"""
            WITH taken AS (
                DELETE FROM {self._delta_table} RETURNING id, {keys}, {sums}
            ), folded AS (
                INSERT INTO {self._table} (id, {keys}, {sums})
                SELECT MIN(id), {keys}, {_sums_select()} FROM taken GROUP BY {keys}
                ON CONFLICT ({keys}) DO UPDATE SET {updates}
                RETURNING trace_count
            )
            SELECT COUNT(*), COUNT(*) FILTER (WHERE trace_count <= 0) FROM folded
        """))
        folded, emptied = cr.fetchone()
        if emptied:
            cr.execute(SQL(f"DELETE FROM {self._table} WHERE trace_count <= 0"))
        return folded

    @api.model
    def _cron_refresh(self):
        folded = self._refresh()
        _logger.info("crm.mail.trace.daily: %s keys folded into the roll-up", folded)
