import base64
import itertools

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..lib.error_file import MASK
from ..lib.mapping import (
    FIELD_LABELS,
    REQUIRED_FIELDS,
    SENSITIVE_FIELDS,
    guess_mapping,
    is_sensitive_header,
)
from ..lib.readers import ImportFileError, cell_text, open_table
from ..lib.validation import check_phone, country_label

SAMPLE_ROWS = 5
PREVIEW_PHONES = 3


class CrmCampaignImportWizard(models.TransientModel):
    """Upload a list, check the guessed column mapping, import it as leads or as
    targets of a campaign."""

    _name = "crm.campaign.import.wizard"
    _inherit = ["crm.import.wizard.mixin"]
    _description = "Import Leads or Campaign Targets"

    step = fields.Selection([("upload", "1. Upload the File"), ("mapping", "2. Map the Columns")],
                            default="upload", required=True)
    import_type = fields.Selection(default=lambda self: self._default_import_type())
    phone_preview = fields.Html(
        "Phone Numbers Read As", compute="_compute_phone_preview", sanitize=True,
        help="A few numbers of the file as they will be stored, read with the default "
        "country when the row names none.")
    file = fields.Binary("File", required=True, attachment=False)
    file_name = fields.Char()
    file_format = fields.Char(readonly=True)
    total_rows = fields.Integer("Rows in File", readonly=True)
    default_platform = fields.Char(
        "Platform Source", help="Platform source (e.g. IndiaMart, LinkedIn) of rows that "
        "have no platform column value.")
    keep_unmapped = fields.Boolean("Keep Other Columns", default=True)
    line_ids = fields.One2many("crm.campaign.import.wizard.line", "wizard_id", "Columns")
    background = fields.Boolean(compute="_compute_background")
    has_sensitive = fields.Boolean(compute="_compute_has_sensitive")

    @api.model
    def _default_import_type(self):
        """Campaign managers import campaign targets, the other roles (researchers,
        producers...) import their leads; opened from a campaign: its targets."""
        if self.env.context.get("default_campaign_id") or self.env.user.has_group(
                "crm_campaign_mgmt.group_campaign_manager"):
            return "targets"
        return "leads"

    @api.depends("line_ids.field_key", "line_ids.sample_values", "default_country_id")
    def _compute_phone_preview(self):
        for wizard in self:
            phone_line = wizard.line_ids.filtered(lambda line: line.field_key == "phone")[:1]
            values = [v for v in (phone_line.sample_values or []) if v][:PREVIEW_PHONES]
            if not values:
                wizard.phone_preview = False
                continue
            country = wizard.default_country_id
            names = {country.code: country.name} if country else {}
            items = []
            for value in values:
                e164, reason = check_phone(value, country.code or None, names)
                items.append(Markup("<li><code>%s</code> &#8594; %s</li>") % (
                    value, e164 or reason))
            wizard.phone_preview = Markup("<p>%s</p><ul>%s</ul>") % (
                self.env._("Read as numbers of %(country)s when the row names no country:",
                           country=country_label(country.code, names) if country
                           else self.env._("no country")),
                Markup("").join(items))

    @api.depends("total_rows")
    def _compute_background(self):
        threshold = self.env["crm.campaign.import.job"]._get_background_threshold()
        for wizard in self:
            wizard.background = wizard.total_rows > threshold

    @api.depends("line_ids.field_key", "line_ids.header")
    def _compute_has_sensitive(self):
        for wizard in self:
            wizard.has_sensitive = any(
                line.field_key in SENSITIVE_FIELDS
                or (not line.field_key and is_sensitive_header(line.header))
                for line in wizard.line_ids)

    def _reopen(self):
        # the dialog keeps its title on the mapping step (an action without name shows "Odoo")
        title = self.env._("Import Leads") if self.import_type == "leads" \
            else self.env._("Import Targets")
        return {
            "type": "ir.actions.act_window",
            "name": title,
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    def action_read_columns(self):
        """Read the header and a few rows; guess the mapping."""
        self.ensure_one()
        if not self.file:
            raise UserError(self.env._("Upload a file first."))
        data = base64.b64decode(self.file)
        try:
            table = open_table(data, self.file_name or "upload.csv")
        except ImportFileError as error:
            raise UserError(self.env._("The file cannot be read: %(error)s", error=error)) \
                from error
        try:
            samples = [values for _n, values in itertools.islice(table.iter_rows(), SAMPLE_ROWS)]
            total = max(table.estimate_rows() - len(table.header_row_numbers), 0)
        finally:
            table.close()
        mapping = guess_mapping(table.header)
        lines = [fields.Command.clear()]
        for index, header in enumerate(table.header):
            sample = ", ".join(
                text for text in (cell_text(row[index]) for row in samples) if text)
            if sample and (mapping.get(index) in SENSITIVE_FIELDS or is_sensitive_header(header)):
                sample = MASK  # the preview is stored: no sensitive value in clear
            sensitive = sample == MASK
            lines.append(fields.Command.create({
                "column_index": index,
                "header": header,
                "sample": sample[:200],
                "sample_values": [] if sensitive else [
                    cell_text(row[index]) if index < len(row) else "" for row in samples],
                "field_key": mapping.get(index, False),
            }))
        self.write({
            "step": "mapping",
            "file_format": table.fmt,
            "total_rows": total,
            "line_ids": lines,
        })
        return self._reopen()

    def action_back(self):
        self.step = "upload"
        return self._reopen()

    def _get_mapping(self):
        self.ensure_one()
        mapping, seen = {}, {}
        for line in self.line_ids.filtered("field_key"):
            if line.field_key in seen:
                raise UserError(self.env._(
                    "Columns %(first)s and %(second)s are both imported as %(field)s.",
                    first=seen[line.field_key], second=line.header,
                    field=FIELD_LABELS[line.field_key]))
            seen[line.field_key] = line.header
            mapping[str(line.column_index)] = line.field_key
        missing = [FIELD_LABELS[key] for key in REQUIRED_FIELDS if key not in seen]
        if missing:
            raise UserError(self.env._(
                "Map a column to each mandatory field: %(fields)s.",
                fields=", ".join(missing)))
        return mapping

    def action_import(self):
        self.ensure_one()
        mapping = self._get_mapping()
        self._check_import()
        Job = self.env["crm.campaign.import.job"]
        # _internal(): the import's own fields (file, mapping, requester) are set here only
        job = Job._internal().create({
            "name": self.file_name or "upload.csv",
            "import_type": self.import_type,
            "assign_leads": self.import_type == "targets" and self.assign_leads,
            "campaign_id": self.campaign_id.id,
            "event_id": self.event_id.id,
            "file_format": self.file_format,
            "header": self.line_ids.sorted("column_index").mapped("header"),
            "mapping": mapping,
            "default_country_id": self.default_country_id.id,
            "default_platform": self.default_platform,
            "keep_unmapped": self.keep_unmapped,
            "total_rows": self.total_rows,
        })
        attachment = self.env["ir.attachment"].create({
            "name": job.name,
            "datas": self.file,
            "res_model": job._name,
            "res_id": job.id,
        })
        job.write({"attachment_id": attachment.id})
        return Job.browse(job.id).action_start()
