from odoo import _, fields, models


class CrmTeamExportWizard(models.TransientModel):
    """The team export may add the contact kind as a last column.

    The defined export stays exactly the administrator's columns (by default First name,
    Last name, Job title, Company); the kind is added only when the user asks for it.
    """

    _inherit = "crm.team.export.wizard"

    include_contact_kind = fields.Boolean(
        string="Add the contact kind",
        help="Adds a last column with each lead's contact kind (speaker, delegate, sponsor...).",
    )

    def _export_rows(self):
        header, rows = super()._export_rows()
        if not self.include_contact_kind:
            return header, rows
        leads = self._team_leads()
        labels = dict(leads._fields["crm_contact_kind"]._description_selection(self.env))
        kinds = leads.read(["crm_contact_kind"])
        header = header + [_("Contact kind")]
        for row, record in zip(rows, kinds, strict=True):
            row.append(labels.get(record["crm_contact_kind"], ""))
        return header, rows
