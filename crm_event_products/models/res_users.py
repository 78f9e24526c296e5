from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResUsers(models.Model):
    """A user holds at most one conference-CRM role; the role gives the department."""

    _inherit = "res.users"

    crm_role_id = fields.Many2one(
        "res.groups",
        string="CRM Role",
        compute="_compute_crm_role_id",
        inverse="_inverse_crm_role_id",
        domain=[("crm_department_id", "!=", False)],
        help="The user's role; it grants the rights of every role under it.",
    )
    crm_department_id = fields.Many2one(
        "crm.department",
        string="CRM Department",
        compute="_compute_crm_department_id",
        store=True,
        index=True,
    )
    crm_assignment_ids = fields.One2many(
        "crm.product.assignment", "user_id", string="Product Assignments"
    )
    crm_product_ids = fields.Many2many(
        "event.event", string="Assigned Products", compute="_compute_crm_product_ids"
    )

    @api.depends("groups_id")
    def _compute_crm_role_id(self):
        for user in self:
            roles = user.groups_id.filtered("crm_department_id")
            user.crm_role_id = roles.sorted("crm_role_level", reverse=True)[:1]

    def _inverse_crm_role_id(self):
        all_roles = self.env["res.groups"].search([("crm_department_id", "!=", False)])
        export_group = self.env.ref("base.group_allow_export")
        full_export = self.env.ref("crm_event_products.group_crm_full_export")
        for user in self:
            commands = [fields.Command.unlink(role.id) for role in all_roles]
            role = user.crm_role_id
            if role:
                commands.append(fields.Command.link(role.id))
                if full_export not in role.trans_implied_ids:
                    commands.append(fields.Command.unlink(export_group.id))
            user.groups_id = commands

    @api.depends("groups_id")
    def _compute_crm_department_id(self):
        for user in self:
            user.crm_department_id = user.groups_id.crm_department_id[:1]

    @api.depends("crm_assignment_ids.product_id")
    def _compute_crm_product_ids(self):
        for user in self:
            user.crm_product_ids = user.crm_assignment_ids.product_id

    @api.constrains("groups_id")
    def _check_single_crm_department(self):
        for user in self:
            if len(user.groups_id.crm_department_id) > 1:
                raise ValidationError(
                    _(
                        "%(user)s has roles in several departments (%(departments)s): a user "
                        "holds one role.",
                        user=user.name,
                        departments=", ".join(user.groups_id.crm_department_id.mapped("name")),
                    )
                )
