from odoo import api, fields, models
from odoo.exceptions import UserError

IMPORT_INTENTS = [
    ("leads", "Import leads"),
    ("targets", "Import campaign targets"),
]


class CrmImportWizardMixin(models.AbstractModel):
    """What every import wizard asks (a file's, a MailWizz list's): leads of one of the
    user's products or targets of a campaign, the default country, the assignment."""

    _name = "crm.import.wizard.mixin"
    _description = "Import Wizard: Product, Campaign and Intent"

    import_type = fields.Selection(
        IMPORT_INTENTS, "What are you importing?", required=True, default="leads",
        help="Import leads: each row becomes a lead of yours on the product, seen by you and "
        "by the people your role shares leads with. Import campaign targets: rows are "
        "attached to a campaign; they become the campaign's leads and go to its reps.")
    campaign_id = fields.Many2one(
        "utm.campaign", "Campaign",
        help="Campaign of the targets (optional for leads: the leads are attributed to it).")
    allowed_event_ids = fields.Many2many(
        "event.event", compute="_compute_allowed_event_ids",
        help="The products the user works (their product assignments).")
    event_id = fields.Many2one(
        "event.event", "Conference", compute="_compute_event_id", store=True, readonly=False,
        domain="[('id', 'in', allowed_event_ids)]",
        help="Conference product of the rows; duplicates are searched among its targets "
        "and leads.")
    assign_leads = fields.Boolean(
        "Assign to the Campaign's Reps", compute="_compute_assign_leads", store=True,
        readonly=False,
        help="Once the targets are leads, distribute them among the campaign's reps.")
    default_country_id = fields.Many2one(
        "res.country", "Default Country", compute="_compute_default_country_id", store=True,
        readonly=False,
        help="Country used to read phone numbers of rows that name none and hold no "
        "international number: the product's country, else your company's.")

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        # BaseModel._create caches every x2many of a new record as empty, computed ones
        # included: allowed_event_ids must be computed on first read
        wizards.invalidate_recordset(["allowed_event_ids"])
        return wizards

    def _get_allowed_events(self):
        """The active, unlocked products the real user works (product assignments);
        every one for CRM administrators. Read as the user, also from the stored
        computes (which run as superuser)."""
        env = self.env(su=False)
        user = env.user
        if user._is_superuser() or user.has_group("crm_event_products.group_crm_conf_admin"):
            return env["event.event"].search(
                [("crm_state", "=", "active"), ("crm_locked", "=", False)])
        return env["crm.product.assignment"].search([("user_id", "=", user.id)]).product_id \
            .filtered(lambda event: event.crm_state == "active" and not event.crm_locked)

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
        fallback = self.env.company.country_id or self.env.ref("base.in",
                                                               raise_if_not_found=False)
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
        """The product is one of the user's, targets have a campaign, leads a creator."""
        if not self.event_id:
            raise UserError(self.env._(
                "Choose the conference product of the rows (every lead needs one)."))
        if self.event_id not in self._get_allowed_events():
            raise UserError(self.env._(
                "You do not work product %(product)s (or it is locked): import into one of "
                "your products.", product=self.event_id.display_name))
        if self.import_type == "targets" and not self.campaign_id:
            raise UserError(self.env._("Choose the campaign of the targets."))
        if self.import_type == "leads" and not self.env["crm.lead"].has_access("create"):
            raise UserError(self.env._("Your role does not create leads."))
        return True
