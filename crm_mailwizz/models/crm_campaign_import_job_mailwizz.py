from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, UserError

from ..lib.client import SUBSCRIBER_STATUSES, MailWizzError
from ..lib.list_table import UID_COLUMN, MailWizzListTable
from .mailwizz_subscriber import OPT_OUT_STATUSES

# the import's own fields added here (see crm.campaign.import.job's PROTECTED_FIELDS)
MAILWIZZ_PROTECTED_FIELDS = frozenset(("mailwizz_list_id", "mailwizz_status"))
# context key holding the MailWizzListTable being imported (a Python object: RPC cannot set it)
_TABLE_KEY = "crm_mailwizz_list_table"


class CrmCampaignImportJob(models.Model):
    """An import whose rows are the subscribers of a MailWizz list, not an uploaded file.

    Same pipeline as a file (validation, dedup against the product, region enrichment,
    leads of a product or targets of a campaign, background and resume beyond the
    threshold): :meth:`_open_table` returns a :class:`MailWizzListTable` reading the
    list page by page. Each lead created from a subscriber gets its
    ``mailwizz.subscriber`` row (list, email, uid), so later pushes of the lead to the
    list update that subscriber instead of creating another.
    """

    _inherit = "crm.campaign.import.job"

    mailwizz_list_id = fields.Many2one(
        "mailwizz.list", "MailWizz List", readonly=True, index="btree_not_null", ondelete="set null",
        help="The subscribers of this list are the rows of the import.")
    mailwizz_status = fields.Char(
        "Subscriber Status", readonly=True,
        help="Only the list's subscribers of this MailWizz status are imported (all when empty).")

    @api.model_create_multi
    def create(self, vals_list):
        if not self._is_internal():
            # nor through context defaults (default_mailwizz_list_id...), which RPC callers set
            context = {key: value for key, value in self.env.context.items()
                       if not (key.startswith("default_") and key[8:] in MAILWIZZ_PROTECTED_FIELDS)}
            # the context is replaced on purpose: keys are removed from it, not added
            records = self.with_context(context)  # pylint: disable=context-overridden
            return super(CrmCampaignImportJob, records).create(vals_list)
        return super().create(vals_list)

    def _check_protected(self, vals):
        result = super()._check_protected(vals)
        protected = sorted(MAILWIZZ_PROTECTED_FIELDS.intersection(vals))
        if protected and not self._is_internal():
            raise AccessError(self.env._(
                "The fields %(fields)s of a target import are set by the import itself.",
                fields=", ".join(self._fields[name].string for name in protected)))
        return result

    def _open_table(self):
        if not self.mailwizz_list_id:
            return super()._open_table()
        mw_list = self.mailwizz_list_id
        # the job's list was checked readable by its requester when the wizard made it
        mw_list.check_access("read")
        if not mw_list.active:
            raise UserError(self.env._("MailWizz list %(name)s is archived.", name=mw_list.name))
        client = mw_list.backend_id._get_client()
        tags = [tag for tag in (self.header or []) if tag != UID_COLUMN]
        table = MailWizzListTable(client, mw_list.list_uid, tags, status=self.mailwizz_status or None)
        try:
            table.count()
        except MailWizzError as error:
            table.close()
            raise UserError(self.env._(
                "MailWizz list %(name)s cannot be read: %(error)s", name=mw_list.name,
                error=mw_list.backend_id.sudo()._error_message(error))) from error
        return table

    def _import_table(self, table, commit, resume=0):
        job = self
        if isinstance(table, MailWizzListTable):
            # the rows' subscriber uids are read back from the table after each lead batch
            job = self.with_context(**{_TABLE_KEY: table})
        return super(CrmCampaignImportJob, job)._import_table(table, commit, resume)

    def _import_lane_count(self, table):
        # the subscriber uids are read back from the table after each lead batch, in
        # the job's thread: a MailWizz list is written one batch after the other
        if isinstance(table, MailWizzListTable):
            return 0
        return super()._import_lane_count(table)

    def _lead_values(self, record, context):
        extra = record.get("extra")
        if extra and UID_COLUMN in extra and self.mailwizz_list_id:
            # the uid is a link to MailWizz (kept on the subscriber row), not lead data
            record = dict(record, extra={k: v for k, v in extra.items() if k != UID_COLUMN})
        return super()._lead_values(record, context)

    def _after_lead_batch(self, leads, records):
        leads = super()._after_lead_batch(leads, records)
        table = self.env.context.get(_TABLE_KEY)
        if isinstance(table, MailWizzListTable) and self.mailwizz_list_id:
            self._link_mailwizz_subscribers(table, leads, records)
        return leads

    def _link_mailwizz_subscribers(self, table, leads, records):
        """One ``mailwizz.subscriber`` per new lead: the list, the email, the subscriber's
        uid, the lead (and its target), ``synced``: a later push updates the subscriber.

        The rows are written as superuser, like every queue row of the connector (see
        ``mailwizz.list._enqueue``): nothing here comes from the user, the leads are the
        ones this job just created and the uids the ones MailWizz answered."""
        mw_list = self.mailwizz_list_id
        pairs = {}
        for lead, record in zip(leads, records, strict=True):
            email = tools.email_normalize(record.get("email") or "")
            uid, status = table.uid_of(record.get("row_number")) or (None, None)
            if email and email not in pairs:
                pairs[email] = (lead, uid, status, record.get("row_number"))
        if not pairs:
            return
        Sub = self.env["mailwizz.subscriber"].sudo()
        targets = {}
        if self.import_type == "targets":
            # the batch's targets (inserted, linked to their leads, before this hook)
            self.env["crm.campaign.target"].flush_model(["job_id", "row_number"])
            for target in self.env["crm.campaign.target"].sudo().search([
                    ("job_id", "=", self.id),
                    ("row_number", "in", [pair[3] for pair in pairs.values()])]):
                targets[target.row_number] = target.id
        existing = {sub.email: sub for sub in Sub.search(
            [("list_id", "=", mw_list.id), ("email", "in", list(pairs))])}
        now = fields.Datetime.now()
        to_create, opted_out = [], []
        for email, (lead, uid, status, row_number) in pairs.items():
            status = status if status in SUBSCRIBER_STATUSES else False
            out = status in OPT_OUT_STATUSES
            if out:
                opted_out.append(email)
            vals = {
                "lead_id": lead.id,
                "target_id": targets.get(row_number, False),
                "campaign_id": self.campaign_id.id or False,
                "subscriber_uid": uid or False,
                "status": status,
                "last_status_date": now,
                "push_state": "excluded" if out else "synced",
            }
            sub = existing.get(email)
            if sub:
                sub.write({key: value for key, value in vals.items() if value or key == "lead_id"})
            else:
                to_create.append(dict(vals, list_id=mw_list.id, email=email))
        if to_create:
            Sub.create(to_create)
        if opted_out:
            # the address left the list in MailWizz: Odoo's blacklist, the lead's opt-out flag
            mw_list.sudo()._apply_opt_outs(opted_out)
