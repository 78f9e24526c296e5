from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

PARAM_PREFIX = "crm_sales_insights.pattern_"
# ir.config_parameter key (without the prefix) -> default
PATTERN_DEFAULTS = {
    "window_days": 730,
    "volume_high": 500000.0,
    "volume_medium": 100000.0,
    "frequency_high": 2.0,
    "frequency_low": 1.0,
    "lapsed_days": 365,
    "new_days": 90,
}

PATTERN_CLASSES = [
    ("key_account", "Key account"),
    ("big_ticket", "Big ticket"),
    ("loyal", "Loyal"),
    ("regular", "Regular"),
    ("occasional", "Occasional"),
    ("new", "New customer"),
    ("lapsed", "Lapsed"),
    ("none", "No purchase"),
]
PATTERN_RULE_HELP = (
    "Derived every night from the account's won opportunities (its commercial entity and its "
    "contacts): volume = won revenue over the window, frequency = won opportunities per year over "
    "the window, recency = days since the last win. Rules, first match wins: Lapsed (no win for "
    "more than the lapsed days), New customer (first win within the new-customer days), "
    "Key account (high volume, at least the low frequency), Big ticket (high volume, less often), "
    "Loyal (at least the high frequency), Regular (medium volume or at least the low frequency), "
    "Occasional (anything else). Thresholds: Settings > Technical > System Parameters, "
    "crm_sales_insights.pattern_*."
)


