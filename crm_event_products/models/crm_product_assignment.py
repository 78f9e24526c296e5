from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


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
