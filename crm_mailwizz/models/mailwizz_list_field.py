from odoo import fields, models


class MailwizzListField(models.Model):
    _name = "mailwizz.list.field"
    _description = "MailWizz List Custom Field"
    _order = "list_id, id"

    list_id = fields.Many2one("mailwizz.list", required=True, ondelete="cascade", index=True)
    tag = fields.Char(required=True, help="Field tag used in API payloads, e.g. EMAIL, FNAME.")
    label = fields.Char()
    required = fields.Boolean()
    field_type = fields.Char(string="Type")
    field_id_mw = fields.Char(string="MailWizz Field ID")
    lead_field_id = fields.Many2one(
        "ir.model.fields",
        string="Lead Field",
        domain=[
            ("model", "=", "crm.lead"),
            ("ttype", "in", ("char", "text", "selection", "many2one", "date", "integer")),
        ],
        ondelete="set null",
        help="crm.lead field whose value is pushed into this MailWizz field "
        "(default: by tag, e.g. FNAME = contact first name, COMPANY = company name).",
    )
    target_field_id = fields.Many2one(
        "ir.model.fields",
        string="Target Field",
        domain=[
            ("model", "=", "crm.campaign.target"),
            ("ttype", "in", ("char", "text", "selection", "many2one", "date", "integer")),
        ],
        ondelete="set null",
        help="Campaign target (imported row) field pushed into this MailWizz field; defaults to "
        "the target field matching the lead field.",
    )

    _sql_constraints = [
        ("tag_unique", "UNIQUE(list_id, tag)", "A list field tag must be unique per list."),
    ]