class CrmCustomerPattern(models.Model):
    """Each account's buying pattern, previous and current class side by side.

    Rows are written only by ``_compute_patterns``: one set-based SQL statement for every
    account (no query per partner), run by a scheduled action.
    """

    _name = "crm.customer.pattern"
    _description = "Customer Buying Pattern"
    _order = "won_revenue desc, id"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Account", required=True, readonly=True, index=True, ondelete="cascade")
    won_revenue = fields.Monetary(readonly=True, string="Volume (won revenue)", currency_field="currency_id")
    won_count = fields.Integer(readonly=True, string="Wins in Window")
    purchases_per_year = fields.Float(readonly=True, digits=(16, 2), aggregator="avg", string="Purchases / Year")
    first_won_date = fields.Date(readonly=True, string="First Win")
    last_won_date = fields.Date(readonly=True, string="Last Win")
    recency_days = fields.Integer(readonly=True, aggregator="avg", string="Days Since Last Win")
    volume_class = fields.Selection(
        [("high", "High"), ("medium", "Medium"), ("low", "Low"), ("none", "None")], readonly=True)
    frequency_class = fields.Selection(
        [("frequent", "Frequent"), ("regular", "Regular"), ("occasional", "Occasional"), ("none", "None")],
        readonly=True)
    pattern_class = fields.Selection(
        PATTERN_CLASSES, string="Current Pattern", readonly=True, index=True, help=PATTERN_RULE_HELP)
    previous_class = fields.Selection(
        PATTERN_CLASSES, string="Previous Pattern", readonly=True, index=True,
        help="The class before the last change (kept until the class changes again).")
    changed = fields.Boolean(compute="_compute_changed", search="_search_changed", string="Class Changed")
    date_computed = fields.Date(readonly=True, string="Computed On")
    date_changed = fields.Date(readonly=True, string="Class Changed On")
    explanation = fields.Text(compute="_compute_explanation")
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id")
    partner_readable = fields.Boolean(
        compute="_compute_partner_readable", search="_search_partner_readable",
        help="The account is the partner of an opportunity or lead the current user may read.")

    _sql_constraints = [("partner_unique", "unique(partner_id)", "An account has one pattern.")]

    def _compute_currency_id(self):
        self.currency_id = self.env.company.currency_id

    @api.depends("pattern_class", "previous_class")
    def _compute_changed(self):
        for pattern in self:
            pattern.changed = bool(pattern.previous_class) and pattern.previous_class != pattern.pattern_class

    @api.model
    def _search_changed(self, operator, value):
        if operator not in ("=", "!="):
            raise NotImplementedError(operator)
        domain = [("previous_class", "!=", False)]
        return domain if bool(value) == (operator == "=") else ["!", *domain]

    @api.depends_context("uid")
    def _compute_partner_readable(self):
        readable = self.search([("id", "in", self.ids), ("partner_readable", "=", True)])
        for pattern in self:
            pattern.partner_readable = pattern in readable

    @api.model
    def _search_partner_readable(self, operator, value):
        if operator not in ("=", "!=") or not (bool(value) == (operator == "=")):
            raise NotImplementedError(operator)
        # record rules are evaluated as superuser: the leads are searched as the real user
        lead_query = self.env["crm.lead"].sudo(False).with_context(active_test=False)._search(
            [("partner_id", "!=", False)])
        return [("partner_id", "in", SQL(
            "(SELECT p.commercial_partner_id FROM res_partner p WHERE p.id IN %s)",
            lead_query.subselect(SQL.identifier("crm_lead", "partner_id"))))]

    @api.depends("pattern_class", "won_revenue", "won_count", "purchases_per_year", "recency_days")
    def _compute_explanation(self):
        params = self._pattern_params()
        labels = dict(PATTERN_CLASSES)
        for pattern in self:
            reason = {
                "lapsed": self.env._("no win for more than %(days)s days", days=params["lapsed_days"]),
                "new": self.env._("first win within the last %(days)s days", days=params["new_days"]),
                "key_account": self.env._(
                    "volume of at least %(high)s and at least %(freq)s wins a year",
                    high=params["volume_high"], freq=params["frequency_low"]),
                "big_ticket": self.env._(
                    "volume of at least %(high)s, fewer than %(freq)s wins a year",
                    high=params["volume_high"], freq=params["frequency_low"]),
                "loyal": self.env._("at least %(freq)s wins a year", freq=params["frequency_high"]),
                "regular": self.env._(
                    "volume of at least %(medium)s or at least %(freq)s wins a year",
                    medium=params["volume_medium"], freq=params["frequency_low"]),
                "occasional": self.env._("won, but below every other threshold"),
                "none": self.env._("no won opportunity any more"),
            }.get(pattern.pattern_class, "")
            pattern.explanation = self.env._(
                "%(cls)s: %(reason)s. Over the last %(window)s days: won revenue %(revenue)s, "
                "%(count)s wins (%(per_year)s a year); last win %(recency)s days ago.",
                cls=labels.get(pattern.pattern_class, "-"), reason=reason, window=params["window_days"],
                revenue=pattern.won_revenue, count=pattern.won_count,
                per_year=round(pattern.purchases_per_year, 2), recency=pattern.recency_days)

    @api.model
    def _pattern_params(self):
        get = self.env["ir.config_parameter"].sudo().get_param
        params = {}
        for key, default in PATTERN_DEFAULTS.items():
            try:
                params[key] = type(default)(get(PARAM_PREFIX + key, default))
            except (TypeError, ValueError):
                params[key] = default
        params["window_days"] = max(params["window_days"], 1)
        return params

    # ------------------------------------------------------------------
    # the batch
    # ------------------------------------------------------------------
    @api.model
    def _cron_compute_patterns(self):
        self._compute_patterns()

    def action_compute_patterns(self):
        if not self.env.user.has_group("crm_sales_insights.group_sales_insights_manager"):
            raise AccessError(self.env._("Only managers recompute the customer patterns."))
        self._compute_patterns()
        return True

    @api.model
    def _compute_patterns(self, as_of=None):
        """Classify every account that ever won an opportunity, in two SQL statements
        (upsert of the accounts with wins, reset of those without any more). No user
        input reaches the SQL; the figures are account-wide aggregates. ``as_of``
        (a date) recomputes as of that day (history, demo)."""
        as_of = fields.Date.to_date(as_of) or fields.Date.context_today(self)
        params = self._pattern_params()
        self.env.flush_all()
        args = {
            "as_of": as_of,
            "until": as_of + timedelta(days=1),
            "window_start": as_of - timedelta(days=params["window_days"]),
            "years": params["window_days"] / 365.0,
            "uid": self.env.uid,
            **params,
        }
        self.env.cr.execute(SQL(
            """
            WITH won AS (
                SELECT p.commercial_partner_id AS partner_id,
                       COALESCE(SUM(l.expected_revenue) FILTER (WHERE l.date_closed >= %(window_start)s), 0)
                           AS revenue,
                       COUNT(*) FILTER (WHERE l.date_closed >= %(window_start)s) AS won_count,
                       MIN(l.date_closed)::date AS first_won, MAX(l.date_closed)::date AS last_won
                  FROM crm_lead l
                  JOIN crm_stage s ON s.id = l.stage_id AND s.is_won
                  JOIN res_partner p ON p.id = l.partner_id
                 WHERE l.active AND l.date_closed IS NOT NULL AND l.date_closed < %(until)s
                 GROUP BY p.commercial_partner_id
            ), measured AS (
                SELECT won.*, won_count / %(years)s AS per_year, %(as_of)s - last_won AS recency
                  FROM won
            ), classified AS (
                SELECT m.*,
                       CASE WHEN revenue >= %(volume_high)s THEN 'high'
                            WHEN revenue >= %(volume_medium)s THEN 'medium'
                            WHEN revenue > 0 THEN 'low' ELSE 'none' END AS volume_class,
                       CASE WHEN per_year >= %(frequency_high)s THEN 'frequent'
                            WHEN per_year >= %(frequency_low)s THEN 'regular'
                            WHEN per_year > 0 THEN 'occasional' ELSE 'none' END AS frequency_class,
                       CASE WHEN recency > %(lapsed_days)s THEN 'lapsed'
                            WHEN %(as_of)s - first_won <= %(new_days)s THEN 'new'
                            WHEN revenue >= %(volume_high)s AND per_year >= %(frequency_low)s THEN 'key_account'
                            WHEN revenue >= %(volume_high)s THEN 'big_ticket'
                            WHEN per_year >= %(frequency_high)s THEN 'loyal'
                            WHEN revenue >= %(volume_medium)s OR per_year >= %(frequency_low)s THEN 'regular'
                            ELSE 'occasional' END AS pattern_class
                  FROM measured m
            )
            INSERT INTO crm_customer_pattern AS cp (
                partner_id, won_revenue, won_count, purchases_per_year, first_won_date, last_won_date,
                recency_days, volume_class, frequency_class, pattern_class, date_computed, date_changed,
                create_uid, write_uid, create_date, write_date)
            SELECT partner_id, revenue, won_count, per_year, first_won, last_won, recency,
                   volume_class, frequency_class, pattern_class, %(as_of)s, %(as_of)s,
                   %(uid)s, %(uid)s, NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
              FROM classified
            ON CONFLICT (partner_id) DO UPDATE SET
                previous_class = CASE WHEN cp.pattern_class IS DISTINCT FROM EXCLUDED.pattern_class
                                      THEN cp.pattern_class ELSE cp.previous_class END,
                date_changed = CASE WHEN cp.pattern_class IS DISTINCT FROM EXCLUDED.pattern_class
                                    THEN EXCLUDED.date_computed ELSE cp.date_changed END,
                pattern_class = EXCLUDED.pattern_class,
                won_revenue = EXCLUDED.won_revenue, won_count = EXCLUDED.won_count,
                purchases_per_year = EXCLUDED.purchases_per_year,
                first_won_date = EXCLUDED.first_won_date, last_won_date = EXCLUDED.last_won_date,
                recency_days = EXCLUDED.recency_days, volume_class = EXCLUDED.volume_class,
                frequency_class = EXCLUDED.frequency_class, date_computed = EXCLUDED.date_computed,
                write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
            """, **args))
        self.env.cr.execute(SQL(
            """
            UPDATE crm_customer_pattern cp
               SET previous_class = cp.pattern_class, pattern_class = 'none', date_changed = %(as_of)s,
                   won_revenue = 0, won_count = 0, purchases_per_year = 0, volume_class = 'none',
                   frequency_class = 'none', date_computed = %(as_of)s,
                   write_uid = %(uid)s, write_date = NOW() AT TIME ZONE 'UTC'
             WHERE cp.pattern_class IS DISTINCT FROM 'none'
               AND NOT EXISTS (
                   SELECT 1
                     FROM crm_lead l
                     JOIN crm_stage s ON s.id = l.stage_id AND s.is_won
                     JOIN res_partner p ON p.id = l.partner_id
                    WHERE p.commercial_partner_id = cp.partner_id AND l.active
                      AND l.date_closed IS NOT NULL AND l.date_closed < %(until)s)
            """, as_of=as_of, until=args["until"], uid=self.env.uid))
        self.invalidate_model()
