from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

PRODUCT_CYCLE_MONTHS = 3


class EventEvent(models.Model):
    """A conference is the CRM's *product*: every lead belongs to one.

    The product adds a sales cycle (three months by default), an
    Active/Disabled switch (a disabled product and all its leads are hidden from
    everyone but administrators) and a lock (the leads of a locked, past product
    are read-only for everyone).
    """

    _inherit = "event.event"

    crm_state = fields.Selection(
        [("active", "Active"), ("disabled", "Disabled")],
        string="Product Status",
        default="active",
        required=True,
        copy=False,
        index=True,
        tracking=True,
        help="Disabled: the product and all its leads are invisible to everyone but "
        "administrators.",
    )
    crm_locked = fields.Boolean(
        string="Locked",
        copy=False,
        index=True,
        tracking=True,
        help="The leads of a locked product are read-only for everyone.",
    )
    crm_cycle_start = fields.Date(
        string="Cycle Start", default=fields.Date.context_today, tracking=True
    )
    crm_cycle_end = fields.Date(
        string="Cycle End",
        compute="_compute_crm_cycle_end",
        store=True,
        index=True,
        readonly=False,
        tracking=True,
        help="End of the product's sales cycle; three months after its start unless changed.",
    )
    crm_cycle_over = fields.Boolean(
        string="Cycle Over", compute="_compute_crm_cycle_over", search="_search_crm_cycle_over"
    )
    crm_lock_suggested = fields.Boolean(
        string="Past: lock it?",
        compute="_compute_crm_cycle_over",
        search="_search_crm_lock_suggested",
        help="The product's cycle has ended and it is still active and unlocked: an administrator "
        "locks it to make its leads read-only.",
    )
    crm_assignment_ids = fields.One2many(
        "crm.product.assignment", "product_id", string="Assigned Users"
    )
    crm_user_ids = fields.Many2many(
        "res.users", string="Users", compute="_compute_crm_user_ids"
    )
    crm_team_ids = fields.One2many("crm.team", "crm_product_id", string="Phone Sales Teams")
    crm_can_edit = fields.Boolean(
        compute="_compute_crm_can_edit",
        help="Technical: the current user may edit products (administrators and event managers).",
    )

    _sql_constraints = [
        (
            "crm_cycle_dates",
            "CHECK(crm_cycle_end IS NULL OR crm_cycle_start IS NULL "
            "OR crm_cycle_end >= crm_cycle_start)",
            "A product's cycle cannot end before it starts.",
        ),
    ]

    @api.depends("crm_cycle_start")
    def _compute_crm_cycle_end(self):
        for product in self:
            if product.crm_cycle_start:
                product.crm_cycle_end = product.crm_cycle_start + relativedelta(
                    months=PRODUCT_CYCLE_MONTHS
                )

    @api.depends("crm_cycle_end", "crm_locked", "crm_state")
    def _compute_crm_cycle_over(self):
        today = fields.Date.context_today(self)
        for product in self:
            product.crm_cycle_over = bool(product.crm_cycle_end and product.crm_cycle_end < today)
            product.crm_lock_suggested = (
                product.crm_cycle_over and not product.crm_locked and product.crm_state == "active"
            )

    def _search_crm_lock_suggested(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on 'Past: lock it?'."))
        today = fields.Date.context_today(self)
        if (operator == "=") == value:
            return [("crm_cycle_end", "<", today), ("crm_locked", "=", False), ("crm_state", "=", "active")]
        return [
            "|", "|", "|",
            ("crm_cycle_end", "=", False),
            ("crm_cycle_end", ">=", today),
            ("crm_locked", "=", True),
            ("crm_state", "!=", "active"),
        ]

    def _search_crm_cycle_over(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on 'Cycle Over'."))
        today = fields.Date.context_today(self)
        over = [("crm_cycle_end", "<", today)]
        running = ["|", ("crm_cycle_end", "=", False), ("crm_cycle_end", ">=", today)]
        return over if (operator == "=") == value else running

    @api.depends_context("uid")
    def _compute_crm_can_edit(self):
        can_edit = self.env["event.event"].has_access("write")
        for product in self:
            product.crm_can_edit = can_edit

    @api.depends("crm_assignment_ids.user_id")
    def _compute_crm_user_ids(self):
        for product in self:
            product.crm_user_ids = product.crm_assignment_ids.user_id

    def write(self, vals):
        if "name" in vals:
            frozen = self.filtered(lambda p: p.crm_state != "active" or p.crm_locked)
            if frozen:
                raise UserError(
                    _(
                        "The name of %(products)s cannot be changed: a product can only be "
                        "renamed while it is active and unlocked.",
                        products=", ".join(frozen.mapped("display_name")),
                    )
                )
        if {"crm_locked", "crm_state"} & set(vals):
            self._check_crm_admin()
        return super().write(vals)

    def _check_crm_admin(self):
        if not (self.env.su or self.env.user.has_group("crm_event_products.group_crm_conf_admin")):
            raise AccessError(
                _("Only a CRM administrator can lock, unlock, disable or enable a product.")
            )

    def action_crm_lock(self):
        """Lock past products: their leads become read-only for everyone."""
        running = self.filtered(lambda p: not p.crm_cycle_over)
        if running:
            raise UserError(
                _(
                    "Only past products can be locked; the cycle of %(products)s has not "
                    "ended yet.",
                    products=", ".join(running.mapped("display_name")),
                )
            )
        self.write({"crm_locked": True})

    def action_crm_unlock(self):
        self.write({"crm_locked": False})

    def action_crm_disable(self):
        self.write({"crm_state": "disabled"})

    def action_crm_enable(self):
        self.write({"crm_state": "active"})

    def action_view_crm_leads(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm.crm_lead_all_leads")
        action["domain"] = [("event_id", "=", self.id)]
        action["context"] = {"default_event_id": self.id}
        return action
