from odoo import fields, models


class CrmCampaignChannel(models.Model):
    _name = "crm.campaign.channel"
    _description = "Campaign Channel or Platform"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Technical code, e.g. email, sms, linkedin.")
    category = fields.Selection(
        [
            ("channel", "Messaging Channel"),
            ("social", "Social Network"),
            ("directory", "Directory Portal"),
        ],
        required=True, default="channel")
    sequence = fields.Integer(default=10)
    color = fields.Integer()
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("code_unique", "UNIQUE(code)", "The channel code must be unique."),
    ]
