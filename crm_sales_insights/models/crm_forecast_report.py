from odoo import api, fields, models, tools
from odoo.tools import SQL


class CrmForecastReport(models.Model):
    """Forecast vs actuals and the probability-weighted pipeline, one SQL view.

    Three kinds of rows, dated so that a pivot by month or quarter compares them:
    forecasts (their value, on their period's first day), actuals (won opportunities,
    their expected revenue on the day they were won) and pipeline (open opportunities,
    expected revenue and expected revenue x probability, on their expected closing
    date, else their creation day).

    A row is visible with its lead (the user's own ``crm.lead`` search as a sub-query,
    every lead rule applied) or, for a forecast without opportunity, with the forecast
    (the user's own ``crm.forecast`` search). The row keeps the lead's id as a plain
    integer: the report is not a many2one to ``crm.lead`` and shows no lead data.
    """

    _name = "crm.forecast.report"
    _inherit = ["crm.insights.report.mixin"]
    _description = "Forecast vs Actuals and Weighted Pipeline"
    _auto = False
    _order = "date desc"
    _rec_name = "date"

    line_type = fields.Selection(
        [("forecast", "Forecast"), ("actual", "Actual (won)"), ("pipeline", "Open pipeline")],
        string="Line", readonly=True)
    date = fields.Date(readonly=True)
    user_id = fields.Many2one("res.users", string="Sales Rep", readonly=True)
    team_id = fields.Many2one("crm.team", string="Team", readonly=True)
    department_id = fields.Many2one("crm.department", string="Department", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Account", readonly=True)
    event_id = fields.Many2one("event.event", string="Product", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    forecast_type = fields.Selection(
        [("account", "Account"), ("upsell", "Upsell")], string="Forecast Type", readonly=True)
    state = fields.Selection(
        [("draft", "Draft"), ("approved", "Approved"), ("closed", "Closed")],
        string="Forecast Status", readonly=True)
    lead_ref = fields.Integer(string="Opportunity ID", readonly=True, aggregator=None)
    forecast_ref = fields.Integer(string="Forecast ID", readonly=True, aggregator=None)
    forecast_value = fields.Monetary(readonly=True, string="Forecast")
    actual_value = fields.Monetary(readonly=True, string="Actual")
    pipeline_amount = fields.Monetary(readonly=True, string="Pipeline Amount")
    pipeline_value = fields.Monetary(readonly=True, string="Weighted Pipeline")
    row_readable = fields.Boolean(
        compute="_compute_row_readable", search="_search_row_readable",
        help="The current user may read this row's opportunity or forecast.")

    @api.depends_context("uid")
    def _compute_row_readable(self):
        # rows are only ever read through the rule, which already filters them
        for row in self:
            row.row_readable = True

    @api.model
    def _search_row_readable(self, operator, value):
        if operator not in ("=", "!=") or not (bool(value) == (operator == "=")):
            raise NotImplementedError(operator)
        # record rules are evaluated as superuser: search as the real user
        Lead = self.env["crm.lead"].sudo(False).with_context(active_test=False)
        Forecast = self.env["crm.forecast"].sudo(False)
        return ["|", ("lead_ref", "in", Lead._search([])), ("forecast_ref", "in", Forecast._search([]))]

    def _query(self):
        return SQL("""
            SELECT f.id * 3 AS id, 'forecast' AS line_type, f.date_start AS date,
                   f.user_id, f.team_id, f.department_id, f.partner_id, l.event_id, f.company_id,
                   f.forecast_type, f.state, f.lead_id AS lead_ref, f.id AS forecast_ref,
                   f.value AS forecast_value, 0.0 AS actual_value,
                   0.0 AS pipeline_amount, 0.0 AS pipeline_value
              FROM crm_forecast f
              LEFT JOIN crm_lead l ON l.id = f.lead_id
            UNION ALL
            SELECT l.id * 3 + 1, 'actual', (l.date_closed AT TIME ZONE 'UTC')::date,
                   l.user_id, l.team_id, u.crm_department_id, p.commercial_partner_id, l.event_id, l.company_id,
                   NULL, NULL, l.id, NULL,
                   0.0, COALESCE(l.expected_revenue, 0.0), 0.0, 0.0
              FROM crm_lead l
              JOIN crm_stage s ON s.id = l.stage_id AND s.is_won
              LEFT JOIN res_users u ON u.id = l.user_id
              LEFT JOIN res_partner p ON p.id = l.partner_id
             WHERE l.active AND l.date_closed IS NOT NULL
            UNION ALL
            SELECT l.id * 3 + 2, 'pipeline', COALESCE(l.date_deadline, (l.create_date AT TIME ZONE 'UTC')::date),
                   l.user_id, l.team_id, u.crm_department_id, p.commercial_partner_id, l.event_id, l.company_id,
                   NULL, NULL, l.id, NULL,
                   0.0, 0.0, COALESCE(l.expected_revenue, 0.0),
                   COALESCE(l.expected_revenue, 0.0) * COALESCE(l.probability, 0.0) / 100.0
              FROM crm_lead l
              LEFT JOIN crm_stage s ON s.id = l.stage_id
              LEFT JOIN res_users u ON u.id = l.user_id
              LEFT JOIN res_partner p ON p.id = l.partner_id
             WHERE l.active AND l.type = 'opportunity' AND NOT COALESCE(s.is_won, FALSE)
        """)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query()))
