import csv
import io
import json
import logging

from markupsafe import Markup, escape
from psycopg2.extras import execute_values

from odoo import api, fields, models, tools
from odoo.tools import split_every
from odoo.tools.sql import create_index

from ..lib.enrichment import SEGMENT_LABELS
from ..lib.mapping import SENSITIVE_FIELDS
from ..lib.sealing import Sealer, UnsealError, generate_secret

_logger = logging.getLogger(__name__)

KEY_PARAM = "crm_campaign_mgmt.sensitive_data_key"
# an odoo.conf option wins over the database parameter (key kept out of the database)
KEY_CONFIG_OPTION = "crm_campaign_sensitive_data_key"
SENSITIVE_GROUP = "crm_campaign_mgmt.group_sensitive_data"
TARGET_STATES = [
    ("pending", "Pending"),
    ("assigned", "Assigned"),
    ("converted", "Converted"),
]
# columns written by the bulk insert of the import, besides the audit columns
INSERT_COLUMNS = (
    "campaign_id", "event_id", "job_id", "name", "first_name", "last_name", "email", "phone",
    "company_name", "job_title", "street", "street2", "city", "state_name", "zip",
    "country_id", "industry", "platform_source", "website", "employees", "region",
    "region_cluster", "segment", "row_number", "extra_data", "sensitive_data_enc", "state",
)


