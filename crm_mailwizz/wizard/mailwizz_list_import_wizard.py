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
    _inherit = ["crm.import.wizard.mixin"]
    _description = "Import a MailWizz List into the CRM"

    list_id = fields.Many2one("mailwizz.list", "MailWizz List", required=True,
                              domain=[("active", "=", True)])
    import_type = fields.Selection(IMPORT_INTENTS, "Import As")
    subscriber_status = fields.Selection(STATUS_FILTERS, "Subscribers", required=True,
                                         default="confirmed")
    default_platform = fields.Char("Platform Source", default="MailWizz")
    keep_unmapped = fields.Boolean(
        "Keep Other Fields", default=True,
        help="Values of list fields the CRM has no field for are kept on the leads.")

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        ctx = self.env.context
        if ctx.get("active_model") == "mailwizz.list" and ctx.get("active_id") and "list_id" in fields_list:
            res["list_id"] = ctx["active_id"]
        return res

    def _check_import(self):
        if not self.list_id.active:
            raise UserError(self.env._("MailWizz list %(name)s is archived.", name=self.list_id.name))
        return super()._check_import()

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
