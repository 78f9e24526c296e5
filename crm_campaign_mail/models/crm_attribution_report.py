from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

from odoo import api, fields, models, tools
from odoo.osv import expression

# measures summed by the view; the ratios below are computed from their sums
ATTRIBUTION_SUMS = ("lead_count", "won_count", "revenue", "spend")
ATTRIBUTION_RATIOS = ("cost_per_lead", "roi")
# fields of the report that are the same fields on crm.lead (lead rows); ``lead_ref`` is
# the lead's id and ``date`` its creation day (UTC)
LEAD_FIELDS = ("region_cluster", "source_id", "campaign_id", "event_id", "user_id", "team_id")
# aggregates of _read_group answered from crm.lead's own grouped read (lead measures)
# and from the view's spend rows (spend)
FAST_AGGREGATES = ("__count", *(f"{name}:sum" for name in ATTRIBUTION_SUMS))


class _NoFastPath(Exception):
    """The domain or grouping has no crm.lead equivalent: read the view."""


def attribution_ratios(sums):
    """Cost per lead and ROI (%) of a group from the group's sums (0.0 when
    undefined: no lead, no spend)."""
    leads = sums.get("lead_count") or 0
    spend = sums.get("spend") or 0.0
    revenue = sums.get("revenue") or 0.0
    return {
        "cost_per_lead": spend / leads if leads else 0.0,
        "roi": (revenue - spend) / spend * 100.0 if spend else 0.0,
    }


