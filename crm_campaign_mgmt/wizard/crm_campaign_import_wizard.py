import base64
import itertools

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

SAMPLE_ROWS = 3


class CrmCampaignImportWizard(models.TransientModel):
    """Upload a target list, check the guessed column mapping, import."""

    _name = "crm.campaign.import.wizard"
    _description = "Import Campaign Targets"

    step = fields.Selection([("upload", "Upload"), ("mapping", "Mapping")], default="upload",
                            required=True)
    campaign_id = fields.Many2one("utm.campaign", "Campaign", required=True)
    event_id = fields.Many2one(
        "event.event", "Conference", compute="_compute_event_id", store=True, readonly=False,
        help="Conference product of the targets; duplicates are searched among its targets "
        "and leads.")
    file = fields.Binary("File", required=True, attachment=False)
    file_name = fields.Char()
    file_format = fields.Char(readonly=True)
    total_rows = fields.Integer("Rows in File", readonly=True)
    default_country_id = fields.Many2one(
        "res.country", "Default Country",
        default=lambda self: self.env.company.country_id or self.env.ref(
            "base.in", raise_if_not_found=False),
        help="Country used to read phone numbers of rows that name none.")
    default_platform = fields.Char(
        "Platform Source", help="Platform source (e.g. IndiaMart, LinkedIn) of rows that "
        "have no platform column value.")
    keep_unmapped = fields.Boolean("Keep Other Columns", default=True)
    line_ids = fields.One2many("crm.campaign.import.wizard.line", "wizard_id", "Columns")
    background = fields.Boolean(compute="_compute_background")
    has_sensitive = fields.Boolean(compute="_compute_has_sensitive")

    @api.depends("campaign_id")
    def _compute_event_id(self):
        for wizard in self:
            if "event_id" in wizard.campaign_id._fields:
                wizard.event_id = wizard.campaign_id.event_id

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
        return {
            "type": "ir.actions.act_window",
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
            lines.append(fields.Command.create({
                "column_index": index,
                "header": header,
                "sample": sample[:200],
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
        if not self.event_id:
            raise UserError(self.env._(
                "Choose the conference product of the targets (every lead needs one)."))
        Job = self.env["crm.campaign.import.job"]
        # _internal(): the import's own fields (file, mapping, requester) are set here only
        job = Job._internal().create({
            "name": self.file_name or "upload.csv",
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
