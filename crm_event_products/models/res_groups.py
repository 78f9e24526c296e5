from odoo import fields, models


class ResGroups(models.Model):
    """Marks the groups that are conference-CRM roles and where they stand."""

    _inherit = "res.groups"

    crm_department_id = fields.Many2one(
        "crm.department",
        string="CRM Department",
        help="Set on the groups that are roles of a department.",
    )
    crm_role_code = fields.Char(string="Role Code", help="Short name of the role, e.g. PD, SE.")
    crm_role_level = fields.Integer(
        string="Role Level", help="Rank of the role in its department, 1 being the lowest."
    )
