from odoo import fields, models


class CrmExportProfileLine(models.Model):
    _name = "crm.export.profile.line"
    _description = "Defined Export Column"
    _order = "sequence, id"

    profile_id = fields.Many2one(
        "crm.export.profile", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    field_id = fields.Many2one(
        "ir.model.fields",
        string="Lead Field",
        required=True,
        ondelete="cascade",
        domain=[("model", "=", "crm.lead"), ("store", "=", True)],
    )
    label = fields.Char(string="Column Title", translate=True)
