from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.crm_campaign_mgmt.lib.mapping import FIELD_LABELS, REQUIRED_FIELDS, guess_mapping

from ..lib.client import MailWizzError
from ..lib.list_table import UID_COLUMN, MailWizzListTable

IMPORT_INTENTS = [
    ("leads", "Leads of a product"),
    ("targets", "Targets of a campaign"),
]
STATUS_FILTERS = [
    ("confirmed", "Confirmed subscribers"),
    ("all", "All subscribers (opted-out ones are flagged)"),
]


class MailwizzListImportWizard(models.TransientModel):
    """Import a MailWizz list's subscribers into the CRM through the file import's
    pipeline: leads of one of the user's products, or targets of a campaign."""

    _name = "mailwizz.list.import.wizard"
    _description = "Import a MailWizz List into the CRM"

    list_id = fields.Many2one("mailwizz.list", "MailWizz List", required=True,
                              domain=[("active", "=", True)])
    import_type = fields.Selection(IMPORT_INTENTS, "Import As", required=True, default="leads")
    campaign_id = fields.Many2one(
        "utm.campaign", "Campaign",
        help="Campaign of the targets (optional for leads: the leads are attributed to it).")
    allowed_event_ids = fields.Many2many("event.event", compute="_compute_allowed_event_ids")
    event_id = fields.Many2one(
        "event.event", "Conference", compute="_compute_event_id", store=True, readonly=False,
        domain="[('id', 'in', allowed_event_ids)]",
        help="Product of the leads; duplicates are searched among its targets and leads.")
    assign_leads = fields.Boolean(
        "Assign to the Campaign's Reps", compute="_compute_assign_leads", store=True,
        readonly=False)
    subscriber_status = fields.Selection(STATUS_FILTERS, "Subscribers", required=True,
                                         default="confirmed")
    default_country_id = fields.Many2one(
        "res.country", "Default Country", compute="_compute_default_country_id", store=True,
        readonly=False, help="Country used to read phone numbers without a country code.")
    default_platform = fields.Char("Platform Source", default="MailWizz")
    keep_unmapped = fields.Boolean(
        "Keep Other Fields", default=True,
        help="Values of list fields the CRM has no field for are kept on the leads.")

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        wizards.invalidate_recordset(["allowed_event_ids"])
        return wizards

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        ctx = self.env.context
        if ctx.get("active_model") == "mailwizz.list" and ctx.get("active_id") and "list_id" in fields_list:
            res["list_id"] = ctx["active_id"]
        return res

    def _get_allowed_events(self):
        """The products the user works (the file import's rule)."""
        return self.env["crm.campaign.import.wizard"]._get_allowed_events()

    @api.depends_context("uid")
    def _compute_allowed_event_ids(self):
        events = self._get_allowed_events()
        for wizard in self:
            wizard.allowed_event_ids = events

    @api.depends("campaign_id")
    def _compute_event_id(self):
        allowed = None
        for wizard in self:
            if wizard.campaign_id.event_id:
                wizard.event_id = wizard.campaign_id.event_id
            elif not wizard.event_id:
                allowed = self._get_allowed_events() if allowed is None else allowed
                wizard.event_id = allowed if len(allowed) == 1 else False

    @api.depends("event_id")
    def _compute_default_country_id(self):
        fallback = self.env.company.country_id or self.env.ref("base.in", raise_if_not_found=False)
        for wizard in self:
            wizard.default_country_id = wizard.event_id.country_id or fallback

    @api.depends("campaign_id", "import_type")
    def _compute_assign_leads(self):
        for wizard in self:
            wizard.assign_leads = bool(
                wizard.import_type == "targets" and wizard.campaign_id
                and wizard.campaign_id.state not in ("stopped", "done")
                and (wizard.campaign_id.rep_ids or wizard.campaign_id.team_id))

    def _check_import(self):
        if not self.list_id.active:
            raise UserError(self.env._("MailWizz list %(name)s is archived.", name=self.list_id.name))
        if not self.event_id:
            raise UserError(self.env._("Choose the conference product of the leads."))
        if self.event_id not in self._get_allowed_events():
            raise UserError(self.env._(
                "You do not work product %(product)s (or it is locked): import into one of "
                "your products.", product=self.event_id.display_name))
        if self.import_type == "targets" and not self.campaign_id:
            raise UserError(self.env._("Choose the campaign of the targets."))
        if self.import_type == "leads" and not self.env["crm.lead"].has_access("create"):
            raise UserError(self.env._("Your role does not create leads."))

    def _read_list(self):
        """``(tags, subscriber count)`` of the list, read from MailWizz."""
        mw_list = self.list_id
        client = mw_list.backend_id._get_client()
        status = self.subscriber_status if self.subscriber_status != "all" else None
        try:
            records = client.list_fields(mw_list.list_uid)
            records = sorted(records, key=lambda rec: int(rec.get("sort_order") or 0))
            tags = [str(rec["tag"]) for rec in records if rec.get("tag")]
            table = MailWizzListTable(client, mw_list.list_uid, tags, status=status)
            count = table.count()
        except MailWizzError as error:
            raise UserError(self.env._(
                "MailWizz list %(name)s cannot be read: %(error)s", name=mw_list.name,
                error=mw_list.backend_id.sudo()._error_message(error))) from error
        finally:
            client.close()
        return tags, count

    @api.model
    def _guess_mapping(self, tags):
        """``{column index: pipeline field}`` from the MailWizz tags (``FNAME``, ``PHONE``...);
        the subscriber uid column is never mapped."""
        mapping = guess_mapping([tag.replace("_", " ") for tag in tags])
        missing = [FIELD_LABELS[key] for key in REQUIRED_FIELDS if key not in mapping.values()]
        if missing:
            raise UserError(self.env._(
                "The list has no field for %(fields)s (its fields: %(tags)s): the CRM needs "
                "them on every lead.", fields=", ".join(missing), tags=", ".join(tags)))
        return {str(index): key for index, key in mapping.items()}

    def action_import(self):
        self.ensure_one()
        self.list_id.check_access("read")
        self._check_import()
        tags, count = self._read_list()
        tags = [tag for tag in tags if tag != UID_COLUMN]
        mapping = self._guess_mapping(tags)
        Job = self.env["crm.campaign.import.job"]
        # _internal(): the import's own fields (list, mapping, requester) are set here only
        job = Job._internal().create({
            "name": self.env._("MailWizz list %(name)s", name=self.list_id.name),
            "import_type": self.import_type,
            "assign_leads": self.import_type == "targets" and self.assign_leads,
            "campaign_id": self.campaign_id.id,
            "event_id": self.event_id.id,
            "file_format": "csv",
            "header": tags + [UID_COLUMN],
            "mapping": mapping,
            "default_country_id": self.default_country_id.id,
            "default_platform": self.default_platform,
            "keep_unmapped": self.keep_unmapped,
            "total_rows": count,
            "mailwizz_list_id": self.list_id.id,
            "mailwizz_status": self.subscriber_status if self.subscriber_status != "all" else False,
        })
        return Job.browse(job.id).action_start()
