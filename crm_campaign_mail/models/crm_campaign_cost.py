from odoo import api, fields, models


class CrmCampaignCost(models.Model):
    """What a campaign cost on one platform or channel (MailWizz, LinkedIn
    ads, IndiaMart listing...), the basis of the campaign's ROI."""

    _name = "crm.campaign.cost"
    _description = "Campaign Cost"
    _order = "date desc, id desc"

    campaign_id = fields.Many2one(
        "utm.campaign", "Campaign", required=True, index=True, ondelete="cascade",
        domain="[('crm_usable', '=', True)]")
    channel_id = fields.Many2one(
        "crm.campaign.channel", "Platform / Channel", required=True, index=True,
        ondelete="restrict")
    name = fields.Char("Description")
    date = fields.Date(required=True, default=fields.Date.context_today)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self.env.company.currency_id)
    amount = fields.Monetary(required=True, currency_field="currency_id")
    company_currency_id = fields.Many2one(related="company_id.currency_id", string="Company Currency")
    amount_company = fields.Monetary(
        "Amount (Company Currency)", currency_field="company_currency_id",
        compute="_compute_amount_company", store=True,
        help="Amount converted into the company currency at the cost date; what metrics sum.")

    _sql_constraints = [
        ("amount_positive", "CHECK(amount >= 0)", "A cost cannot be negative."),
    ]

    @api.constrains("campaign_id")
    def _check_campaign_usable(self):
        """Only a campaign the user may use (``utm.campaign._crm_usable_domain``)."""
        self.campaign_id._crm_check_usable()

    @api.depends("amount", "currency_id", "company_id", "date")
    def _compute_amount_company(self):
        for cost in self:
            company_currency = cost.company_id.currency_id
            if not cost.currency_id or not company_currency or cost.currency_id == company_currency:
                cost.amount_company = cost.amount
            else:
                cost.amount_company = cost.currency_id._convert(
                    cost.amount, company_currency, cost.company_id,
                    cost.date or fields.Date.context_today(cost))
