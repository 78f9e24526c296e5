from odoo import models


class CrmExportProfile(models.Model):
    _inherit = "crm.export.profile"

    def _rows(self, leads):
        """Selection columns (e.g. the contact kind) show their label, not their key."""
        header, rows = super()._rows(leads)
        lines = self.line_ids.sorted("sequence")
        labels = {}
        for position, line in enumerate(lines):
            field = leads._fields.get(line.field_id.name)
            if field is not None and field.type == "selection":
                labels[position] = dict(field._description_selection(leads.env))
        if labels:
            for row in rows:
                for position, mapping in labels.items():
                    row[position] = mapping.get(row[position], row[position])
        return header, rows
