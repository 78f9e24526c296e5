import base64
import csv
import io

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

try:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
except ImportError:  # pragma: no cover - declared in external_dependencies
    openpyxl = WriteOnlyCell = None

# Spreadsheet apps read a cell starting with one of these as a formula (CSV injection).
# Odoo's own CSV export (web/controllers/export.py, CSVExport.from_data) prefixes a quote
# to cells starting with = - +; OWASP adds @, tab and carriage return.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value):
    """A text cell that a spreadsheet app cannot take for a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class CrmTeamExportWizard(models.TransientModel):
    """The defined team export of Phone Sales roles.

    The file holds the columns of the user's export profile (by default First
    name, Last name, Job title, Company) for the leads of one of the user's
    teams on the team's product, and only while that product is active.
    """

    _name = "crm.team.export.wizard"
    _description = "Team Lead Export"

    team_id = fields.Many2one(
        "crm.team",
        string="Team",
        required=True,
        domain="[('id', 'in', allowed_team_ids)]",
        default=lambda self: self._default_team(),
    )
    allowed_team_ids = fields.Many2many("crm.team", compute="_compute_allowed_team_ids")
    file_format = fields.Selection(
        [("xlsx", "Excel (.xlsx)"), ("csv", "CSV")], required=True, default="xlsx"
    )
    data = fields.Binary(readonly=True, attachment=False)
    filename = fields.Char(readonly=True)

    @api.model
    def _user_teams(self):
        user = self.env.user
        if user.has_group("crm_event_products.group_crm_conf_admin"):
            return self.env["crm.team"].search([("crm_product_id", "!=", False)])
        return self.env["crm.team"].search(
            [
                ("crm_product_id", "!=", False),
                "|",
                ("user_id", "=", user.id),
                ("crm_team_member_ids.user_id", "=", user.id),
            ]
        )

    @api.model
    def _default_team(self):
        return self._user_teams()[:1]

    def _compute_allowed_team_ids(self):
        teams = self._user_teams()
        for wizard in self:
            wizard.allowed_team_ids = teams

    def _check_can_export(self):
        user = self.env.user
        if not user.has_group("crm_event_products.group_crm_team_export") and not user.has_group(
            "crm_event_products.group_crm_conf_admin"
        ):
            raise AccessError(_("Your role has no defined team export."))
        if self.team_id not in self._user_teams():
            raise AccessError(
                _("You can only export the leads of your own team, not %(team)s.",
                  team=self.team_id.name)
            )
        if not self.team_id.crm_product_active:
            raise UserError(
                _(
                    "The product of team %(team)s is not active any more: its leads can no "
                    "longer be exported.",
                    team=self.team_id.name,
                )
            )

    def _team_leads(self):
        # The team export deliberately goes beyond the user's own leads (SE/SSE see only
        # theirs): it reads the team's leads as superuser, limited to the profile columns.
        return (
            self.env["crm.lead"]
            .sudo()
            .with_context(active_test=False)
            .search(
                [("team_id", "=", self.team_id.id), ("event_id", "=", self.team_id.crm_product_id.id)],
                order="id",
            )
        )

    def _export_rows(self):
        profile = self.env["crm.export.profile"].sudo()._for_user(self.env.user)
        if not profile:
            raise UserError(_("No defined export is configured for your role."))
        return profile._rows(self._team_leads())

    def action_export(self):
        self.ensure_one()
        self._check_can_export()
        header, rows = self._export_rows()
        content = self._to_xlsx(header, rows) if self.file_format == "xlsx" else self._to_csv(
            header, rows
        )
        stem = "%s - %s" % (self.team_id.name, self.team_id.crm_product_id.name)
        self.write(
            {"data": base64.b64encode(content), "filename": "%s.%s" % (stem, self.file_format)}
        )
        return {
            "type": "ir.actions.act_url",
            "url": "/web/content/?model=%s&id=%s&field=data&filename_field=filename&download=true"
            % (self._name, self.id),
            "target": "self",
        }

    @staticmethod
    def _to_csv(header, rows):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for row in [header, *rows]:
            writer.writerow([neutralise_cell(value) for value in row])
        return buffer.getvalue().encode("utf-8-sig")

    @staticmethod
    def _to_xlsx(header, rows):
        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet(title="Leads")

        def text_cell(value):
            # openpyxl stores a string starting with "=" as a formula: force the text type
            if not isinstance(value, str):
                return value
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            return cell

        for row in [header, *rows]:
            sheet.append([text_cell(value) for value in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
