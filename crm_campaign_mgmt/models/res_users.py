from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    crm_max_open_leads = fields.Integer(
        "Max Open Leads", default=50,
        help="Capacity of the rep for campaign lead assignment by capacity: the number of "
        "open leads they can hold at once.")
