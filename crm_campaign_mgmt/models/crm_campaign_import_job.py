import json
import logging
import time
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import split_every

from ..lib.enrichment import DEFAULT_CITY_STATES, RegionResolver
from ..lib.error_file import ErrorFileWriter, error_file_name
from ..lib.html_list import plain_html_list
from ..lib.lanes import OrderedLanes
from ..lib.pipeline import STATUS_OK, RowProcessor
from ..lib.prefetch import checked_rows
from ..lib.readers import ImportFileError, detect_format, open_table
from ..tools import can_commit, notify_users
from .crm_lead_bulk import (
    analyze_columns,
    analyze_grown_tables,
    complete_rows,
    finish_insert,
    insert_rows,
)

_logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
# more rows (or leads to assign) than this: the job runs in the background
BACKGROUND_THRESHOLD = 1000
PARAM_THRESHOLD = "crm_campaign_mgmt.import_background_threshold"
PARAM_REGION_CLUSTERS = "crm_campaign_mgmt.region_clusters"
# a running job whose heartbeat is older than this is taken as crashed and resumed
STALE_MINUTES = 15
PARAM_STALE_MINUTES = "crm_campaign_mgmt.import_stale_minutes"
# batches written at once by a job of the scheduled action, each in its own transaction
# (see _open_lanes): with 2, the job's Python and PostgreSQL's work each keep a core busy
# (bench/import_bench.py --lanes 1 or 2 compares them)
IMPORT_LANES = 2
PARAM_LANES = "crm_campaign_mgmt.import_lanes"
# the tables an import grows: analyzed during the job once they have doubled
GROWN_TABLES = (
    "crm_lead", "mail_message", "mail_followers", "mail_followers_mail_message_subtype_rel",
    "crm_campaign_target", "crm_lead_assignment",
)
# the job's own leads after which the columns its searches and the record rules filter on
# are analyzed (then each time they double): a product, campaign or user new to the
# statistics is taken for an empty one (the create-rule check of 1,000 leads then read
# the importer's 100k leads: 111 ms; 3.8 ms once analyzed)
SCOPE_ANALYZE_LEADS = 2000
SCOPE_COLUMNS = {
    "crm_lead": ("event_id", "campaign_id", "user_id", "create_uid", "team_id", "department_id"),
    "crm_campaign_target": ("event_id", "campaign_id", "create_uid"),
}
# fields only the import itself (the wizard, the job's methods) writes: a user cannot
# point a job at another user's upload, run it as someone else or fake its result
PROTECTED_FIELDS = frozenset((
    "user_id", "attachment_id", "error_attachment_id", "company_id", "campaign_id", "event_id",
    "file_format", "header", "mapping", "default_country_id", "default_platform",
    "keep_unmapped", "state", "progress", "total_rows", "count_read", "count_imported",
    "count_duplicate", "count_invalid", "rows_done", "heartbeat", "log", "date_started",
    "date_finished", "duration", "rows_per_second", "import_type", "assign_leads", "phase",
    "count_leads", "count_assigned",
))
IMPORT_TYPES = [
    ("leads", "Leads"),
    ("targets", "Campaign Targets"),
    ("assign", "Lead Assignment"),
]
PHASES = [
    ("import", "Reading the file"),
    ("convert", "Creating leads"),
    ("assign", "Assigning leads"),
]
# context key whose value must be this very object: RPC cannot produce it (JSON only)
_INTERNAL_KEY = "crm_campaign_import_internal"
_INTERNAL = object()
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
    """One import (an upload of leads or campaign targets) or one assignment run,
    and its result.

    ``import_type``:

    * ``leads``: each valid row becomes a ``crm.lead`` of the chosen product,
      owned by the importer, in the importer's department;
    * ``targets``: rows become targets of a campaign, then leads of the campaign
      (its pool), then, with ``assign_leads``, leads of its reps;
    * ``assign``: a campaign's targets and pool are converted and assigned (the
      *Assign Leads* button on a large pool).

    Small jobs run at once; larger ones (see :meth:`_get_background_threshold`) are
    queued and run by the ``ir_cron_campaign_import`` scheduled action, as the user
    who asked, committing after every batch (with the row offset reached, so that a
    crashed import resumes there) so the form's progress bar moves. The user is
    notified at the end. The uploaded file is deleted once the import is done.

    Only the wizard and the import itself write the fields of
    :data:`PROTECTED_FIELDS` (see :meth:`write`).
    """

    _name = "crm.campaign.import.job"
    _inherit = ["mail.thread"]
    _description = "Lead Import"
    _order = "id desc"

    name = fields.Char("File", required=True)
    import_type = fields.Selection(
        IMPORT_TYPES, "Import As", default="targets", required=True, readonly=True,
        help="Leads: each row becomes a lead of yours. Campaign Targets: rows are attached "
        "to a campaign, become its leads and are assigned to its reps.")
    campaign_id = fields.Many2one(
        "utm.campaign", "Campaign", index=True, ondelete="cascade")
    assign_leads = fields.Boolean(
        "Assign to Reps", readonly=True,
        help="Once the targets are leads, assign them to the campaign's reps.")
    phase = fields.Selection(PHASES, readonly=True)
    count_leads = fields.Integer("Leads Created", readonly=True)
    count_assigned = fields.Integer("Leads Assigned", readonly=True)
    lead_ids = fields.One2many("crm.lead", "crm_import_job_id", "Leads")
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
    rows_done = fields.Integer(
        "Rows Committed", readonly=True, copy=False,
        help="Data rows of the file handled up to the last committed batch: a crashed "
        "import resumes after them.")
    heartbeat = fields.Datetime(
        readonly=True, copy=False,
        help="Last sign of life of a running import (each committed batch).")

    # ------------------------------------------------------------------
    # protection of the import's own fields
    # ------------------------------------------------------------------

    def _internal(self):
        """This recordset allowed to write :data:`PROTECTED_FIELDS` (server code only)."""
        return self.with_context(**{_INTERNAL_KEY: _INTERNAL})

    def _is_internal(self):
        return self.env.su or self.env.context.get(_INTERNAL_KEY) is _INTERNAL

    def _check_protected(self, vals):
        protected = sorted(PROTECTED_FIELDS.intersection(vals))
        if protected and not self._is_internal():
            raise AccessError(self.env._(
                "The fields %(fields)s of a target import are set by the import itself.",
                fields=", ".join(self._fields[name].string for name in protected)))

    @api.model_create_multi
    def create(self, vals_list):
        if self._is_internal():
            return super().create(vals_list)
        for vals in vals_list:
            self._check_protected(vals)
        # nor through context defaults (default_user_id...), which RPC callers set
        context = {key: value for key, value in self.env.context.items()
                   if not (key.startswith("default_") and key[8:] in PROTECTED_FIELDS)}
        # the context is replaced on purpose: keys are removed from it, not added
        records = self.with_context(context)  # pylint: disable=context-overridden
        return super(CrmCampaignImportJob, records).create(vals_list)

    def write(self, vals):
        self._check_protected(vals)
        return super().write(vals)

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
        self.check_access("write")
        if self.state not in ("draft", "failed"):
            raise UserError(self.env._("This import has already been started."))
        if self.total_rows > self._get_background_threshold():
            self._internal().write({"state": "queued", "progress": 0.0})
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
        self._run()
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

    def action_view_leads(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm.crm_lead_all_leads")
        domain = [("crm_import_job_id", "=", self.id)]
        if self.import_type == "assign":
            domain = [("campaign_id", "=", self.campaign_id.id)]
        action.update({
            "name": self.env._("Leads of %(job)s", job=self.display_name),
            "domain": domain,
            "context": {"create": False, "active_test": False},
            "view_mode": "list,kanban,form",
            "views": [(False, "list"), (False, "kanban"), (False, "form")],
        })
        return action

    def action_retry(self):
        return self.action_start()

    # ------------------------------------------------------------------
    # background processing
    # ------------------------------------------------------------------

    @api.model
    def _cron_process_jobs(self, limit=3):
        """Scheduled action: resume crashed imports, import the queued jobs (oldest
        first), each as the user who asked for it, and delete the uploads of finished
        imports left by earlier versions."""
        self._recover_stale_jobs()
        jobs = self.search([("state", "=", "queued")], order="id", limit=limit)
        for job in jobs:
            requester = job.user_id
            if not requester.active and not requester._is_superuser():
                job._internal().write({
                    "state": "failed",
                    "log": self.env._("%(user)s, who asked for the import, is archived.",
                                      user=requester.display_name),
                })
                continue
            # the import runs with the requester's rights, company and department: the
            # targets are theirs (create_uid), the record rules are theirs
            job.with_user(requester).with_company(job.company_id or requester.company_id) \
                .with_context(crm_campaign_import_commit=True)._run_safe()
        if self.search_count([("state", "=", "queued")]):
            self.env.ref("crm_campaign_mgmt.ir_cron_campaign_import")._trigger()
        self._delete_finished_uploads()

    @api.model
    def _get_stale_minutes(self):
        value = self.env["ir.config_parameter"].sudo().get_param(PARAM_STALE_MINUTES)
        try:
            return max(int(value), 1) if value else STALE_MINUTES
        except ValueError:
            return STALE_MINUTES

    @api.model
    def _recover_stale_jobs(self):
        """Running jobs without a heartbeat for :meth:`_get_stale_minutes` (the process
        running them was killed) are queued again; they resume after ``rows_done``."""
        limit = fields.Datetime.now() - timedelta(minutes=self._get_stale_minutes())
        stale = self.search([
            ("state", "=", "running"),
            "|", ("heartbeat", "<", limit),
            "&", ("heartbeat", "=", False), ("date_started", "<", limit),
        ])
        for job in stale:
            _logger.warning("Campaign target import %s stalled after %s rows: resumed",
                            job.id, job.rows_done)
            job._internal().write({"state": "queued"})
            job.message_post(body=self.env._(
                "The import stopped after %(rows)s rows (server restart or crash); it resumes "
                "from there.", rows=job.rows_done))
        return stale

    @api.model
    def _delete_finished_uploads(self):
        """Uploads of finished imports (earlier versions kept them)."""
        done = self.search([("state", "=", "done"), ("attachment_id", "!=", False)], limit=1000)
        done.attachment_id.unlink()

    def _should_commit(self):
        """Commit per batch in the scheduled action only (never inside tests)."""
        return bool(self.env.context.get("crm_campaign_import_commit")) and can_commit(self.env)

    def _run_safe(self):
        """Run the job; on an error mark the job failed instead of raising."""
        self.ensure_one()
        try:
            self._run()
        except Exception as error:  # noqa: BLE001 - reported on the job, never lost
            _logger.exception("Campaign target import %s failed", self.id)
            if self._should_commit():
                self.env.cr.rollback()
            self._internal().write({
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

    def _get_upload(self):
        """The uploaded file, once checked to be this job's own.

        Only the wizard sets ``attachment_id`` (see :meth:`write`); this check also
        refuses an attachment that is not the one the wizard made for this job:
        attached to this job and created by the job's user.
        """
        self.ensure_one()
        attachment = self.attachment_id
        if not attachment:
            raise UserError(self.env._("The import has no file (it is deleted once imported)."))
        # sudo: metadata only, to refuse clearly a file that is not this job's upload;
        # its content is read below with the rights of the current user
        owner = attachment.sudo()
        if (owner.res_model, owner.res_id, owner.create_uid) != (self._name, self.id, self.user_id):
            _logger.warning("Import job %s refused attachment %s (not its upload)",
                            self.id, attachment.id)
            raise AccessError(self.env._(
                "The file of import %(job)s is not the file uploaded for it: it is not read.",
                job=self.display_name))
        attachment.check_access("read")
        return attachment

    def _get_file_source(self):
        """A path in the filestore (streamed by the readers) or the bytes."""
        attachment = self._get_upload()
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

    def _run(self):
        """Run the job as the current user (its requester)."""
        self.ensure_one()
        if self.import_type == "assign":
            return self._run_assignment()
        return self._run_import()

    def _start_running(self, resume):
        now = fields.Datetime.now()
        vals = {
            "state": "running",
            "heartbeat": now,
            "date_finished": False,
            "log": False,
        }
        if not resume:
            vals.update({
                "date_started": now,
                "progress": 0.0,
                "phase": "import" if self.import_type != "assign" else "convert",
                "rows_done": 0,
                "count_read": 0,
                "count_imported": 0,
                "count_duplicate": 0,
                "count_invalid": 0,
                "count_leads": 0,
                "count_assigned": 0,
            })
        self._internal().write(vals)
        if self._should_commit():
            self.env.cr.commit()  # pylint: disable=invalid-commit

    def _run_import(self):
        """Import the file, as the current user. A job with ``rows_done`` (an import
        that crashed after committing some batches) resumes after those rows.
        Targets are then converted to leads and, with ``assign_leads``, assigned."""
        self.ensure_one()
        commit = self._should_commit()
        resume = self.rows_done if self.rows_done and self.count_read else 0
        self._start_running(resume)
        started = time.monotonic()
        table = self._open_table()
        try:
            counts, writer = self._import_table(table, commit, resume)
        finally:
            table.close()
        error_attachment = self.env["ir.attachment"]
        if writer.count:
            # created as the user: attachments of the job are readable by the job's readers
            error_attachment = self.env["ir.attachment"].create({
                "name": error_file_name(self.name, table.fmt),
                "raw": writer.render(),
                "mimetype": writer.mimetype,
                "res_model": self._name,
                "res_id": self.id,
            })
        self._internal().write({
            "error_attachment_id": error_attachment.id,
            "count_read": counts["read"],
            "count_imported": counts["imported"],
            "count_duplicate": counts["duplicate"],
            "count_invalid": counts["invalid"],
            "count_leads": counts["leads"],
            "count_assigned": counts["assigned"],
            "rows_done": counts["read"],
        })
        if self.import_type == "targets":
            # targets left without lead (an import resumed after a crash)
            self._convert_phase(commit)
            if self.assign_leads:
                self._assign_phase(commit, by_user=counts["by_user"])
        duration = time.monotonic() - started
        read_now = counts["read"] - (self.count_read if resume else 0)
        log = self.env._(
            "%(read)s rows read: %(imported)s imported, %(duplicate)s duplicates, "
            "%(invalid)s invalid, in %(seconds)s s.",
            read=counts["read"], imported=counts["imported"],
            duplicate=counts["duplicate"], invalid=counts["invalid"],
            seconds=round(duration, 1))
        log += "\n" + self._result_sentence()
        if resume:
            log += "\n" + self.env._(
                "Resumed after %(rows)s rows committed before an interruption; the rows of the "
                "file found in the CRM before the interruption are counted as duplicates but "
                "not listed in the error file.", rows=resume)
        upload = self.attachment_id
        self._finish(duration, read_now, log)
        # the upload (with its sensitive columns in clear) is not kept once imported
        upload.unlink()
        self._notify_user()
        if commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        return counts

    def _result_sentence(self):
        if self.import_type == "leads":
            return self.env._("%(leads)s leads created.", leads=self.count_leads)
        return self.env._("%(leads)s leads created, %(assigned)s assigned to reps.",
                          leads=self.count_leads, assigned=self.count_assigned)

    def _finish(self, duration, rows, log):
        self._internal().write({
            "state": "done",
            "phase": False,
            "progress": 100.0,
            "date_finished": fields.Datetime.now(),
            "heartbeat": fields.Datetime.now(),
            "duration": duration,
            "rows_per_second": rows / duration if duration else 0.0,
            "attachment_id": False,
            "log": log,
        })

    def _run_assignment(self):
        """Convert the campaign's targets and assign its pool (the *Assign Leads*
        button on a large pool), as the current user."""
        self.ensure_one()
        commit = self._should_commit()
        self._start_running(resume=self.count_leads or self.count_assigned)
        started = time.monotonic()
        self._convert_phase(commit)
        self._assign_phase(commit)
        duration = time.monotonic() - started
        self._finish(duration, self.count_leads + self.count_assigned,
                     self._result_sentence())
        self._notify_user()
        if self._should_commit():
            self.env.cr.commit()  # pylint: disable=invalid-commit

    # ------------------------------------------------------------------
    # phases after the file: conversion and assignment, in batches
    # ------------------------------------------------------------------

    PHASE_SPANS = {
        "leads": {"import": (0.0, 99.0)},
        "targets": {"import": (0.0, 40.0), "convert": (40.0, 75.0), "assign": (75.0, 99.0)},
        "assign": {"convert": (0.0, 40.0), "assign": (40.0, 99.0)},
    }

    def _phase_progress(self, phase, ratio):
        low, high = self.PHASE_SPANS[self.import_type].get(phase, (0.0, 99.0))
        return min(high, low + (high - low) * max(0.0, min(ratio, 1.0)))

    def _targets_to_convert(self):
        Target = self.env["crm.campaign.target"]
        domain = [("lead_id", "=", False)]
        if self.import_type == "targets":
            domain.append(("job_id", "=", self.id))
        else:
            domain.append(("campaign_id", "=", self.campaign_id.id))
        return Target.search(domain, order="id")

    def _convert_phase(self, commit):
        """The targets (of this import, or of the campaign) become leads, one batch
        at a time; each batch is committed with the counters (a crash resumes with
        the targets still without lead)."""
        targets = self._targets_to_convert()
        self._internal().write({"phase": "convert"})
        total = len(targets) or 1
        cache = {}
        done = 0
        for batch in split_every(BATCH_SIZE, targets.ids, self.env["crm.campaign.target"].browse):
            leads = batch._convert_to_leads(cache=cache)
            done += len(batch)
            self._internal().write({
                "count_leads": self.count_leads + len(leads),
                "progress": self._phase_progress("convert", done / total),
                "heartbeat": fields.Datetime.now(),
            })
            if commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
            self._analyze_grown_tables()

    def _assign_phase(self, commit, by_user=None):
        """The campaign's pool (this import's leads not dealt at their creation, for a
        target import) goes to its reps, one batch of leads at a time, with one chatter
        summary at the end (``by_user``: ``{rep id: leads}`` already dealt)."""
        campaign = self.campaign_id
        self._internal().write({"phase": "assign"})
        if not campaign._get_eligible_reps():
            self._internal().write({"log": campaign._no_reps_message()})
            return
        domain = campaign._get_pool_domain()
        if self.import_type == "targets":
            domain = [("crm_import_job_id", "=", self.id)] + domain
        leads = self.env["crm.lead"].search(domain, order="id")
        total = len(leads) or 1
        done = 0
        by_user = defaultdict(int, by_user or {})
        for batch in split_every(BATCH_SIZE, leads.ids, self.env["crm.lead"].browse):
            assignments = campaign._assign_leads(leads=batch, notify=False)
            for assignment in assignments:
                by_user[assignment.user_id.id] += 1
            done += len(batch)
            self._internal().write({
                "count_assigned": self.count_assigned + len(assignments),
                "progress": self._phase_progress("assign", done / total),
                "heartbeat": fields.Datetime.now(),
            })
            if commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
            self._analyze_grown_tables()
        if by_user:
            users = self.env["res.users"].browse(list(by_user))
            campaign._notify_assigned({user: by_user[user.id] for user in users},
                                      campaign.assignment_method)

    def _import_table(self, table, commit, resume=0):
        """Read, check and insert the rows, one batch of :data:`BATCH_SIZE` valid rows at
        a time, in this thread (the database work is not overlapped with the parsing:
        one cursor, one thread). ``resume``: data rows already committed by an earlier
        run; they are read again only to rebuild the in-file duplicate check and the
        rejected rows of the error file."""
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
            keep_unmapped=self.keep_unmapped,
            country_names={country["code"]: country["name"] for country in countries})
        writer = ErrorFileWriter(table.fmt, table.header, table.delimiter, table.encoding,
                                 masked_columns=processor.sensitive_columns)
        total = max(table.estimate_rows() - len(table.header_row_numbers), 1)
        Target = self.env["crm.campaign.target"]
        # the targets are written by one COPY per batch: check the user may create them
        Target.check_access("create")
        context = {
            "keyring": Target._get_keyring(),
            "country_ids": country_ids,
            "target": Target,
        }
        context.update(self._lead_import_context())
        if self.import_type == "targets" and self.assign_leads:
            context["planner"] = self.campaign_id._assignment_planner()
        if resume:
            counts = {"read": self.count_read, "imported": self.count_imported,
                      "duplicate": self.count_duplicate, "invalid": self.count_invalid,
                      "leads": self.count_leads, "assigned": self.count_assigned}
        else:
            counts = {"read": 0, "imported": 0, "duplicate": 0, "invalid": 0, "leads": 0,
                      "assigned": 0}
        counts["by_user"] = context["planner"].by_user if context.get("planner") else {}
        try:
            self._import_rows(table, processor, writer, counts, context, resume, total, commit)
        except BaseException:
            writer.discard()
            raise
        return counts, writer

    def _import_rows(self, table, processor, writer, counts, context, resume, total, commit):
        lanes = self._open_lanes(table, commit, context)
        batch = []
        position = 0  # data rows of the file handled so far
        try:
            # read and checked ahead, in a thread, while this one waits for the database
            for _number, values, status, record, reason in checked_rows(table, processor):
                position += 1
                if position <= resume:
                    if status != STATUS_OK:
                        writer.add(values, reason)
                    continue
                counts["read"] += 1
                if status == STATUS_OK:
                    batch.append((record, values))
                    if len(batch) >= BATCH_SIZE:
                        self._handle_batch(batch, position, writer, counts, context, lanes,
                                           total, commit)
                        batch = []
                else:
                    counts["duplicate" if status == "duplicate" else "invalid"] += 1
                    writer.add(values, reason)
            if batch:
                self._handle_batch(batch, None, writer, counts, context, lanes, total, commit)
            if lanes:
                for tag, written in lanes.drain():
                    self._lane_finished(tag, written, counts, total, commit)
        finally:
            if lanes:
                lanes.close()

    def _handle_batch(self, batch, position, writer, counts, context, lanes, total, commit):
        """A batch of valid rows (ending at data row ``position``; ``None``: the last,
        partial batch, whose counters are written with the job's result): imported
        here, or prepared here and written by a lane."""
        if not lanes:
            self._import_batch(batch, writer, counts, context)
            if position is not None:
                self._report_progress(counts, position, total, commit)
            return
        work = self._prepare_batch(batch, writer, counts, context)
        # what the lane's transaction must see (a platform source created just now)
        if commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        else:
            self.env.flush_all()
        lanes.submit(work, tag=(position, work["dealt"]))
        for tag, written in lanes.finished():
            self._lane_finished(tag, written, counts, total, commit)

    # ------------------------------------------------------------------
    # lanes: batches written in two transactions at once
    # ------------------------------------------------------------------

    def _import_lane_count(self, table):
        """Threads writing batches at once (system parameter ``PARAM_LANES``, default
        :data:`IMPORT_LANES`; 0 or 1: the batches are written one after the other, by
        the job's own transaction)."""
        value = self.env["ir.config_parameter"].sudo().get_param(PARAM_LANES)
        try:
            return max(int(value), 0) if value else IMPORT_LANES
        except ValueError:
            return IMPORT_LANES

    def _open_lanes(self, table, commit, context):
        """The lanes of a committing job (the scheduled action's), else ``None``.

        Each batch's leads, targets and assignments are written in a transaction of
        their own, in one of the lanes, while this transaction reads the next rows and
        finds their duplicates: the job's Python work and PostgreSQL's then overlap.
        The job commits the row offset of a batch once it and every batch before it
        are written (a crash resumes there: the batches written after it are found
        again as duplicates)."""
        workers = self._import_lane_count(table) if commit else 0
        if workers < 2:
            return None
        job = self.with_context(crm_import_lane_context=context)
        return OrderedLanes(job._write_batch_in_lane, workers, name="crm-import-lane")

    def _write_batch_in_lane(self, work):
        """A lane: ``work`` (see :meth:`_prepare_batch`) written in a new transaction,
        as the job's user, committed; returns the counters it adds."""
        context = self.env.context["crm_import_lane_context"]
        with self.pool.cursor() as cr:
            env = api.Environment(cr, self.env.uid, self.env.context, su=self.env.su)
            job = self.with_env(env)
            lane_context = dict(context, lead=env["crm.lead"], target=env["crm.campaign.target"])
            return job._write_batch(work, lane_context)

    def _lane_finished(self, tag, written, counts, total, commit):
        """A lane wrote a batch (the batches are consumed in order): its counters,
        the campaign's last rep and the job's progress, committed."""
        position, dealt = tag
        for key, value in written.items():
            counts[key] += value
        self._remember_last_rep(dealt)
        if position is not None:
            self._report_progress(counts, position, total, commit)

    def _report_progress(self, counts, position, total, commit):
        """After a batch: counters, the row offset reached and the heartbeat, committed
        together with the batch in the scheduled action."""
        self._internal().write({
            "progress": self._phase_progress("import", position / total),
            "count_read": counts["read"],
            "count_imported": counts["imported"],
            "count_duplicate": counts["duplicate"],
            "count_invalid": counts["invalid"],
            "count_leads": counts["leads"],
            "count_assigned": counts["assigned"],
            "rows_done": position,
            "heartbeat": fields.Datetime.now(),
        })
        if commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        self._analyze_grown_tables(counts)

    def _analyze_grown_tables(self, counts=None):
        """After a committed batch: ``ANALYZE`` the tables the job grows once they have
        doubled since their last statistics (see
        :func:`~.crm_lead_bulk.analyze_grown_tables`), and the columns of leads and
        targets the job's searches and the rules filter on (:data:`SCOPE_COLUMNS`) each
        time the job's own leads have doubled (from :data:`SCOPE_ANALYZE_LEADS`), committed
        at once (the statistics serve the next batches, and other sessions).

        A product new to the statistics is taken for an empty one: the duplicate search
        of each batch then went through any index that starts with the product (the
        phone's for the emails) and read all the product's leads: 23 ms at 20k leads,
        7 s in the worst plan seen. A large table does not double during an import, so
        its statistics would stay those of before the import."""
        analyzed = analyze_grown_tables(self.env.cr, GROWN_TABLES)
        if counts and counts["leads"] >= 2 * counts.get("scope_analyzed", SCOPE_ANALYZE_LEADS // 2):
            for table, columns in SCOPE_COLUMNS.items():
                analyze_columns(self.env.cr, table, columns)
            counts["scope_analyzed"] = counts["leads"]
            analyzed = True
        if analyzed and self._should_commit():
            self.env.cr.commit()  # pylint: disable=invalid-commit

    def _find_existing(self, emails, phones):
        """Emails and phones already in the CRM for the job's conference (or
        campaign): targets and leads, in one query.

        Deliberately outside the record rules: a target must not be imported again
        because the importer cannot see the existing one. Only the fact that a row is a
        duplicate is reported, not the record it duplicates."""
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
        """Import a batch of valid rows in this transaction."""
        work = self._prepare_batch(batch, writer, counts, context)
        for key, value in self._write_batch(work, context).items():
            counts[key] += value
        self._remember_last_rep(work["dealt"])

    def _prepare_batch(self, batch, writer, counts, context):
        """The job's part of a batch, in its own transaction: the rows already in the
        CRM are reported as duplicates; the others' platform sources are found (or
        created) and, for a target import that assigns, their reps dealt. Returns
        the work of :meth:`_write_batch`: ``{"fresh": rows, "dealt": {position: rep}}``."""
        emails = [record["email"] for record, _values in batch]
        phones = [record["phone"] for record, _values in batch]
        found_emails, found_phones = self._find_existing(emails, phones)
        product = self.event_id.display_name or self.campaign_id.display_name
        fresh = []
        for record, values in batch:
            if record["email"] in found_emails or record["phone"] in found_phones:
                by = "email" if record["email"] in found_emails else "phone"
                counts["duplicate"] += 1
                writer.add(values, f"Duplicate: same {by} as a target or lead of {product}")
                continue
            fresh.append(record)
        default_platform = context["job"]["default_platform"]
        for record in fresh:
            self._source_id(record.get("platform") or default_platform, context["sources"])
        planner = context.get("planner")
        dealt = planner.deal(len(fresh)) if planner and fresh else {}
        return {"fresh": fresh, "dealt": dealt}

    def _write_batch(self, work, context):
        """The leads (and targets, and assignments) of a prepared batch; returns the
        counters they add (``imported``, ``leads``, ``assigned``)."""
        counts = {"imported": 0, "leads": 0, "assigned": 0}
        fresh = work["fresh"]
        if self.import_type == "leads":
            self._import_lead_batch(fresh, counts, context)
            return counts
        base = {
            "campaign_id": self.campaign_id.id,
            "event_id": self.event_id.id or None,
            "job_id": self.id,
            "state": "pending",
        }
        country_ids = context["country_ids"]
        rows = []
        for record in fresh:
            row = dict(base)
            for key, column in RECORD_COLUMNS.items():
                value = record.get(key)
                if value is not None:
                    row[column] = value
            if not row.get("platform_source") and self.default_platform:
                row["platform_source"] = self.default_platform
            row["country_id"] = country_ids.get(record.get("country_code"))
            if record.get("sensitive"):
                row["sensitive_data_enc"] = record["sensitive"]  # sealed below, with the id
            if record.get("extra"):
                row["extra_data"] = record["extra"]
            rows.append(row)
        # the leads first: each target is then written once, linked to its lead; the
        # hook runs once both exist (a source links its own rows to leads and targets)
        leads = self._targets_to_leads(fresh, rows, counts, context, work["dealt"])
        counts["imported"] += self._insert_targets(rows, context["keyring"], context["target"])
        if leads:
            self._after_lead_batch(leads, fresh)
        return counts

    def _remember_last_rep(self, dealt):
        """The campaign's last dealt rep (where its round-robin resumes), written by the
        job's transaction only."""
        if dealt:
            self.campaign_id.last_assigned_user_id = dealt[max(dealt)]

    def _after_lead_batch(self, leads, records):
        """Hook: ``leads`` were just created from ``records`` (the pipeline's valid
        row dicts, same order; a source adds its own keys to them, e.g. a MailWizz
        subscriber uid). Nothing here."""
        return leads

    def _targets_to_leads(self, records, rows, counts, context, dealt):
        """The batch's new targets become the campaign's leads at once, dealt to its
        reps (with the rep's team) when the import assigns: the leads are created with
        their rep, one INSERT, and their assignments with them. ``rows``: the targets'
        values, not inserted yet; each gets its lead (``lead_id``, state converted), so
        that the targets are written once, linked (no UPDATE of the batch's targets).
        Returns the leads."""
        if not records:
            return context["lead"].browse()
        campaign = self.campaign_id
        planner = context.get("planner")
        vals_list = []
        for position, record in enumerate(records):
            vals = self._lead_values(record, context)
            rep_id = dealt.get(position, False)
            vals["user_id"] = rep_id
            vals["team_id"] = (rep_id and planner.rep_teams.get(rep_id)) \
                or campaign.team_id.id or False
            vals_list.append(vals)
        # the reps are told once per import (a toast, their queue), not once per lead
        Lead = context["lead"].with_context(mail_auto_subscribe_no_notify=True)
        leads = Lead._bulk_create(vals_list, context["lead_cache"])
        counts["leads"] += len(leads)
        for row, lead_id in zip(rows, leads.ids, strict=True):
            row["lead_id"] = lead_id
            row["state"] = "converted"
        pairs = [(lead.id, vals["user_id"])
                 for lead, vals in zip(leads, vals_list, strict=True) if vals["user_id"]]
        if not pairs:
            return leads
        now = fields.Datetime.now()
        # the assignments as create() makes them (defaults, related and computed fields,
        # record rules), one INSERT: the ORM's create costs ~0.5 ms per assignment. Their
        # related and computed fields are given (a new lead's work status is its
        # default): the ORM would write them with ~10 UPDATEs per batch
        Assignment = self.env["crm.lead.assignment"]
        status_of = dict(zip(leads.ids, leads.mapped("campaign_lead_status"), strict=True))
        values = [{
            "lead_id": lead_id, "user_id": user_id, "campaign_id": campaign.id,
            "date_assigned": now, "method": planner.method, "state": "pending",
            "manager_id": campaign.manager_id.id, "event_id": campaign.event_id.id,
            "lead_status": status_of[lead_id],
            "progress": Assignment._progress_of("pending", status_of[lead_id]),
        } for lead_id, user_id in pairs]
        rows = complete_rows(Assignment, values)
        finish_insert(insert_rows(Assignment, rows), rows, set(values[0]))
        counts["assigned"] += len(pairs)
        return leads

    @api.model
    def _insert_targets(self, rows, keyring, Target):
        # each token is bound to its target's id: ids reserved first (one query)
        for row, res_id in zip(rows, Target._reserve_ids(len(rows))):
            row["id"] = res_id
            if row.get("sensitive_data_enc"):
                row["sensitive_data_enc"] = Target._seal_sensitive(
                    row["sensitive_data_enc"], res_id, keyring)
        return Target._bulk_insert(rows)

    # ------------------------------------------------------------------
    # import as leads
    # ------------------------------------------------------------------

    def _lead_import_context(self):
        """What every batch of a lead import needs, read once."""
        user = self.user_id
        states = defaultdict(dict)
        for state in self.env["res.country.state"].search_read([], ["country_id", "name"]):
            states[state["country_id"][0]][state["name"].lower()] = state["id"]
        department = user.crm_department_id or self.env.ref(
            "crm_event_products.crm_department_email_sales", raise_if_not_found=False)
        return {
            "lead": self.env["crm.lead"],
            "lead_cache": {},
            "sources": {},
            "states": states,
            "department_id": department.id if department else False,
            # read once, not once per row (fields and translations cost ~20 us each)
            "job": {
                "event_id": self.event_id.id,
                "user_id": self.user_id.id,
                "campaign_id": self.campaign_id.id or False,
                "job_id": self.id,
                "default_platform": self.default_platform,
            },
            "labels": self._lead_description_labels(),
        }

    def _lead_description_labels(self):
        """``(record key, label)`` of the row values listed in a lead's description."""
        return (
            ("industry", self.env._("Industry")),
            ("employees", self.env._("Company size")),
            ("region", self.env._("Region")),
            ("region_cluster", self.env._("Region cluster")),
        )

    def _source_id(self, name, sources):
        """The ``utm.source`` named ``name`` (created, as the user, when missing)."""
        if not name:
            return False
        if name not in sources:
            Source = self.env["utm.source"]
            source = Source.search([("name", "=", name)], limit=1) or Source.create({"name": name})
            sources[name] = source.id
        return sources[name]

    def _lead_description(self, record, labels=None):
        labels = labels or self._lead_description_labels()
        items = [(label, record.get(key)) for key, label in labels if record.get(key)]
        items += list((record.get("extra") or {}).items())
        if not items:
            return False
        # as the sanitizer returns it (no sanitizing at the insert), unless a value holds
        # a character it would change
        return plain_html_list(items) or Markup("<ul>%s</ul>") % Markup("").join(
            Markup("<li>%s: %s</li>") % (escape(label), escape(value)) for label, value in items)

    def _lead_values(self, record, context):
        """``crm.lead`` values of a valid row of a lead import (the same keys for every
        row: :meth:`crm.lead._bulk_create` inserts a batch at once)."""
        job = context["job"]
        country_id = context["country_ids"].get(record.get("country_code")) or False
        state_name = (record.get("state") or record.get("region") or "").lower()
        name = " - ".join(
            part for part in (record.get("company"), record.get("full_name")) if part)
        return {
            "name": name or record["email"],
            "type": "lead",
            "event_id": job["event_id"],
            "department_id": context["department_id"],
            "user_id": job["user_id"],
            "contact_name": record.get("full_name") or False,
            "contact_first_name": record.get("first_name") or False,
            "contact_last_name": record.get("last_name") or False,
            "email_from": record["email"],
            "phone": record["phone"],
            "partner_name": record.get("company") or False,
            "function": record.get("job_title") or False,
            "street": record.get("street") or False,
            "street2": record.get("street2") or False,
            "city": record.get("city") or False,
            "zip": record.get("zip") or False,
            "country_id": country_id,
            "state_id": context["states"].get(country_id, {}).get(state_name, False),
            "website": record.get("website") or False,
            "description": self._lead_description(record, context.get("labels")),
            "campaign_id": job["campaign_id"],
            "source_id": self._source_id(
                record.get("platform") or job["default_platform"], context["sources"]),
            "crm_import_job_id": job["job_id"],
            # found by the pipeline (state, city, street): the lead's compute is not run
            "region_cluster": record.get("region_cluster") or False,
        }

    def _import_lead_batch(self, records, counts, context):
        """Valid, new rows become leads of the importer (one INSERT for the batch).
        Sensitive columns are never written on a lead: they are kept sealed on a
        target linked to it, readable by the lead's readers of the sensitive-data group."""
        if not records:
            return
        vals_list = [self._lead_values(record, context) for record in records]
        leads = context["lead"]._bulk_create(vals_list, context["lead_cache"])
        counts["imported"] += len(leads)
        counts["leads"] += len(leads)
        self._after_lead_batch(leads, records)
        sealed = [
            {
                "campaign_id": self.campaign_id.id or None,
                "event_id": self.event_id.id,
                "job_id": self.id,
                "lead_id": lead.id,
                "state": "converted",
                "name": record.get("full_name"),
                "email": record["email"],
                "phone": record["phone"],
                "row_number": record.get("row_number"),
                "sensitive_data_enc": record["sensitive"],
            }
            for record, lead in zip(records, leads, strict=True) if record.get("sensitive")
        ]
        if sealed:
            self._insert_targets(sealed, context["keyring"], context["target"])

    def _notify_user(self, failed=False):
        self.ensure_one()
        if failed:
            title = self.env._("Import failed")
            message = self.env._("The import of %(file)s failed: %(log)s",
                                 file=self.name, log=self.log or "")
            notif_type = "danger"
        else:
            title = self.env._("Import done") if self.import_type != "assign" \
                else self.env._("Assignment done")
            if self.import_type == "assign":
                message = self.env._("%(name)s: %(result)s", name=self.name,
                                     result=self._result_sentence())
            else:
                message = self.env._(
                    "%(file)s: %(imported)s imported, %(duplicate)s duplicates, %(invalid)s "
                    "invalid of %(read)s rows. %(result)s",
                    file=self.name, imported=self.count_imported, duplicate=self.count_duplicate,
                    invalid=self.count_invalid, read=self.count_read,
                    result=self._result_sentence())
            notif_type = "warning" if (self.count_invalid or self.count_duplicate) else "success"
        # posted by OdooBot (as when the scheduler ran as superuser): the job runs as its
        # requester, who may have no email address to send from
        notify_users(self.user_id, title, message, notif_type=notif_type, sticky=True,
                     record=self, partner_ids=self.user_id.partner_id.ids)

    @api.model
    def _guess_format(self, filename, data):
        return detect_format(filename, data[:8] if data else b"")

