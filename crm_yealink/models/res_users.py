from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    yealink_phone_ids = fields.One2many("yealink.phone", "user_id", string="Yealink Phones")
