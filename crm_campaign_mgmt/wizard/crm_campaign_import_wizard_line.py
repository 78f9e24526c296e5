from odoo import fields, models

from ..lib.mapping import FIELDS


class CrmCampaignImportWizardLine(models.TransientModel):
    _name = "crm.campaign.import.wizard.line"
    _description = "Column Mapping of an Import"
    _order = "column_index"

    wizard_id = fields.Many2one(
        "crm.campaign.import.wizard", required=True, ondelete="cascade")
    column_index = fields.Integer("#", required=True)
    header = fields.Char("Column", readonly=True)
    sample = fields.Char("Sample Values", readonly=True)
    sample_values = fields.Json("Sample List", readonly=True, help="The sample values, one per row "
                                "(none for a sensitive column).")
    field_key = fields.Selection(
        [(key, label) for key, label, _synonyms in FIELDS], "Import As",
        help="Target field of the column; empty: the column is kept as other data "
        "(or ignored).")
