from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import date_utils

FORECAST_STATES = [("draft", "Draft"), ("approved", "Approved"), ("closed", "Closed")]
# which status change each button makes
TRANSITIONS = {
    ("draft", "approved"),
    ("approved", "closed"),
    ("approved", "draft"),
    ("closed", "approved"),
}


class CrmForecast(models.Model):
    """An account or upsell forecast: the revenue a rep expects in a period, from an
    opportunity (value = amount x probability) and/or an account.

    Visibility follows the lead (``crm.lead.scoped.mixin``, rule ``lead_readable``);
    a forecast without an opportunity is its rep's, its creator's and (lead-less only)
    the managers' of the rep's department. Only a manager of the rep's department,
    higher in the role hierarchy than the rep, approves, closes or reopens it.
    """

    _name = "crm.forecast"
    _inherit = ["mail.thread", "mail.activity.mixin", "crm.lead.scoped.mixin"]
    _description = "Sales Forecast"
    _order = "date_start desc, id desc"

    name = fields.Char(compute="_compute_name", store=True, readonly=False)
    forecast_type = fields.Selection(
        [("account", "Account"), ("upsell", "Upsell")],
        string="Type", required=True, default="account", tracking=True,
        help="Account: the revenue expected from an account (new business or renewal). "
        "Upsell: additional revenue on an existing account.")
    state = fields.Selection(
        FORECAST_STATES, string="Status", default="draft", required=True, index=True,
        tracking=True, copy=False)
    lead_id = fields.Many2one(
        "crm.lead", string="Opportunity", index=True, ondelete="cascade", tracking=True,
        domain=[("type", "=", "opportunity")])
    partner_id = fields.Many2one(
        "res.partner", string="Account", compute="_compute_partner_id", store=True,
        readonly=False, index=True, tracking=True,
        help="The commercial entity (company) the forecast is about.")
    user_id = fields.Many2one(
        "res.users", string="Sales Rep", required=True, index=True, tracking=True,
        default=lambda self: self.env.user, domain=[("share", "=", False)])
    team_id = fields.Many2one(
        "crm.team", string="Team", compute="_compute_team_id", store=True, readonly=False, index=True)
    department_id = fields.Many2one(
        related="user_id.crm_department_id", store=True, index=True, string="Department")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    period_type = fields.Selection(
        [("month", "Month"), ("quarter", "Quarter")], string="Period", required=True, default="month")
    date = fields.Date(
        string="Period Date", required=True, default=fields.Date.context_today,
        help="Any day of the forecast period: the period is the month or quarter holding it.")
    date_start = fields.Date(compute="_compute_period", store=True, index=True, string="Period Start")
    date_end = fields.Date(compute="_compute_period", store=True, string="Period End")
    # Amount and probability follow the opportunity while the forecast is a draft and can
    # be overridden: an account forecast may have no opportunity, and a manager may forecast
    # a different probability than the rep's pipeline. Once approved they are frozen.
    amount = fields.Monetary(
        compute="_compute_amount_probability", store=True, readonly=False, tracking=True,
        help="The opportunity's expected revenue while the forecast is a draft; editable.")
    probability = fields.Float(
        compute="_compute_amount_probability", store=True, readonly=False, tracking=True,
        aggregator="avg", help="The opportunity's probability (%) while the forecast is a draft; editable.")
    value = fields.Monetary(
        string="Forecast Value", compute="_compute_value", store=True, tracking=True,
        help="Amount x probability.")
    actual_value = fields.Monetary(
        string="Actual", compute="_compute_actual_value", compute_sudo=False,
        help="Won revenue in the period: the opportunity's if it was won in the period, else the "
        "account's won opportunities closed in the period (those you may read).")
    approved_by_id = fields.Many2one("res.users", string="Approved By", readonly=True, copy=False)
    date_approved = fields.Datetime(string="Approved On", readonly=True, copy=False)
    note = fields.Text()
    can_approve = fields.Boolean(compute="_compute_can_approve")

    _sql_constraints = [
        ("probability_range", "CHECK (probability >= 0 AND probability <= 100)",
         "The probability is a percentage between 0 and 100."),
    ]

    # ------------------------------------------------------------------
    # computes
    # ------------------------------------------------------------------
    @api.depends("forecast_type", "lead_id.name", "partner_id.name")
    def _compute_name(self):
        types = dict(self._fields["forecast_type"]._description_selection(self.env))
        for forecast in self:
            subject = forecast.lead_id.name or forecast.partner_id.name or ""
            forecast.name = f"{types.get(forecast.forecast_type, '')} - {subject}".strip(" -") or "/"

    @api.depends("lead_id.partner_id")
    def _compute_partner_id(self):
        for forecast in self:
            if forecast.lead_id.partner_id:
                forecast.partner_id = forecast.lead_id.partner_id.commercial_partner_id

    @api.depends("lead_id.team_id", "user_id")
    def _compute_team_id(self):
        for forecast in self:
            forecast.team_id = forecast.lead_id.team_id or forecast.user_id.sale_team_id

    @api.depends("lead_id.expected_revenue", "lead_id.probability")
    def _compute_amount_probability(self):
        for forecast in self:
            # approved and closed forecasts keep their figures
            if forecast.lead_id and forecast.state == "draft":
                forecast.amount = forecast.lead_id.expected_revenue
                forecast.probability = forecast.lead_id.probability

    @api.depends("amount", "probability")
    def _compute_value(self):
        for forecast in self:
            forecast.value = forecast.currency_id.round(forecast.amount * forecast.probability / 100.0) \
                if forecast.currency_id else forecast.amount * forecast.probability / 100.0

    @api.depends("date", "period_type")
    def _compute_period(self):
        for forecast in self:
            if not forecast.date:
                forecast.date_start = forecast.date_end = False
                continue
            granularity = forecast.period_type or "month"
            forecast.date_start = date_utils.start_of(forecast.date, granularity)
            forecast.date_end = date_utils.end_of(forecast.date, granularity)

    @api.depends_context("uid")
    @api.depends("lead_id", "partner_id", "date_start", "date_end")
    def _compute_actual_value(self):
        """Won revenue in the period, read as the user: two grouped searches for the
        whole recordset (by opportunity, and by account and day), none per forecast."""
        self.actual_value = 0.0
        dated = self.filtered("date_start")
        if not dated:
            return
        Lead = self.env["crm.lead"].with_context(active_test=True)
        start = min(dated.mapped("date_start"))
        end = max(dated.mapped("date_end")) + relativedelta(days=1)
        won_domain = [("stage_id.is_won", "=", True), ("date_closed", ">=", start), ("date_closed", "<", end)]
        with_lead = dated.filtered("lead_id")
        by_lead = {}
        if with_lead:
            for lead, day, revenue in Lead._read_group(
                    won_domain + [("id", "in", with_lead.lead_id.ids)],
                    ["id", "date_closed:day"], ["expected_revenue:sum"]):
                by_lead[lead.id] = (fields.Date.to_date(day), revenue)
        accounts = (dated - with_lead).filtered("partner_id")
        by_account = {}
        if accounts:
            for partner, day, revenue in Lead._read_group(
                    won_domain + [("partner_id.commercial_partner_id", "in", accounts.partner_id.ids)],
                    ["partner_id", "date_closed:day"], ["expected_revenue:sum"]):
                key = partner.commercial_partner_id.id
                by_account.setdefault(key, []).append((fields.Date.to_date(day), revenue))
        for forecast in dated:
            if forecast.lead_id:
                rows = [by_lead[forecast.lead_id.id]] if forecast.lead_id.id in by_lead else []
            else:
                rows = by_account.get(forecast.partner_id.id, [])
            forecast.actual_value = sum(
                revenue for day, revenue in rows if forecast.date_start <= day <= forecast.date_end)

    @api.depends_context("uid")
    @api.depends("user_id", "state")
    def _compute_can_approve(self):
        for forecast in self:
            forecast.can_approve = forecast._may_approve(self.env.user)

    # ------------------------------------------------------------------
    # who approves
    # ------------------------------------------------------------------
    @api.model
    def _is_insights_admin(self, user):
        return user.has_group("crm_event_products.group_crm_conf_admin") \
            or user.has_group("sales_team.group_sale_manager")

    def _may_approve(self, user):
        """A manager of the rep's department, above the rep in the role hierarchy (never
        the rep himself), or a CRM administrator."""
        self.ensure_one()
        if self._is_insights_admin(user):
            return True
        rep = self.sudo().user_id
        if not rep or rep == user or not user.has_group("crm_sales_insights.group_sales_insights_manager"):
            return False
        department = user.crm_department_id
        return bool(department) and rep.crm_department_id == department \
            and (user.crm_role_id.crm_role_level or 0) > (rep.crm_role_id.crm_role_level or 0)

    def _check_may_approve(self):
        if self.env.su:
            return
        for forecast in self:
            if not forecast._may_approve(self.env.user):
                raise AccessError(self.env._(
                    "Only a manager of %(rep)s's department, above them in the role hierarchy, "
                    "can approve, close or reopen the forecast %(forecast)s.",
                    rep=forecast.sudo().user_id.name, forecast=forecast.display_name))

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(vals.get("state", "draft") != "draft" for vals in vals_list):
            raise AccessError(self.env._("A forecast starts as a draft; a manager approves it."))
        if not self.env.su and not self.env.user.has_group("crm_sales_insights.group_sales_insights_manager") \
                and any(vals.get("user_id", self.env.uid) != self.env.uid for vals in vals_list):
            raise AccessError(self.env._("You can only forecast for yourself; a manager forecasts for his people."))
        # created as drafts, so that the figures come from the opportunity; then the status
        # (superuser only: data files, imports by the system)
        vals_list = [dict(vals) for vals in vals_list]
        states = [vals.pop("state", "draft") for vals in vals_list]
        forecasts = super().create(vals_list)
        for forecast, state in zip(forecasts, states, strict=True):
            if state != "draft":
                forecast.write({"state": state})
        return forecasts

    def write(self, vals):
        if "state" in vals:
            # the figures of the status being left: compute what is pending (e.g. a draft
            # created and approved in one transaction) before the status freezes them
            self.mapped("amount")
            self.mapped("probability")
        if not self.env.su:
            if "state" in vals:
                wrong = self.filtered(lambda f: f.state != vals["state"]
                                      and (f.state, vals["state"]) not in TRANSITIONS)
                if wrong:
                    raise UserError(self.env._("A forecast goes from draft to approved to closed."))
                self.filtered(lambda f: f.state != vals["state"])._check_may_approve()
            elif set(vals) - {"note", "message_follower_ids", "activity_ids", "message_main_attachment_id"}:
                # an approved or closed forecast changes only by its approvers
                self.filtered(lambda f: f.state != "draft")._check_may_approve()
            if {"approved_by_id", "date_approved"} & set(vals):
                self._check_may_approve()
            if vals.get("user_id", self.env.uid) != self.env.uid and not self.env.user.has_group(
                    "crm_sales_insights.group_sales_insights_manager"):
                raise AccessError(self.env._(
                    "You can only forecast for yourself; a manager forecasts for his people."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        if not self.env.su and self.filtered(lambda f: f.state != "draft"):
            raise UserError(self.env._("Only draft forecasts can be deleted; reopen it first."))

    # ------------------------------------------------------------------
    # buttons
    # ------------------------------------------------------------------
    def action_approve(self):
        if self.filtered(lambda f: f.state != "draft"):
            raise UserError(self.env._("Only draft forecasts can be approved."))
        self.write({"state": "approved", "approved_by_id": self.env.user.id,
                    "date_approved": fields.Datetime.now()})
        return True

    def action_close(self):
        if self.filtered(lambda f: f.state != "approved"):
            raise UserError(self.env._("Only approved forecasts can be closed."))
        self.write({"state": "closed"})
        return True

    def action_reset_draft(self):
        if self.filtered(lambda f: f.state != "approved"):
            raise UserError(self.env._("Only approved forecasts go back to draft."))
        self.write({"state": "draft", "approved_by_id": False, "date_approved": False})
        return True

    def action_reopen(self):
        if self.filtered(lambda f: f.state != "closed"):
            raise UserError(self.env._("Only closed forecasts can be reopened."))
        self.write({"state": "approved"})
        return True
