from odoo import api, fields, models, tools

from ..lib.crm_campaign_metric_rates import AMOUNTS, COUNTERS, RATES, compute_rates, needed_sums
from .crm_mail_trace_daily import TRACE_COUNTERS

# sources of figures of this addon; a mail connector adds its own (selection_add on
# ``source`` and an override of ``_metric_source_queries``, see crm_mailwizz)
METRIC_SOURCES = [
    ("smtp", "CRM Email (SMTP)"),
    ("response", "Responses"),
    ("won", "Won Leads"),
    ("cost", "Costs"),
]
# row ids of the view: <row key of the source> * ID_SLOTS + <rank of the source>
ID_SLOTS = 16


class CrmCampaignMetric(models.Model):
    """Campaign metrics, one SQL view over every source of figures.

    Rows are pre-aggregated per campaign, conference (product), user,
    channel, source and day:

    * ``smtp``: mail sent by users from campaign leads (``crm.mail.trace``);
    * ``response``: responses received and leads generated
      (``crm.campaign.response``);
    * ``won``: won leads of the campaign and their expected revenue;
    * ``cost``: costs per platform (``crm.campaign.cost``).

    Rates and ROI are ratios of sums, recomputed after aggregation in
    :meth:`read_group` (pivot and graph views) and in
    ``utm.campaign._compute_crm_metrics`` (campaign form).

    **Extension point** for mail connectors (MailWizz, ...): a connector adds its
    source key to ``source`` (``selection_add``), declares the tables it reads in
    ``_depends`` and overrides :meth:`_metric_source_queries` to add one SELECT
    built with :meth:`_select`. The view is rebuilt when the connector is
    installed or updated (its ``_inherit`` runs ``init`` again); the rates, the
    campaign form, the pivot and the access rules then count its figures with
    the others, with nothing else to change.
    """

    _name = "crm.campaign.metric"
    _description = "Campaign Metrics"
    _auto = False
    _order = "date desc"
    _rec_name = "campaign_id"
    # flushed before the view is queried (pending ORM writes of these fields)
    _depends = {
        "crm.mail.trace": [
            "campaign_id", "event_id", "user_id", "state", "sent_datetime", "open_datetime",
            "click_datetime", "create_date",
        ],
        "crm.campaign.response": ["campaign_id", "event_id", "user_id", "date", "state"],
        "crm.lead": [
            "campaign_id", "event_id", "user_id", "stage_id", "active", "date_closed",
            "expected_revenue", "create_date",
        ],
        "crm.stage": ["is_won"],
        "crm.campaign.cost": ["campaign_id", "channel_id", "date", "amount_company"],
        "crm.campaign.channel": ["code"],
        "utm.campaign": ["event_id", "manager_id", "user_id", "date_sent", "date_start", "create_date"],
    }

    campaign_id = fields.Many2one("utm.campaign", "Campaign", readonly=True)
    event_id = fields.Many2one("event.event", "Conference", readonly=True)
    user_id = fields.Many2one("res.users", "User", readonly=True)
    channel_id = fields.Many2one("crm.campaign.channel", "Channel / Platform", readonly=True)
    source = fields.Selection(METRIC_SOURCES, "Source", readonly=True)
    date = fields.Date(readonly=True)
    sent_count = fields.Integer("Sent", readonly=True)
    delivered_count = fields.Integer("Delivered", readonly=True)
    opened_count = fields.Integer("Opened", readonly=True)
    clicked_count = fields.Integer("Clicked", readonly=True)
    bounced_count = fields.Integer("Bounced", readonly=True)
    unsubscribed_count = fields.Integer("Unsubscribed", readonly=True)
    response_count = fields.Integer("Responses", readonly=True)
    lead_generated_count = fields.Integer("Leads Generated", readonly=True)
    won_count = fields.Integer("Won Leads", readonly=True)
    revenue = fields.Float("Revenue", readonly=True, digits=(16, 2))
    cost = fields.Float("Cost", readonly=True, digits=(16, 2))
    delivery_rate = fields.Float("Delivery Rate (%)", readonly=True, aggregator="avg")
    open_rate = fields.Float("Open Rate (%)", readonly=True, aggregator="avg")
    click_rate = fields.Float("Click Rate (%)", readonly=True, aggregator="avg")
    bounce_rate = fields.Float("Bounce Rate (%)", readonly=True, aggregator="avg")
    unsubscribe_rate = fields.Float("Unsubscribe Rate (%)", readonly=True, aggregator="avg")
    response_rate = fields.Float("Response Rate (%)", readonly=True, aggregator="avg")
    conversion_rate = fields.Float("Conversion Rate (%)", readonly=True, aggregator="avg",
                                   help="Leads generated per response.")
    roi = fields.Float("ROI (%)", readonly=True, aggregator="avg",
                       help="(Revenue of won leads - cost) / cost.")

    # ------------------------------------------------------------------
    # view
    # ------------------------------------------------------------------

    def init(self):
        # after every table of the registry exists (columns read by a connector's
        # source may be created after this model)
        self.env.registry.post_init(self._create_view)

    def _create_view(self):
        self.env["crm.mail.trace.daily"]._setup_tables()
        # the won leads of campaigns (source 'won'): an index-only scan of the won
        # stages' entries (no column that changes on every write, e.g. write_date, so
        # that lead updates stay HOT)
        self.env.cr.execute("""
            CREATE INDEX IF NOT EXISTS crm_lead_campaign_metric_won_index
                ON crm_lead (stage_id, campaign_id, event_id, user_id)
                INCLUDE (id, date_closed, create_date, expected_revenue)
             WHERE campaign_id IS NOT NULL AND active""")
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(f"CREATE OR REPLACE VIEW {self._table} AS ({self._view_query()})")

    @api.model
    def _view_columns(self):
        return ("id", "campaign_id", "event_id", "user_id", "channel_id", "source", "date",
                *COUNTERS, *AMOUNTS, *RATES, "roi")

    @api.model
    def _select(self, values):
        """A SELECT list in view column order from ``{column: sql}``: ``id`` is the
        source's own row key (e.g. ``MIN(t.id)``, made unique across sources by
        :meth:`_view_query`), columns left out are 0 (measures) or NULL."""
        columns = self._view_columns()[:7 + len(COUNTERS) + len(AMOUNTS)]
        zero = dict.fromkeys(COUNTERS, "0") | dict.fromkeys(AMOUNTS, "0.0")
        # every source's query is a sub-query of the view: typed columns, so that the
        # UNION of sources matches whatever a source leaves NULL
        types = dict.fromkeys(("id", "campaign_id", "event_id", "user_id", "channel_id"), "integer")
        types |= {"source": "varchar", "date": "date"}
        types |= dict.fromkeys(COUNTERS, "bigint") | dict.fromkeys(AMOUNTS, "numeric")
        rates = [f"0.0::double precision AS {rate}" for rate in (*RATES, "roi")]
        parts = [f"({values.get(name, zero.get(name, 'NULL'))})::{types[name]} AS {name}" for name in columns]
        return ", ".join(parts + rates)

    @api.model
    def _email_channel_sql(self):
        """SQL of the id of the *Email* channel (crm_campaign_mgmt data)."""
        return "(SELECT id FROM crm_campaign_channel WHERE code = 'email' ORDER BY id LIMIT 1)"

    @api.model
    def _metric_source_queries(self):
        """The extension point: ``{source key: SQL SELECT}``, one query per source
        of figures, each selecting :meth:`_select` columns (its ``source`` column
        is the key). Override, call ``super()`` and add your source's query."""
        email_channel = self._email_channel_sql()
        # CRM mail: the daily roll-up (crm.mail.trace.daily), never the raw traces
        smtp = f"""
            SELECT {self._select({
                "id": "d.id",
                "campaign_id": "d.campaign_id",
                "event_id": "NULLIF(d.event_id, 0)",
                "user_id": "NULLIF(d.user_id, 0)",
                "channel_id": email_channel,
                "source": "'smtp'",
                "date": "d.day",
                **{name: f"d.{name}" for name in TRACE_COUNTERS},
            })}
              FROM ({self.env["crm.mail.trace.daily"]._rows_query()}) d"""
        response = f"""
            SELECT {self._select({
                "id": "MIN(r.id)",
                "campaign_id": "r.campaign_id",
                "event_id": "r.event_id",
                "user_id": "r.user_id",
                "channel_id": email_channel,
                "source": "'response'",
                "date": "r.date::date",
                "response_count": "COUNT(*)",
                "lead_generated_count": "COUNT(*) FILTER (WHERE r.state = 'converted')",
            })}
              FROM crm_campaign_response r
          GROUP BY r.campaign_id, r.event_id, r.user_id, r.date::date"""
        # won leads, from the won stages (a few percent of the leads) through the
        # covering partial index: never a scan of every lead. Their day is the closing
        # date (set by crm when a lead is won), else the creation date (not write_date:
        # the revenue would move to the day of any later edit)
        won = f"""
            SELECT {self._select({
                "id": "MIN(l.id)",
                "campaign_id": "l.campaign_id",
                "event_id": "l.event_id",
                "user_id": "l.user_id",
                "source": "'won'",
                "date": "(COALESCE(l.date_closed, l.create_date))::date",
                "won_count": "COUNT(*)",
                "revenue": "SUM(COALESCE(l.expected_revenue, 0))",
            })}
              FROM crm_stage s
              CROSS JOIN LATERAL (
                    SELECT l.id, l.campaign_id, l.event_id, l.user_id, l.date_closed,
                           l.create_date, l.expected_revenue
                      FROM crm_lead l
                     WHERE l.stage_id = s.id AND l.campaign_id IS NOT NULL AND l.active
                    OFFSET 0) l
             WHERE s.is_won
          GROUP BY l.campaign_id, l.event_id, l.user_id,
                   (COALESCE(l.date_closed, l.create_date))::date"""
        cost = f"""
            SELECT {self._select({
                "id": "c.id",
                "campaign_id": "c.campaign_id",
                "event_id": "u.event_id",
                "channel_id": "c.channel_id",
                "source": "'cost'",
                "date": "c.date",
                "cost": "COALESCE(c.amount_company, 0)",
            })}
              FROM crm_campaign_cost c
              JOIN utm_campaign u ON u.id = c.campaign_id"""
        return {"smtp": smtp, "response": response, "won": won, "cost": cost}

    @api.model
    def _view_query(self):
        """UNION ALL of every source's query; row ids unique across sources."""
        queries = self._metric_source_queries()
        known = dict(self._fields["source"].selection)
        unknown = set(queries) - set(known)
        if unknown:
            raise ValueError(f"crm.campaign.metric sources without a selection value: {sorted(unknown)}")
        if len(queries) > ID_SLOTS:
            raise ValueError(f"crm.campaign.metric has more than {ID_SLOTS} sources")
        columns = ", ".join(f"q.{name}" for name in self._view_columns() if name != "id")
        parts = [
            f"SELECT q.id::bigint * {ID_SLOTS} + {rank} AS id, {columns} FROM ({query}) q"
            for rank, (_key, query) in enumerate(sorted(queries.items()), start=1)
        ]
        return "\nUNION ALL\n".join(parts)

    # ------------------------------------------------------------------
    # aggregation
    # ------------------------------------------------------------------

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        """Every read of the view (pivot, graph, list, campaign form) goes through here:
        no JIT compilation for the rest of the transaction. The planner's estimates of
        the UNION of sources over small, never auto-analysed tables (stages, campaigns)
        are far too high and PostgreSQL then spends ~9 s compiling a query that runs in
        a fraction of that (measured at 1M leads / 10M traces, bench/dashboard_bench.py)."""
        self.env.cr.execute("SET LOCAL jit = off")
        return super()._search(domain, offset=offset, limit=limit, order=order)

    @api.model
    def read_group(self, domain, fields, groupby, offset=0, limit=None, orderby=False,
                   lazy=True):
        """Rates and ROI of each group are ratios of the group's sums (an
        average of per-row rates would be wrong)."""
        requested = {spec.split(":")[0].split("(")[0].strip() for spec in fields}
        wanted = [name for name in (*RATES, "roi") if name in requested]
        if not wanted:
            return super().read_group(domain, fields, groupby, offset=offset, limit=limit,
                                      orderby=orderby, lazy=lazy)
        needed = needed_sums(wanted)
        specs = [spec for spec in fields
                 if spec.split(":")[0].split("(")[0].strip() not in wanted]
        specs += [f"{name}:sum" for name in sorted(needed - requested)]
        if orderby and any(name in orderby for name in wanted):
            orderby = False
        groups = super().read_group(domain, specs, groupby, offset=offset, limit=limit,
                                    orderby=orderby, lazy=lazy)
        for group in groups:
            rates = compute_rates({name: group.get(name) for name in (*COUNTERS, *AMOUNTS)})
            # no cost in the group (none booked, or cost rows not in it: they have no
            # user, so a group per user never holds any): ROI is undefined, shown empty
            if not rates.get("cost"):
                rates["roi"] = False
            for name in wanted:
                group[name] = rates[name]
            for name in needed - requested:
                group.pop(name, None)
        return groups

    def action_open_campaign(self):
        """Open the campaign of a metric row (list rows, and pivot cells through their list)."""
        self.ensure_one()
        campaign = self.campaign_id
        campaign.check_access("read")
        form = self.env.ref("crm_campaign_mgmt.utm_campaign_view_form_mgmt", raise_if_not_found=False)
        return {
            "type": "ir.actions.act_window",
            "res_model": "utm.campaign",
            "res_id": campaign.id,
            "views": [(form.id if form else False, "form")],
            "target": "current",
        }

    @api.model
    def _get_campaign_figures(self, campaign_ids):
        """``{campaign_id: {measure: value, rate: value}}`` in one query, as the reader:
        the metric rules decide which rows (own, managed campaigns, department) count."""
        aggregates = [f"{name}:sum" for name in (*COUNTERS, *AMOUNTS)]
        figures = {}
        if campaign_ids:
            for campaign, *values in self._read_group(
                [("campaign_id", "in", list(campaign_ids))], ["campaign_id"], aggregates,
            ):
                figures[campaign.id] = compute_rates(dict(zip((*COUNTERS, *AMOUNTS), values)))
        return figures
