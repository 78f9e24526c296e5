from odoo import fields, models


class CrmCampaignTarget(models.Model):
    _inherit = "crm.campaign.target"

    mailwizz_subscriber_ids = fields.One2many(
        "mailwizz.subscriber", "target_id", string="MailWizz Subscriptions"
    )