class CrmCampaignTarget(models.Model):
    """A person imported for a campaign, lean until it becomes a lead.

    Targets are written in bulk by the import job (see
    ``crm.campaign.import.job``) and turned into ``crm.lead`` records in
    batches by :meth:`_convert_to_leads` when the campaign assigns them.
    Sensitive columns (SSN, date of birth, financial figures) are kept in one
    AES-GCM token per target (``lib/sealing.py``) and opened only for
    ``group_sensitive_data``.
    """

    _name = "crm.campaign.target"
    _description = "Campaign Target"
    _order = "id desc"

    # campaign_id / event_id lookups use the composite indexes of init()
    campaign_id = fields.Many2one(
        "utm.campaign", "Campaign", required=True, ondelete="cascade")
    event_id = fields.Many2one(
        "event.event", "Conference", ondelete="restrict",
        help="Conference product the target is imported for (duplicates are searched "
        "among its targets and leads).")
    job_id = fields.Many2one(
        "crm.campaign.import.job", "Import", index="btree_not_null", ondelete="set null")
    name = fields.Char("Full Name")
    first_name = fields.Char()
    last_name = fields.Char()
    email = fields.Char(index=True, help="Normalised (lowercase) email address.")
    phone = fields.Char(help="Phone number in E.164 format.")
    company_name = fields.Char("Company Name")
    job_title = fields.Char()
    street = fields.Char()
    street2 = fields.Char()
    city = fields.Char()
    state_name = fields.Char("State / Province")
    zip = fields.Char()
    country_id = fields.Many2one("res.country", "Country")
    industry = fields.Char()
    platform_source = fields.Char(
        "Platform Source", help="Where the target comes from, e.g. IndiaMart, LinkedIn.")
    website = fields.Char()
    employees = fields.Char("Company Size")
    region = fields.Char(help="State found in the address, e.g. West Bengal.")
    region_cluster = fields.Char(help="Cluster of the region, e.g. East.")
    segment = fields.Selection(
        list(SEGMENT_LABELS.items()), "Company Segment")
    row_number = fields.Integer("Row", help="Row of the imported file.")
    extra_data = fields.Json(
        "Other Columns", help="Values of the imported columns mapped to no field.")
    extra_data_text = fields.Text("Other Columns (text)", compute="_compute_extra_data_text")
    state = fields.Selection(TARGET_STATES, default="pending", required=True)
    user_id = fields.Many2one("res.users", "Sales Rep", index="btree_not_null")
    lead_id = fields.Many2one("crm.lead", "Lead", index="btree_not_null", ondelete="set null")
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    # sensitive data: one encrypted token, readable through the fields below only
    sensitive_data_enc = fields.Text(
        "Sensitive Data (encrypted)", groups="base.group_system", copy=False)
    has_sensitive_data = fields.Boolean(compute="_compute_has_sensitive_data")
    ssn = fields.Char(
        "SSN / National ID", compute="_compute_sensitive", inverse="_inverse_sensitive",
        groups=SENSITIVE_GROUP)
    date_of_birth = fields.Char(
        compute="_compute_sensitive", inverse="_inverse_sensitive", groups=SENSITIVE_GROUP)
    revenue = fields.Char(
        "Turnover / Revenue", compute="_compute_sensitive", inverse="_inverse_sensitive",
        groups=SENSITIVE_GROUP)
    income = fields.Char(
        compute="_compute_sensitive", inverse="_inverse_sensitive", groups=SENSITIVE_GROUP)
    npv = fields.Char(
        "NPV / Net Worth", compute="_compute_sensitive", inverse="_inverse_sensitive",
        groups=SENSITIVE_GROUP)

    def init(self):
        res = super().init()
        # duplicate search of the import: by conference (or campaign) and email / phone
        # (few indexes: each one slows the bulk insert of 100,000 rows)
        for scope, key in (("event_id", "email"), ("event_id", "phone"),
                           ("campaign_id", "email")):
            create_index(self.env.cr, f"crm_campaign_target_{scope}_{key}_index",
                         self._table, [scope, key])
        return res

    # ------------------------------------------------------------------
    # encryption
    # ------------------------------------------------------------------

    @api.model
    def _ensure_encryption_key(self):
        """Create the sensitive-data key at install (data file) if none is configured."""
        icp = self.env["ir.config_parameter"].sudo()
        if not tools.config.get(KEY_CONFIG_OPTION) and not icp.get_param(KEY_PARAM):
            icp.set_param(KEY_PARAM, generate_secret())

    @api.model
    def _get_sealer(self):
        key = tools.config.get(KEY_CONFIG_OPTION) or \
            self.env["ir.config_parameter"].sudo().get_param(KEY_PARAM)
        if not key:
            self._ensure_encryption_key()
            key = self.env["ir.config_parameter"].sudo().get_param(KEY_PARAM)
        return Sealer(key)

    @api.model
    def _encrypt_sensitive(self, values, sealer=None):
        """One token for a dict of sensitive values (None when there is none)."""
        return (sealer or self._get_sealer()).seal(values)

    @api.model
    def _decrypt_sensitive(self, token, sealer=None):
        try:
            return (sealer or self._get_sealer()).unseal(token)
        except UnsealError:
            _logger.warning("Sensitive data of a campaign target cannot be decrypted")
            return {}

    def _compute_has_sensitive_data(self):
        tokens = {t.id: t.sensitive_data_enc for t in self.sudo()}
        for target in self:
            target.has_sensitive_data = bool(tokens.get(target.id))

    def _compute_sensitive(self):
        sealer = self._get_sealer()
        for target in self:
            values = self._decrypt_sensitive(target.sudo().sensitive_data_enc, sealer)
            for key in SENSITIVE_FIELDS:
                target[key] = values.get(key) or False

    def _inverse_sensitive(self):
        sealer = self._get_sealer()
        for target in self:
            values = {key: target[key] for key in SENSITIVE_FIELDS}
            target.sudo().sensitive_data_enc = self._encrypt_sensitive(values, sealer)

    @api.depends("extra_data")
    def _compute_extra_data_text(self):
        for target in self:
            data = target.extra_data or {}
            target.extra_data_text = "\n".join(f"{k}: {v}" for k, v in data.items()) or False

    # ------------------------------------------------------------------
    # bulk insert (import)
    # ------------------------------------------------------------------

    @api.model
    def _bulk_insert(self, rows):
        """Insert targets without the per-record ORM work of ``create``.

        :param rows: dicts keyed by :data:`INSERT_COLUMNS` (missing keys are NULL)
        :return: number of rows inserted

        The target model has no stored computed field, no related field and no
        ``create`` override, so an ``INSERT`` with the audit columns is what
        ``create`` would write; the model's cache is invalidated afterwards.
        One ``COPY`` per batch: the cheapest path into PostgreSQL.
        """
        if not rows:
            return 0
        self.env.flush_all()
        now = self.env.cr.now()
        uid = self.env.uid
        company_id = self.env.company.id
        columns = INSERT_COLUMNS + ("company_id", "create_uid", "write_uid", "create_date",
                                    "write_date")
        tail = (company_id, uid, uid, now, now)
        extra_index = INSERT_COLUMNS.index("extra_data")
        state_index = INSERT_COLUMNS.index("state")
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for row in rows:
            line = [row.get(col) for col in INSERT_COLUMNS]
            extra = line[extra_index]
            line[extra_index] = json.dumps(extra) if extra else None
            line[state_index] = line[state_index] or "pending"
            line.extend(tail)
            # CSV COPY: an unquoted empty field is NULL (values are never "")
            writer.writerow(line)
        buffer.seek(0)
        self.env.cr._obj.copy_expert(
            f'COPY "{self._table}" ({", ".join(columns)}) FROM STDIN WITH (FORMAT csv)',
            buffer)
        self.invalidate_model()
        return len(rows)

    # ------------------------------------------------------------------
    # conversion to leads
    # ------------------------------------------------------------------

    def _prepare_lead_values(self, sources, default_department):
        self.ensure_one()
        campaign = self.campaign_id
        department = (self.user_id.crm_department_id or self.create_uid.crm_department_id
                      or default_department)
        name = " - ".join(p for p in (self.company_name, self.name) if p) or self.email
        description = False
        if self.extra_data:
            description = Markup("<ul>%s</ul>") % Markup("").join(
                Markup("<li>%s: %s</li>") % (escape(k), escape(v))
                for k, v in self.extra_data.items())
        return {
            "name": name,
            "type": "lead",
            "event_id": (self.event_id or campaign.event_id).id,
            "department_id": department.id,
            "contact_name": self.name or False,
            "contact_first_name": self.first_name or False,
            "contact_last_name": self.last_name or False,
            "email_from": self.email,
            "phone": self.phone,
            "partner_name": self.company_name or False,
            "function": self.job_title or False,
            "street": self.street or False,
            "street2": self.street2 or False,
            "city": self.city or False,
            "zip": self.zip or False,
            "country_id": self.country_id.id,
            "website": self.website or False,
            "description": description,
            "campaign_id": campaign.id,
            "source_id": sources.get(self.platform_source, False),
            "user_id": self.user_id.id,
            "team_id": campaign.team_id.id if "team_id" in campaign._fields else False,
        }

    def _get_utm_sources(self):
        """``{platform name: utm.source id}``, creating the missing sources."""
        names = {name for name in self.mapped("platform_source") if name}
        if not names:
            return {}
        Source = self.env["utm.source"].sudo()
        sources = {s.name: s.id for s in Source.search([("name", "in", list(names))])}
        missing = names - set(sources)
        if missing:
            created = Source.create([{"name": name} for name in sorted(missing)])
            sources.update({s.name: s.id for s in created})
        return sources

    def _convert_to_leads(self, batch_size=1000):
        """Create one ``crm.lead`` per target without a lead, in batches.

        Called by the campaign's assignment engine. Leads get the conference,
        department, contact names, email, phone, company, job title, address,
        campaign and platform source of the target; mail tracking is off.

        :return: the created leads
        """
        Lead = self.env["crm.lead"].with_context(
            tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True,
            mail_notrack=True, mail_auto_subscribe_no_notify=True)
        default_department = self.env.ref(
            "crm_event_products.crm_department_email_sales", raise_if_not_found=False
        ) or self.env["crm.department"]
        todo = self.filtered(lambda t: not t.lead_id and (t.event_id or t.campaign_id.event_id))
        leads = Lead.browse()
        for batch in split_every(batch_size, todo.ids, self.browse):
            sources = batch._get_utm_sources()
            vals_list = [target._prepare_lead_values(sources, default_department)
                         for target in batch]
            created = Lead.create(vals_list)
            # one UPDATE for the batch
            self.env.flush_all()
            execute_values(
                self.env.cr._obj,
                f"""UPDATE "{self._table}" AS t
                       SET lead_id = v.lead_id, state = 'converted',
                           write_date = now() at time zone 'UTC', write_uid = v.uid
                      FROM (VALUES %s) AS v(id, lead_id, uid)
                     WHERE t.id = v.id""",
                [(tid, lid, self.env.uid) for tid, lid in zip(batch.ids, created.ids)])
            batch.invalidate_recordset(["lead_id", "state", "write_date", "write_uid"])
            leads |= created
        return leads

    def action_open_lead(self):
        self.ensure_one()
        return self.lead_id.get_formview_action()