class CrmAttributionReport(models.Model):
    """Leads, won revenue and spend per region cluster, platform, period and
    product (issue 11, part 3: "leads by region vs spend per platform").

    One SQL view, two kinds of rows:

    * one row per lead (``lead_ref``, the lead's id): its region cluster
      (``crm.lead.region_cluster``), platform (its utm source), product,
      campaign, salesperson and creation date; won leads bring their expected
      revenue;
    * spend rows (``lead_ref`` empty): each ``crm.campaign.cost``, whose platform
      is the utm source named like its channel (name or code, case, spaces and
      punctuation ignored: channel *IndiaMart* / source *IndiaMart*). A cost
      carries no region: it is split over the region clusters of the campaign's
      leads of that platform, in proportion to their number (all the campaign's
      leads of the platform, whoever may read them: only the proportions are
      used); a cost with no such lead stays unallocated (no region).

    Lead rows are seen with their lead (the reader's own ``crm.lead`` search,
    as ``crm.lead.scoped.mixin`` does), spend rows with their campaign. Cost per
    lead and ROI are ratios of the group's sums, computed in :meth:`read_group`.
    """

    _name = "crm.attribution.report"
    _description = "Lead Attribution by Region and Platform"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "region_cluster"
    _depends = {
        "crm.lead": [
            "campaign_id", "event_id", "source_id", "region_cluster", "user_id", "team_id",
            "stage_id", "expected_revenue", "create_date", "active",
        ],
        "crm.stage": ["is_won"],
        "crm.campaign.cost": ["campaign_id", "channel_id", "date", "amount_company"],
        "crm.campaign.channel": ["code", "name"],
        "utm.campaign": ["event_id"],
        "utm.source": ["name"],
    }

    lead_ref = fields.Integer("Lead ID", readonly=True,
                              help="The lead of a lead row; empty on spend rows.")
    region_cluster = fields.Char("Region Cluster", readonly=True)
    source_id = fields.Many2one("utm.source", "Platform", readonly=True)
    campaign_id = fields.Many2one("utm.campaign", "Campaign", readonly=True)
    event_id = fields.Many2one("event.event", "Conference", readonly=True)
    user_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", "Sales Team", readonly=True)
    date = fields.Date("Date", readonly=True,
                       help="Creation date of the lead; date of the cost.")
    row_type = fields.Selection([("lead", "Lead"), ("spend", "Spend")], "Row", readonly=True)
    lead_count = fields.Integer("Leads", readonly=True)
    won_count = fields.Integer("Won", readonly=True)
    revenue = fields.Float("Revenue", readonly=True, digits=(16, 2),
                           help="Expected revenue of the won leads.")
    spend = fields.Float("Spend", readonly=True, digits=(16, 2),
                         help="Campaign costs in the company currency, split over regions.")
    cost_per_lead = fields.Float("Cost per Lead", readonly=True, aggregator="avg", digits=(16, 2))
    roi = fields.Float("ROI (%)", readonly=True, aggregator="avg", digits=(16, 1),
                       help="(Revenue of won leads - spend) / spend.")
    lead_readable = fields.Boolean(compute="_compute_readable", search="_search_lead_readable")
    campaign_readable = fields.Boolean(compute="_compute_readable",
                                       search="_search_campaign_readable")

    # ------------------------------------------------------------------
    # view
    # ------------------------------------------------------------------

    def init(self):
        # once every table of the registry exists (crm_campaign_cost, crm_lead.region_cluster)
        self.env.registry.post_init(self._create_view)

    def _create_view(self):
        # the split of the spend over regions counts the leads of the campaigns with a
        # cost per platform and region: an index-only scan of those campaigns' entries
        self.env.cr.execute("""
            CREATE INDEX IF NOT EXISTS crm_lead_attribution_split_index
                ON crm_lead (campaign_id, source_id, region_cluster)
             WHERE campaign_id IS NOT NULL AND source_id IS NOT NULL""")
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(f"CREATE OR REPLACE VIEW {self._table} AS ({self._view_query()})")

    @api.model
    def _platform_key_sql(self, expression):
        """SQL of the matching key of a platform name: lower case, letters and digits."""
        return f"lower(regexp_replace({expression}, '[^[:alnum:]]+', '', 'g'))"

    @api.model
    def _view_query(self):
        source_key = self._platform_key_sql("s.name")
        channel_name = self._platform_key_sql("ch.name->>'en_US'")
        return f"""
            SELECT l.id * 2 AS id, l.id AS lead_ref, 'lead'::varchar AS row_type,
                   l.region_cluster, l.source_id, l.campaign_id, l.event_id, l.user_id,
                   l.team_id, l.create_date::date AS date,
                   1 AS lead_count,
                   CASE WHEN l.stage_id IN (SELECT id FROM crm_stage WHERE is_won) THEN 1 ELSE 0 END
                       AS won_count,
                   CASE WHEN l.stage_id IN (SELECT id FROM crm_stage WHERE is_won)
                        THEN COALESCE(l.expected_revenue, 0) ELSE 0 END::double precision AS revenue,
                   0.0::double precision AS spend,
                   0.0::double precision AS cost_per_lead,
                   0.0::double precision AS roi
              FROM crm_lead l
            UNION ALL
            SELECT (c.id * 1000 + c.rank) * 2 + 1 AS id, NULL AS lead_ref,
                   'spend'::varchar AS row_type,
                   c.region_cluster, c.source_id, c.campaign_id, c.event_id, NULL AS user_id,
                   NULL AS team_id, c.date,
                   0 AS lead_count, 0 AS won_count, 0.0::double precision AS revenue,
                   (c.amount * c.share)::double precision AS spend,
                   0.0::double precision AS cost_per_lead,
                   0.0::double precision AS roi
              FROM (
                SELECT cost.id, cost.campaign_id, cost.event_id, cost.date, cost.amount,
                       cost.source_id, split.region_cluster,
                       COALESCE(split.leads::numeric
                                / SUM(split.leads) OVER (PARTITION BY cost.id), 1) AS share,
                       ROW_NUMBER() OVER (PARTITION BY cost.id
                                          ORDER BY split.region_cluster NULLS FIRST) AS rank
                  FROM (
                    SELECT co.id, co.campaign_id, u.event_id, co.date,
                           COALESCE(co.amount_company, 0) AS amount,
                           (SELECT s.id FROM utm_source s
                             WHERE {source_key} IN (lower(ch.code), {channel_name})
                             ORDER BY s.id LIMIT 1) AS source_id
                      FROM crm_campaign_cost co
                      JOIN utm_campaign u ON u.id = co.campaign_id
                      JOIN crm_campaign_channel ch ON ch.id = co.channel_id
                  ) cost
                  LEFT JOIN (
                    SELECT campaign_id, source_id, region_cluster, COUNT(*) AS leads
                      FROM crm_lead
                     WHERE campaign_id IN (SELECT campaign_id FROM crm_campaign_cost)
                       AND campaign_id IS NOT NULL AND source_id IS NOT NULL
                  GROUP BY campaign_id, source_id, region_cluster
                  ) split ON split.campaign_id = cost.campaign_id
                         AND split.source_id = cost.source_id
              ) c
        """

    # ------------------------------------------------------------------
    # visibility (record rule: lead rows with their lead, spend rows with their campaign)
    # ------------------------------------------------------------------

    @api.depends_context("uid")
    def _compute_readable(self):
        rows = self.sudo()
        Lead = self.env["crm.lead"].sudo(False).with_context(active_test=False)
        Campaign = self.env["utm.campaign"].sudo(False).with_context(active_test=False)
        lead_ids = [ref for ref in rows.mapped("lead_ref") if ref]
        readable_leads = set(Lead.search([("id", "in", lead_ids)]).ids) \
            if lead_ids and Lead.has_access("read") else set()
        readable_campaigns = set(Campaign.search([("id", "in", rows.campaign_id.ids)]).ids) \
            if rows.campaign_id and Campaign.has_access("read") else set()
        for record, row in zip(self, rows, strict=True):
            record.lead_readable = row.lead_ref in readable_leads
            record.campaign_readable = row.campaign_id.id in readable_campaigns

    @api.model
    def _search_lead_readable(self, operator, value):
        """Rule domains are evaluated as superuser: the leads are searched as the
        real user (``sudo(False)``), every lead rule applies, as a SQL sub-query."""
        if operator not in ("=", "!=") or not (bool(value) == (operator == "=")):
            raise NotImplementedError(operator)
        Lead = self.env["crm.lead"].sudo(False).with_context(active_test=False)
        # spend rows never reach the sub-query of the reader's leads (``row_type`` is
        # false for them, where ``lead_ref != False`` would be NULL and evaluate it)
        return ["&", ("row_type", "=", "lead"), ("lead_ref", "in", Lead._search([]))]

    @api.model
    def _search_campaign_readable(self, operator, value):
        if operator not in ("=", "!=") or not (bool(value) == (operator == "=")):
            raise NotImplementedError(operator)
        Campaign = self.env["utm.campaign"].sudo(False).with_context(active_test=False)
        return [("campaign_id", "in", Campaign._search([]))]

    # ------------------------------------------------------------------
    # aggregation
    # ------------------------------------------------------------------

    @api.model
    def read_group(self, domain, fields, groupby, offset=0, limit=None, orderby=False,
                   lazy=True):
        """Cost per lead and ROI of each group are ratios of the group's sums."""
        requested = {spec.split(":")[0].split("(")[0].strip() for spec in fields}
        wanted = [name for name in ATTRIBUTION_RATIOS if name in requested]
        if not wanted:
            return super().read_group(domain, fields, groupby, offset=offset, limit=limit,
                                      orderby=orderby, lazy=lazy)
        specs = [spec for spec in fields
                 if spec.split(":")[0].split("(")[0].strip() not in wanted]
        extra = [name for name in ATTRIBUTION_SUMS if name not in requested]
        specs += [f"{name}:sum" for name in extra]
        if orderby and any(name in orderby for name in wanted):
            orderby = False
        groups = super().read_group(domain, specs, groupby, offset=offset, limit=limit,
                                    orderby=orderby, lazy=lazy)
        for group in groups:
            ratios = attribution_ratios(group)
            for name in wanted:
                group[name] = ratios[name]
            for name in extra:
                group.pop(name, None)
        return groups

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        """Lead measures from ``crm.lead``'s own grouped read (as the reader, every
        lead rule applied: the same leads as the lead rows' rule), spend from the
        view's spend rows only (the lead branch of the view is then never read).
        Falls back to the view for what has no ``crm.lead`` equivalent (filters on
        measures, ordering, paging, ``having``), and with the context key
        ``attribution_from_view`` (tests and bench compare both)."""
        try:
            if self.env.context.get("attribution_from_view"):
                raise _NoFastPath
            if having or offset or limit or (order and order != ",".join(groupby)):
                raise _NoFastPath
            if not set(aggregates) <= set(FAST_AGGREGATES):
                raise _NoFastPath
            lead_domain = self._lead_domain(domain)
            lead_groupby = [self._lead_groupby(spec) for spec in groupby]
        except _NoFastPath:
            return super()._read_group(domain, groupby, aggregates, having=having, offset=offset,
                                       limit=limit, order=order)
        groups = {}

        def add(keys, values):
            sums = groups.setdefault(keys, dict.fromkeys(("__count", *ATTRIBUTION_SUMS), 0))
            for name, value in values.items():
                sums[name] += value or 0

        with self._no_jit():
            spend_groups = super()._read_group(
                expression.AND([domain, [("row_type", "=", "spend")]]), groupby, ["spend:sum", "__count"])
        for *keys, spend, count in spend_groups:
            add(tuple(keys), {"spend": spend, "__count": count})
        if self.env["crm.lead"].has_access("read"):
            won_stages = set(self.env["crm.stage"].sudo().search([("is_won", "=", True)]).ids)
            for keys, stage_id, count, revenue in self._lead_figures(lead_domain, groupby, lead_groupby):
                values = {"lead_count": count, "__count": count}
                if stage_id in won_stages:
                    values |= {"won_count": count, "revenue": revenue}
                add(keys, values)
        ranks = self._group_ranks(groupby, groups, traverse=bool(order))
        rows = sorted(groups.items(), key=lambda item: [
            self._group_sort_key(key, rank) for key, rank in zip(item[0], ranks, strict=True)])
        result = []
        for keys, sums in rows:
            values = [sums[spec] if spec == "__count" else sums[spec.split(":")[0]] for spec in aggregates]
            values = [float(value) if name in ("revenue:sum", "spend:sum") else value
                      for name, value in zip(aggregates, values, strict=True)]
            result.append((*keys, *values))
        return result

    @contextmanager
    def _no_jit(self):
        """Queries of the block planned without JIT compilation. The spend rows are a few
        dozen, but the rule's lead arm (``lead_ref`` in the reader's leads, never evaluated
        on them) costs the plan as if it scanned the leads for each: PostgreSQL then spends
        seconds compiling (JIT) a query that runs in milliseconds. Restored after the block
        (a failing query aborts the transaction, which restores it as well)."""
        cr = self.env.cr
        cr.execute("SELECT current_setting('jit'), set_config('jit', 'off', true)")
        previous = cr.fetchone()[0]
        yield
        cr.execute("SELECT set_config('jit', %s, true)", [previous])

    @api.model
    def _lead_figures(self, lead_domain, groupby, lead_groupby):
        """``[(report group keys, stage id, lead count, expected revenue)]`` of the leads
        the reader may read among ``lead_domain``, by ``lead_groupby`` (the ``crm.lead``
        specs of the report's ``groupby``) and stage (the won stages' groups bring the won
        figures): from the leads' attribution roll-up when it keeps every column the search
        (record rules included) and the grouping read, else one grouped read of the leads."""
        Lead = self.env["crm.lead"].with_context(active_test=False, tz="UTC")
        rows = Lead._attribution_rollup_read(lead_domain, lead_groupby)
        if rows is not None:
            key_columns = [
                list(self._read_group_postprocess_groupby(spec, [row[index] for row in rows]))
                for index, spec in enumerate(groupby)]
            return [(tuple(column[number] for column in key_columns), *row[-3:])
                    for number, row in enumerate(rows)]
        return [(self._report_keys(keys), stage.id, count, revenue)
                for *keys, stage, count, revenue in Lead._read_group(
                    lead_domain, [*lead_groupby, "stage_id"], ["__count", "expected_revenue:sum"])]

    @api.model
    def _lead_groupby(self, spec):
        """The ``crm.lead`` groupby of a report groupby spec."""
        name, _sep, granularity = spec.partition(":")
        if name in LEAD_FIELDS and not granularity:
            return spec
        if name == "date" and granularity:
            return f"create_date:{granularity}"
        raise _NoFastPath

    def _report_keys(self, keys):
        """Group keys of a ``crm.lead`` grouped read as the report's (same records in the
        report's environment, creation days as dates)."""
        result = []
        for key in keys:
            if isinstance(key, models.BaseModel):
                key = self.env[key._name].browse(key.ids)
            elif isinstance(key, datetime):
                key = key.date()
            result.append(key)
        return tuple(result)

    @api.model
    def _group_ranks(self, groupby, groups, traverse):
        """Per groupby, ``{record id: rank}`` of its records in their model's order when
        ``_read_group`` orders groups through the many2one (``traverse``: an explicit
        order, as ``read_group`` gives), else None (by value)."""
        ranks = []
        for position, spec in enumerate(groupby):
            field = self._fields[spec.split(":")[0]]
            if not (traverse and field.type == "many2one"):
                ranks.append(None)
                continue
            ids = {keys[position].id for keys in groups if keys[position]}
            # only the order of the ids the grouped reads returned (ORDER BY of a join,
            # which no record rule limits in _read_group either)
            ordered = self.env[field.comodel_name].sudo().with_context(active_test=False).search(
                [("id", "in", list(ids))])
            ranks.append({record_id: rank for rank, record_id in enumerate(ordered.ids)})
        return ranks

    @api.model
    def _group_sort_key(self, key, rank=None):
        """_read_group's order: by value (record id, or rank in the model's order),
        empty groups last."""
        if isinstance(key, models.BaseModel):
            return (not key, (rank or {}).get(key.id, key.id) if rank is not None else key.id or 0)
        return (key is None or key is False, key if key not in (None, False) else 0)

    @api.model
    def _lead_domain(self, domain):
        """The ``crm.lead`` domain of the lead rows matched by ``domain`` (a report domain)."""
        result = []
        for leaf in expression.normalize_domain(list(domain or [])):
            if not expression.is_leaf(leaf) or leaf in (expression.TRUE_LEAF, expression.FALSE_LEAF):
                result.append(leaf)
                continue
            path, operator, value = leaf
            name, _dot, rest = str(path).partition(".")
            if name in LEAD_FIELDS:
                result.append(leaf)
            elif name == "lead_ref" and not rest:
                result.append(("id", operator, value))
            elif name == "row_type" and not rest:
                result.append(self._row_type_leaf(operator, value))
            elif name == "date" and not rest:
                result += self._date_leaves(operator, value)
            else:
                raise _NoFastPath
        return result

    @api.model
    def _row_type_leaf(self, operator, value):
        """Lead rows have ``row_type`` 'lead': the leaf is true or false for them."""
        if operator in ("=", "!=") and isinstance(value, str):
            match = value == "lead"
        elif operator in ("in", "not in") and isinstance(value, (list, tuple)):
            match = "lead" in value
        else:
            raise _NoFastPath
        if operator in ("!=", "not in"):
            match = not match
        return expression.TRUE_LEAF if match else expression.FALSE_LEAF

    @api.model
    def _date_leaves(self, operator, value):
        """``date`` (the lead's UTC creation day) compared to a day, as ``create_date`` leaves."""
        if isinstance(value, datetime) or not isinstance(value, (date, str)) or not value:
            raise _NoFastPath
        try:
            day = fields.Date.to_date(value)
        except ValueError as error:
            raise _NoFastPath from error
        start = datetime.combine(day, time.min)
        end = start + timedelta(days=1)
        leaves = {
            "=": ["&", ("create_date", ">=", start), ("create_date", "<", end)],
            ">=": [("create_date", ">=", start)],
            ">": [("create_date", ">=", end)],
            "<": [("create_date", "<", start)],
            "<=": [("create_date", "<", end)],
        }.get(operator)
        if leaves is None:
            raise _NoFastPath
        return leaves

    @api.model
    def _get_figures(self, domain, groupby):
        """``{group key tuple: {measure: value}}`` as the reader (rules apply), for
        dashboards and tests: sums and ratios of every group in one query."""
        result = {}
        aggregates = [f"{name}:sum" for name in ATTRIBUTION_SUMS]
        for *keys, lead_count, won_count, revenue, spend in self._read_group(
                domain, groupby, aggregates):
            sums = {"lead_count": lead_count, "won_count": won_count, "revenue": revenue,
                    "spend": spend}
            result[tuple(keys)] = dict(sums, **attribution_ratios(sums))
        return result
