from odoo import fields, models


class MailwizzListSegment(models.Model):
    _name = "mailwizz.list.segment"
    _description = "MailWizz List Segment"
    _order = "list_id, name"

    list_id = fields.Many2one("mailwizz.list", required=True, ondelete="cascade", index=True)
    segment_uid = fields.Char(string="Segment UID", required=True)
    name = fields.Char(required=True)
    subscribers_count = fields.Integer()

    _sql_constraints = [
        ("segment_uid_unique", "UNIQUE(list_id, segment_uid)", "This segment is already imported."),
    ]
