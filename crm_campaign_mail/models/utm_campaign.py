from odoo import api, fields, models

from ..lib.crm_campaign_metric_rates import AMOUNTS, COUNTERS, RATES


class UtmCampaign(models.Model):
    """Metrics tab of the campaign: figures of ``crm.campaign.metric``
    (CRM mail, MailWizz, responses, won leads, costs) read with one
    ``_read_group`` for all displayed campaigns."""

    _inherit = "utm.campaign"

    crm_cost_ids = fields.One2many("crm.campaign.cost", "campaign_id", "Costs")
    crm_response_ids = fields.One2many(
        "crm.campaign.response", "campaign_id", "Campaign Responses")

    metric_sent_count = fields.Integer("Emails Sent", compute="_compute_crm_metrics")
    metric_delivered_count = fields.Integer("Delivered", compute="_compute_crm_metrics")
    metric_opened_count = fields.Integer("Opened", compute="_compute_crm_metrics")
    metric_clicked_count = fields.Integer("Clicked", compute="_compute_crm_metrics")
    metric_bounced_count = fields.Integer("Bounced", compute="_compute_crm_metrics")
    metric_unsubscribed_count = fields.Integer("Unsubscribed", compute="_compute_crm_metrics")
    metric_response_count = fields.Integer("Responses", compute="_compute_crm_metrics")
    metric_lead_generated_count = fields.Integer(
        "Leads Generated", compute="_compute_crm_metrics")
    metric_won_count = fields.Integer("Won Leads", compute="_compute_crm_metrics")
    metric_revenue = fields.Float("Revenue", compute="_compute_crm_metrics", digits=(16, 2))
    metric_cost = fields.Float("Cost", compute="_compute_crm_metrics", digits=(16, 2))
    metric_delivery_rate = fields.Float("Delivery Rate (%)", compute="_compute_crm_metrics")
    metric_open_rate = fields.Float("Open Rate (%)", compute="_compute_crm_metrics")
    metric_click_rate = fields.Float("Click Rate (%)", compute="_compute_crm_metrics")
    metric_bounce_rate = fields.Float("Bounce Rate (%)", compute="_compute_crm_metrics")
    metric_unsubscribe_rate = fields.Float("Unsubscribe Rate (%)", compute="_compute_crm_metrics")
    metric_response_rate = fields.Float("Response Rate (%)", compute="_compute_crm_metrics")
    metric_conversion_rate = fields.Float(
        "Conversion Rate (%)", compute="_compute_crm_metrics",
        help="Leads generated per response received.")
    metric_roi = fields.Float(
        "ROI (%)", compute="_compute_crm_metrics",
        help="(Expected revenue of the campaign's won leads - cost) / cost.")
    metric_currency_id = fields.Many2one(
        "res.currency", compute="_compute_crm_metrics", string="Metrics Currency")

    @api.depends_context("uid")
    def _compute_crm_metrics(self):
        figures = self.env["crm.campaign.metric"]._get_campaign_figures(
            [cid for cid in self.ids if cid])
        names = (*COUNTERS, *AMOUNTS, *RATES, "roi")
        currency = self.env.company.currency_id
        for campaign in self:
            values = figures.get(campaign.id, {})
            campaign.update({f"metric_{name}": values.get(name) or 0 for name in names})
            campaign.metric_currency_id = currency

    def action_view_crm_metrics(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_campaign_mail.crm_campaign_metric_action")
        action["domain"] = [("campaign_id", "=", self.id)]
        action["context"] = {"search_default_group_source": 1}
        action["display_name"] = self.env._("Metrics of %(campaign)s", campaign=self.display_name)
        return action

    def action_view_crm_responses(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_campaign_mail.crm_campaign_response_action")
        action["domain"] = [("campaign_id", "=", self.id)]
        action["context"] = {"default_campaign_id": self.id, "create": False}
        return action

    def action_view_crm_mail_traces(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_campaign_mail.crm_mail_trace_action")
        action["domain"] = [("campaign_id", "=", self.id)]
        action["context"] = {"create": False}
        return action
