import json
import logging
import threading
import time

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.modules import module as odoo_module

from ..lib.background import BatchConsumer
from ..lib.enrichment import DEFAULT_CITY_STATES, RegionResolver
from ..lib.error_file import ErrorFileWriter, error_file_name
from ..lib.pipeline import STATUS_OK, RowProcessor
from ..lib.readers import ImportFileError, detect_format, open_table

_logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
BACKGROUND_THRESHOLD = 5000
PARAM_THRESHOLD = "crm_campaign_mgmt.import_background_threshold"
PARAM_REGION_CLUSTERS = "crm_campaign_mgmt.region_clusters"
JOB_STATES = [
    ("draft", "Draft"),
    ("queued", "Queued"),
    ("running", "Running"),
    ("done", "Done"),
    ("failed", "Failed"),
]
# pipeline record key -> crm.campaign.target column
RECORD_COLUMNS = {
    "full_name": "name",
    "first_name": "first_name",
    "last_name": "last_name",
    "email": "email",
    "phone": "phone",
    "company": "company_name",
    "job_title": "job_title",
    "street": "street",
    "street2": "street2",
    "city": "city",
    "state": "state_name",
    "zip": "zip",
    "industry": "industry",
    "platform": "platform_source",
    "website": "website",
    "employees": "employees",
    "region": "region",
    "region_cluster": "region_cluster",
    "segment": "segment",
    "row_number": "row_number",
}


