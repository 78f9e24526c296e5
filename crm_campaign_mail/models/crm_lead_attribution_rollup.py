from odoo import api, models
from odoo.tools import SQL, sql

from odoo.addons.crm_event_products.lib.rollup_sql import compact_sql, delta_insert_sql, delta_triggers_sql
from odoo.addons.crm_event_products.models.crm_lead import COLUMN_REF, ROLLUP_DIMENSIONS

# Lead counts and expected revenue per combination of the columns the lead record rules read
# (those of crm_lead_rollup) and the attribution report's lead dimensions: the report's lead
# figures add up roll-up rows (about a thousand at 1M leads) instead of scanning the reader's
# share of the leads. Kept by PostgreSQL triggers (insert-only deltas, compacted with
# crm_lead_rollup by its cron).
ATTRIBUTION_ROLLUP_TABLE = "crm_lead_attribution_rollup"
# (roll-up column, SQL type, expression on a crm_lead row)
ATTRIBUTION_ROLLUP_DIMENSIONS = (
    *((name, sqltype, name) for name, sqltype in ROLLUP_DIMENSIONS),
    ("region_cluster", "varchar", "region_cluster"),
    ("source_id", "integer", "source_id"),
    ("campaign_id", "integer", "campaign_id"),
    # the creation month (UTC, as create_date is stored)
    ("create_month", "date", "date_trunc('month', create_date)::date"),
)
ATTRIBUTION_ROLLUP_COLUMNS = frozenset(
    name for name, _type, _expr in ATTRIBUTION_ROLLUP_DIMENSIONS if name != "create_month"
)
# (roll-up column, what one lead adds to it; ``{sign}``: +1 or -1, see delta_insert_sql)
ATTRIBUTION_ROLLUP_SUMS = (("lead_count", "{sign}"), ("expected_revenue_sum", "{sign} * expected_revenue"))
# date granularities a creation month answers
ATTRIBUTION_ROLLUP_GRANULARITIES = ("month", "quarter", "year")


class CrmLead(models.Model):
    _inherit = "crm.lead"

    def init(self):
        res = super().init()
        self._attribution_rollup_init()
        return res

    @api.model
    def _attribution_rollup_init(self):
        """Create the roll-up table (filled from the leads) and the triggers that keep it."""
        cr = self.env.cr
        if not sql.table_exists(cr, ATTRIBUTION_ROLLUP_TABLE):
            columns = [f"{name} {sqltype}" for name, sqltype, _expr in ATTRIBUTION_ROLLUP_DIMENSIONS]
            columns += ["lead_count bigint NOT NULL", "expected_revenue_sum numeric"]
            cr.execute(SQL(f"CREATE TABLE {ATTRIBUTION_ROLLUP_TABLE} ({', '.join(columns)})"))
            cr.execute(SQL(self._attribution_rollup_insert_sql(("crm_lead", 1))))
        triggers = delta_triggers_sql("crm_lead_attribution_rollup", "crm_lead", self._attribution_rollup_insert_sql)
        cr.execute(SQL(triggers))

    @api.model
    def _attribution_rollup_insert_sql(self, *sources):
        """INSERT of the roll-up deltas of ``sources`` ((table, sign), ...): one row per
        combination of dimensions whose figures change."""
        dims = [(name, expr) for name, _type, expr in ATTRIBUTION_ROLLUP_DIMENSIONS]
        return delta_insert_sql(ATTRIBUTION_ROLLUP_TABLE, dims, ATTRIBUTION_ROLLUP_SUMS, sources)

    @api.model
    def _rollup_rebuild(self):
        res = super()._rollup_rebuild()
        self.flush_model([*ATTRIBUTION_ROLLUP_COLUMNS, "create_date", "expected_revenue"])
        self.env.cr.execute(SQL(f"DELETE FROM {ATTRIBUTION_ROLLUP_TABLE}"))
        self.env.cr.execute(SQL(self._attribution_rollup_insert_sql(("crm_lead", 1))))
        return res

    @api.model
    def _rollup_compact(self):
        """Fold the triggers' deltas of both roll-ups into one row per combination (cron)."""
        res = super()._rollup_compact()
        dims = [name for name, _type, _expr in ATTRIBUTION_ROLLUP_DIMENSIONS]
        sums = [name for name, _template in ATTRIBUTION_ROLLUP_SUMS]
        self.env.cr.execute(SQL(compact_sql(ATTRIBUTION_ROLLUP_TABLE, dims, sums, "lead_count")))
        return res

    @api.model
    def _attribution_rollup_read(self, domain, groupby):
        """Lead count and expected revenue per ``groupby`` and stage of the leads the
        current user may read among ``domain`` (the same search as ``_read_group``'s, record
        rules included), summed from the roll-up: ``[(*raw group values, stage id, count,
        revenue)]``, or None when the search or the grouping needs a column the roll-up does
        not keep (then the leads themselves must be read). ``groupby``: lead fields of the
        roll-up, or ``create_date`` by month, quarter or year (UTC)."""
        keys = []
        for spec in groupby:
            name, _sep, granularity = spec.partition(":")
            if name in ATTRIBUTION_ROLLUP_COLUMNS and not granularity:
                keys.append(SQL.identifier(name))
            elif name == "create_date" and granularity in ATTRIBUTION_ROLLUP_GRANULARITIES:
                keys.append(SQL("date_trunc(%s, create_month)::date", granularity))
            else:
                return None
        if self.env.context.get("crm_lead_rollup") is False:
            return None
        query = self._search(domain)
        if query.is_empty():
            return []
        if query._joins or list(query._tables) != [self._table]:
            return None
        where = query.where_clause
        if not set(COLUMN_REF.findall(where.code)) <= ATTRIBUTION_ROLLUP_COLUMNS:
            return None
        self.flush_model([*ATTRIBUTION_ROLLUP_COLUMNS, "create_date", "expected_revenue"])
        # execute_query flushes what the rules read on other models (assignments, teams...)
        return self.env.execute_query(
            SQL(
                'SELECT %s FROM %s AS "crm_lead" WHERE %s GROUP BY %s HAVING sum(lead_count) <> 0',
                SQL(", ").join([*keys, SQL("stage_id, sum(lead_count)::bigint, sum(expected_revenue_sum)")]),
                SQL.identifier(ATTRIBUTION_ROLLUP_TABLE),
                where,
                SQL(", ").join([*(SQL(str(position)) for position in range(1, len(keys) + 2))]),
            )
        )
