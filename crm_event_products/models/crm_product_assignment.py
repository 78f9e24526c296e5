from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError


class CrmProductAssignment(models.Model):
    """Which user works which conference product.

    Managers assign the products of their department to its users; the lead
    record rules read these assignments when a user searches leads.
    """

    _name = "crm.product.assignment"
    _description = "Product Assignment"
    _order = "product_id, department_id, user_id"
    _rec_name = "user_id"

    product_id = fields.Many2one(
        "event.event", string="Product", required=True, index=True, ondelete="cascade"
    )
    user_id = fields.Many2one(
        "res.users",
        string="User",
        required=True,
        index=True,
        ondelete="cascade",
        domain=[("share", "=", False)],
    )
    department_id = fields.Many2one(
        related="user_id.crm_department_id", store=True, string="Department", index=True
    )
    product_state = fields.Selection(related="product_id.crm_state", string="Product Status")
    product_locked = fields.Boolean(related="product_id.crm_locked", string="Product Locked")
    assigned_by_id = fields.Many2one(
        "res.users", string="Assigned By", default=lambda self: self.env.user, readonly=True
    )

    _sql_constraints = [
        (
            "product_user_unique",
            "unique(product_id, user_id)",
            "This user is already assigned to this product.",
        ),
    ]

    @api.constrains("user_id")
    def _check_user_has_role(self):
        for assignment in self:
            if not assignment.user_id.crm_department_id:
                raise ValidationError(
                    _(
                        "%(user)s has no department role: give them a role before assigning "
                        "a product.",
                        user=assignment.user_id.name,
                    )
                )

    # ------------------------------------------------------------------
    # who may assign what
    # ------------------------------------------------------------------
    def _is_assignment_admin(self):
        return self.env.su or self.env.user.has_group("crm_event_products.group_crm_conf_admin")

    @api.model_create_multi
    def create(self, vals_list):
        if not self._is_assignment_admin():
            self._check_manager_may_assign(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        if not self._is_assignment_admin() and {"product_id", "user_id"} & set(vals):
            raise AccessError(
                _(
                    "Only a CRM administrator can move an assignment to another product or "
                    "user: remove it and assign again."
                )
            )
        return super().write(vals)

    @api.model
    def _check_manager_may_assign(self, vals_list):
        """A manager assigns only the products they already hold (assignments that
        existed before this call: the new record cannot vouch for itself) to users of
        their own department."""
        user = self.env.user
        held = set(self.search([("user_id", "=", user.id)]).product_id.ids)
        department = user.crm_department_id
        assignees = self.env["res.users"].browse(
            {vals.get("user_id") for vals in vals_list if vals.get("user_id")}
        )
        for vals in vals_list:
            product_id = vals.get("product_id")
            if product_id not in held:
                product = self.env["event.event"].browse(product_id).exists()
                if product and not product.has_access("read"):
                    product = product.browse()
                raise AccessError(
                    _(
                        "You can only assign products you are assigned to yourself; "
                        "%(product)s is not one of them.",
                        product=product.name or product_id,
                    )
                )
            assignee = assignees.browse(vals.get("user_id")) & assignees
            if not department or assignee.crm_department_id != department:
                raise AccessError(
                    _(
                        "You can only assign products to users of your department "
                        "(%(department)s); %(user)s is not in it.",
                        department=department.name or "-",
                        user=assignee.name or vals.get("user_id"),
                    )
                )