class CrmCampaignImportJob(models.Model):
    """One upload of campaign targets and its result.

    Small files are imported at once from the wizard; large ones are queued and
    imported by the ``ir_cron_campaign_import`` scheduled action, which commits
    after every batch so the form's progress bar moves.
    """

    _name = "crm.campaign.import.job"
    _inherit = ["mail.thread"]
    _description = "Campaign Target Import"
    _order = "id desc"

    name = fields.Char("File", required=True)
    campaign_id = fields.Many2one(
        "utm.campaign", "Campaign", required=True, index=True, ondelete="cascade")
    event_id = fields.Many2one(
        "event.event", "Conference", index=True,
        help="Duplicates are searched among the targets and leads of this conference "
        "(of the campaign when empty).")
    user_id = fields.Many2one(
        "res.users", "Imported By", default=lambda self: self.env.user, index=True,
        readonly=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    attachment_id = fields.Many2one("ir.attachment", "Uploaded File", readonly=True)
    file_format = fields.Selection(
        [("xlsx", "Excel (.xlsx)"), ("xls", "Excel 97 (.xls)"), ("csv", "CSV")],
        readonly=True)
    header = fields.Json(readonly=True)
    mapping = fields.Json(readonly=True, help="{column index: target field}")
    mapping_summary = fields.Text(compute="_compute_mapping_summary")
    default_country_id = fields.Many2one(
        "res.country", "Default Country",
        help="Country used to read phone numbers of rows that name none.")
    default_platform = fields.Char(
        "Platform Source", help="Platform source of rows that have no platform column value.")
    keep_unmapped = fields.Boolean(
        "Keep Other Columns", default=True,
        help="Store the values of unmapped columns on the targets.")
    state = fields.Selection(JOB_STATES, default="draft", required=True, readonly=True,
                             tracking=True, index=True)
    progress = fields.Float(readonly=True)
    total_rows = fields.Integer("Rows in File", readonly=True)
    count_read = fields.Integer("Read", readonly=True)
    count_imported = fields.Integer("Imported", readonly=True)
    count_duplicate = fields.Integer("Duplicates", readonly=True)
    count_invalid = fields.Integer("Invalid", readonly=True)
    error_attachment_id = fields.Many2one("ir.attachment", "Error File", readonly=True)
    error_file_name = fields.Char(related="error_attachment_id.name")
    log = fields.Text(readonly=True)
    date_started = fields.Datetime("Started", readonly=True)
    date_finished = fields.Datetime("Finished", readonly=True)
    duration = fields.Float("Duration (s)", readonly=True, digits=(16, 1))
    rows_per_second = fields.Float("Rows per Second", readonly=True, digits=(16, 0))
    target_ids = fields.One2many("crm.campaign.target", "job_id", "Targets")

    @api.depends("mapping", "header")
    def _compute_mapping_summary(self):
        for job in self:
            header = job.header or []
            lines = [
                f"{header[int(index)] if int(index) < len(header) else index} -> {field}"
                for index, field in sorted((job.mapping or {}).items(), key=lambda i: int(i[0]))
            ]
            job.mapping_summary = "\n".join(lines) or False

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------

    @api.model
    def _get_background_threshold(self):
        value = self.env["ir.config_parameter"].sudo().get_param(PARAM_THRESHOLD)
        try:
            return int(value) if value else BACKGROUND_THRESHOLD
        except ValueError:
            return BACKGROUND_THRESHOLD

    def action_start(self):
        """Import now, or queue for the scheduled action when the file is large."""
        self.ensure_one()
        if self.state not in ("draft", "failed"):
            raise UserError(self.env._("This import has already been started."))
        if self.total_rows > self._get_background_threshold():
            self.write({"state": "queued", "progress": 0.0})
            self.env.ref("crm_campaign_mgmt.ir_cron_campaign_import").sudo()._trigger()
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "info",
                    "title": self.env._("Import queued"),
                    "message": self.env._(
                        "%(file)s has about %(rows)s rows: it is imported in the background. "
                        "You will be notified when it is done.",
                        file=self.name, rows=self.total_rows),
                    "next": self._action_open_form(),
                },
            }
        self._run_import()
        return self._action_open_form()

    def _action_open_form(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    def action_download_errors(self):
        self.ensure_one()
        if not self.error_attachment_id:
            raise UserError(self.env._("This import has no rejected row."))
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self.error_attachment_id.id}?download=true",
            "target": "self",
        }

    def action_view_targets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_campaign_mgmt.action_crm_campaign_target")
        action["domain"] = [("job_id", "=", self.id)]
        action["context"] = {"default_campaign_id": self.campaign_id.id}
        return action

    def action_retry(self):
        return self.action_start()

    # ------------------------------------------------------------------
    # background processing
    # ------------------------------------------------------------------

    @api.model
    def _cron_process_jobs(self, limit=3):
        """Scheduled action: import the queued jobs, oldest first."""
        jobs = self.search([("state", "=", "queued")], order="id", limit=limit)
        for job in jobs:
            job.with_context(crm_campaign_import_commit=True)._run_import_safe()
        if self.search_count([("state", "=", "queued")]):
            self.env.ref("crm_campaign_mgmt.ir_cron_campaign_import")._trigger()

    def _should_commit(self):
        """Commit per batch in the scheduled action only (never inside tests)."""
        testing = odoo_module.current_test or self.env.registry.in_test_mode()
        return bool(self.env.context.get("crm_campaign_import_commit")) and not testing

    def _run_import_safe(self):
        """Run the import; on an error mark the job failed instead of raising."""
        self.ensure_one()
        try:
            self._run_import()
        except Exception as error:  # noqa: BLE001 - reported on the job, never lost
            _logger.exception("Campaign target import %s failed", self.id)
            if self._should_commit():
                self.env.cr.rollback()
            self.write({
                "state": "failed",
                "date_finished": fields.Datetime.now(),
                "log": self.env._("The import failed: %(error)s", error=error),
            })
            self._notify_user(failed=True)
            if self._should_commit():
                self.env.cr.commit()  # pylint: disable=invalid-commit

    # ------------------------------------------------------------------
    # the import
    # ------------------------------------------------------------------

    def _get_file_source(self):
        """A path in the filestore (streamed by the readers) or the bytes."""
        attachment = self.attachment_id.sudo()
        if not attachment:
            raise UserError(self.env._("The import has no file."))
        if attachment.store_fname:
            return attachment._full_path(attachment.store_fname)
        return attachment.raw

    @api.model
    def _get_region_resolver(self):
        value = self.env["ir.config_parameter"].sudo().get_param(PARAM_REGION_CLUSTERS)
        if value:
            try:
                clusters = json.loads(value)
                if isinstance(clusters, dict):
                    return RegionResolver(clusters, DEFAULT_CITY_STATES)
            except ValueError:
                _logger.warning("Parameter %s is not valid JSON; default regions used",
                                PARAM_REGION_CLUSTERS)
        return RegionResolver()

    def _get_default_region(self):
        country = self.default_country_id or self.company_id.country_id
        return country.code or "IN"

    def _open_table(self):
        try:
            return open_table(self._get_file_source(), self.name)
        except ImportFileError as error:
            raise UserError(self.env._("The file cannot be read: %(error)s", error=error)) \
                from error

    def _run_import(self):
        self.ensure_one()
        commit = self._should_commit()
        self.write({
            "state": "running",
            "date_started": fields.Datetime.now(),
            "date_finished": False,
            "progress": 0.0,
            "count_read": 0,
            "count_imported": 0,
            "count_duplicate": 0,
            "count_invalid": 0,
            "log": False,
        })
        if commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        started = time.monotonic()
        table = self._open_table()
        try:
            counts, writer = self._import_table(table, commit)
        finally:
            table.close()
        error_attachment = self.env["ir.attachment"]
        if writer.count:
            error_attachment = self.env["ir.attachment"].sudo().create({
                "name": error_file_name(self.name, table.fmt),
                "raw": writer.render(),
                "mimetype": writer.mimetype,
                "res_model": self._name,
                "res_id": self.id,
            })
        duration = time.monotonic() - started
        self.write({
            "state": "done",
            "progress": 100.0,
            "date_finished": fields.Datetime.now(),
            "duration": duration,
            "rows_per_second": counts["read"] / duration if duration else 0.0,
            "error_attachment_id": error_attachment.id,
            "count_read": counts["read"],
            "count_imported": counts["imported"],
            "count_duplicate": counts["duplicate"],
            "count_invalid": counts["invalid"],
            "log": self.env._(
                "%(read)s rows read: %(imported)s imported, %(duplicate)s duplicates, "
                "%(invalid)s invalid, in %(seconds)s s.",
                read=counts["read"], imported=counts["imported"],
                duplicate=counts["duplicate"], invalid=counts["invalid"],
                seconds=round(duration, 1)),
        })
        self._notify_user()
        if commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        return counts

    def _import_table(self, table, commit):
        mapping = {int(index): field for index, field in (self.mapping or {}).items()}
        countries = self.env["res.country"].search_read([], ["code", "name"])
        country_codes = {}
        for country in countries:
            country_codes[country["code"].lower()] = country["code"]
            country_codes[country["name"].lower()] = country["code"]
        country_ids = {country["code"]: country["id"] for country in countries}
        processor = RowProcessor(
            mapping, table.header, default_region=self._get_default_region(),
            country_codes=country_codes, region_resolver=self._get_region_resolver(),
            keep_unmapped=self.keep_unmapped)
        writer = ErrorFileWriter(table.fmt, table.header, table.delimiter, table.encoding)
        total = max(table.estimate_rows() - len(table.header_row_numbers), 1)
        Target = self.env["crm.campaign.target"].sudo()
        context = {
            "sealer": Target._get_sealer(),
            "country_ids": country_ids,
            "target": Target,
        }
        # the parsing thread counts read/duplicate/invalid rows, the writer thread what the
        # database decides (imported, duplicates of existing records): no shared counter
        counts = {"read": 0, "imported": 0, "duplicate": 0, "invalid": 0}
        db_counts = {"imported": 0, "duplicate": 0}
        writer = _LockedWriter(writer)

        def write_batch(batch):
            self._import_batch(batch, writer, db_counts, context)
            self._report_progress(self._merge_counts(counts, db_counts), total, commit)

        batch = []
        with BatchConsumer(write_batch) as consumer:
            for number, values in table.iter_rows():
                counts["read"] += 1
                status, record, reason = processor.process(number, values)
                if status == STATUS_OK:
                    batch.append((record, values))
                    if len(batch) >= BATCH_SIZE:
                        consumer.put(batch)
                        batch = []
                else:
                    counts["duplicate" if status == "duplicate" else "invalid"] += 1
                    writer.add(values, reason)
            if batch:
                consumer.put(batch)
        return self._merge_counts(counts, db_counts), writer.inner

    @staticmethod
    def _merge_counts(counts, db_counts):
        return {
            "read": counts["read"],
            "imported": db_counts["imported"],
            "duplicate": counts["duplicate"] + db_counts["duplicate"],
            "invalid": counts["invalid"],
        }

    def _report_progress(self, counts, total, commit):
        self.write({
            "progress": min(99.0, 100.0 * counts["read"] / total),
            "count_read": counts["read"],
            "count_imported": counts["imported"],
            "count_duplicate": counts["duplicate"],
            "count_invalid": counts["invalid"],
        })
        if commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit

    def _find_existing(self, emails, phones):
        """Emails and phones already in the CRM for the job's conference (or
        campaign): targets and leads, in one query."""
        self.env["crm.lead"].flush_model(["email_normalized", "phone_sanitized", "event_id",
                                          "campaign_id"])
        self.env["crm.campaign.target"].flush_model(["email", "phone", "event_id", "campaign_id"])
        if self.event_id:
            scope_column, scope_id = "event_id", self.event_id.id
        else:
            scope_column, scope_id = "campaign_id", self.campaign_id.id
        # scope_column is one of two constants above, never user input
        query = f"""
            SELECT email, phone FROM crm_campaign_target
             WHERE {scope_column} = %(scope)s
               AND (email = ANY(%(emails)s) OR phone = ANY(%(phones)s))
            UNION ALL
            SELECT email_normalized, phone_sanitized FROM crm_lead
             WHERE {scope_column} = %(scope)s
               AND (email_normalized = ANY(%(emails)s) OR phone_sanitized = ANY(%(phones)s))
        """
        self.env.cr.execute(query, {"scope": scope_id, "emails": emails, "phones": phones})
        found_emails, found_phones = set(), set()
        for email, phone in self.env.cr.fetchall():
            found_emails.add(email)
            found_phones.add(phone)
        return found_emails, found_phones

    def _import_batch(self, batch, writer, counts, context):
        emails = [record["email"] for record, _values in batch]
        phones = [record["phone"] for record, _values in batch]
        found_emails, found_phones = self._find_existing(emails, phones)
        sealer, country_ids, Target = context["sealer"], context["country_ids"], context["target"]
        base = {
            "campaign_id": self.campaign_id.id,
            "event_id": self.event_id.id or None,
            "job_id": self.id,
            "state": "pending",
        }
        product = self.event_id.sudo().display_name or self.campaign_id.display_name
        rows = []
        for record, values in batch:
            if record["email"] in found_emails or record["phone"] in found_phones:
                by = "email" if record["email"] in found_emails else "phone"
                counts["duplicate"] += 1
                writer.add(values, f"Duplicate: same {by} as a target or lead of {product}")
                continue
            row = dict(base)
            for key, column in RECORD_COLUMNS.items():
                value = record.get(key)
                if value is not None:
                    row[column] = value
            if not row.get("platform_source") and self.default_platform:
                row["platform_source"] = self.default_platform
            row["country_id"] = country_ids.get(record.get("country_code"))
            if record.get("sensitive"):
                row["sensitive_data_enc"] = Target._encrypt_sensitive(record["sensitive"], sealer)
            if record.get("extra"):
                row["extra_data"] = record["extra"]
            rows.append(row)
        counts["imported"] += Target._bulk_insert(rows)

    def _notify_user(self, failed=False):
        self.ensure_one()
        if failed:
            title = self.env._("Target import failed")
            message = self.env._("The import of %(file)s failed: %(log)s",
                                 file=self.name, log=self.log or "")
            notif_type = "danger"
        else:
            title = self.env._("Target import done")
            message = self.env._(
                "%(file)s: %(imported)s imported, %(duplicate)s duplicates, %(invalid)s invalid "
                "of %(read)s rows.",
                file=self.name, imported=self.count_imported, duplicate=self.count_duplicate,
                invalid=self.count_invalid, read=self.count_read)
            notif_type = "warning" if (self.count_invalid or self.count_duplicate) else "success"
        self.user_id._bus_send("simple_notification", {
            "type": notif_type,
            "title": title,
            "message": message,
            "sticky": True,
        })
        self.with_context(mail_notify_force_send=False).message_post(
            body=message, partner_ids=self.user_id.partner_id.ids,
            subtype_xmlid="mail.mt_comment")

    @api.model
    def _guess_format(self, filename, data):
        return detect_format(filename, data[:8] if data else b"")


class _LockedWriter:
    """The error file, written by the parsing and the database threads."""

    def __init__(self, inner):
        self.inner = inner
        self._lock = threading.Lock()

    def add(self, values, reason):
        with self._lock:
            self.inner.add(values, reason)
