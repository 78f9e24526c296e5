from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.sql import create_index

LEAD_WORK_STATUSES = [
    ("prospect", "Prospect"),
    ("hot", "Hot"),
    ("warm", "Warm"),
    ("active", "Active"),
]


class CrmLead(models.Model):
    _inherit = "crm.lead"

    campaign_lead_status = fields.Selection(
        LEAD_WORK_STATUSES, string="Work Status", default="prospect", tracking=True,
        index=True, group_expand="_group_expand_campaign_lead_status",
        help="Where the rep stands with this lead in its campaign.")
    campaign_assignment_ids = fields.One2many(
        "crm.lead.assignment", "lead_id", string="Campaign Assignments")
    campaign_assignment_id = fields.Many2one(
        "crm.lead.assignment", string="Current Assignment",
        compute="_compute_campaign_assignment_id")
    campaign_assignment_state = fields.Selection(
        [
            ("pending", "Pending"),
            ("accepted", "Accepted"),
            ("declined", "Declined"),
            ("done", "Completed"),
        ],
        string="Assignment Status", compute="_compute_campaign_assignment_id")
    campaign_manager_note = fields.Text(
        string="Manager Note", compute="_compute_campaign_assignment_id")
    region_cluster = fields.Char(
        compute="_compute_region_cluster", store=True, readonly=False, index=True,
        help="Region cluster of the company's address (e.g. East for West Bengal), as the "
        "imports find it: set by the import, else found in the state, city and street "
        "(parameter crm_campaign_mgmt.region_clusters).")
    # the stock UTM picker, limited to the campaigns the user may use (checked on save)
    campaign_id = fields.Many2one(domain="[('crm_usable', '=', True)]")
    crm_import_job_id = fields.Many2one(
        "crm.campaign.import.job", string="Import", index="btree_not_null", readonly=True,
        copy=False, ondelete="set null", help="The import that created this lead.")

    @api.constrains("campaign_id")
    def _check_campaign_usable(self):
        """Only a campaign the user may use (``utm.campaign._crm_usable_domain``)."""
        self.campaign_id._crm_check_usable()

    def init(self):
        res = super().init()
        # the duplicate search of the imports: a product's leads by email and by phone
        # (without them, a batch scans every lead of the product: 4.7 s per batch of 1,000
        # at 200,000 leads, 11 ms with them)
        for column in ("email_normalized", "phone_sanitized"):
            create_index(self.env.cr, f"crm_lead_event_id_{column}_index", self._table,
                         ["event_id", column])
        return res

    @api.depends("state_id", "city", "street", "street2")
    def _compute_region_cluster(self):
        """The import's own resolver (same clusters, same order of address fields),
        built once per batch; the state names are read with one prefetch query."""
        resolver = self.env["crm.campaign.import.job"]._get_region_resolver()
        for lead in self:
            lead.region_cluster = resolver.resolve(
                lead.state_id.name, lead.city, lead.street, lead.street2)[1] or False

    @api.model
    def _group_expand_campaign_lead_status(self, values, domain):
        return [key for key, _label in LEAD_WORK_STATUSES]

    @api.depends("campaign_assignment_ids.state", "campaign_assignment_ids.manager_note",
                 "campaign_id")
    def _compute_campaign_assignment_id(self):
        for lead in self:
            campaign = lead.campaign_id
            assignments = lead.campaign_assignment_ids.filtered(
                lambda a, campaign=campaign: a.state != "declined"
                and (not campaign or a.campaign_id == campaign))
            current = assignments.sorted("id")[-1:]
            lead.campaign_assignment_id = current
            lead.campaign_assignment_state = current.state
            lead.campaign_manager_note = current.manager_note

    def write(self, vals):
        res = super().write(vals)
        if "active" in vals or "stage_id" in vals:
            closed = self.filtered(lambda lead: not lead.active or lead.stage_id.is_won)
            if closed:
                closed.sudo().campaign_assignment_ids.filtered(
                    lambda a: a.state in ("pending", "accepted"))._mark_done()
        return res

    def action_campaign_use_template(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Use a Message Template"),
            "res_model": "crm.lead.template.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_lead_id": self.id},
        }

    def action_campaign_mark_processed(self):
        assignments = self.campaign_assignment_id.filtered(lambda a: a.state == "accepted")
        if not assignments:
            raise UserError(self.env._("Accept the lead's assignment before completing it."))
        assignments.action_done()
        return True
