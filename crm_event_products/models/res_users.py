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
        # the export right follows from the new groups in write() (_crm_enforce_export_right)
        all_roles = self.env["res.groups"].search([("crm_department_id", "!=", False)])
        for user in self:
            commands = [fields.Command.unlink(role.id) for role in all_roles]
            if user.crm_role_id:
                commands.append(fields.Command.link(user.crm_role_id.id))
            user.groups_id = commands

    @api.model_create_multi
    def create(self, vals_list):
        users = super().create(vals_list)
        users._crm_enforce_export_right()
        return users

    def write(self, vals):
        res = super().write(vals)
        if any(
            key == "groups_id" or key.startswith(("in_group_", "sel_groups_")) for key in vals
        ):
            self._crm_enforce_export_right()
        return res

    def _crm_enforce_export_right(self):
        """Odoo's export feature (``base.group_allow_export``) is the export right of the
        roles that have Full Lead Export, and of no other role.

        Called whenever groups change, whichever way (role field, groups of the user,
        users or implied groups of a group): a user holding a role without full export
        loses ``base.group_allow_export`` (e.g. given by the default user template); if
        another of the user's groups implies it, the change is refused.
        """
        if not self or self.env.context.get("crm_export_right_sync"):
            return
        export_group = self.env.ref("base.group_allow_export")
        full_export = self.env.ref(
            "crm_event_products.group_crm_full_export", raise_if_not_found=False
        )
        if not full_export:  # the module's groups are being installed
            return
        users = self.with_context(active_test=False).exists().filtered(
            lambda user: export_group in user.groups_id
            and full_export not in user.groups_id
            and user.groups_id.crm_department_id
        )
        if not users:
            return
        users.with_context(crm_export_right_sync=True).write(
            {"groups_id": [fields.Command.unlink(export_group.id)]}
        )
        kept = users.filtered(lambda user: export_group in user.groups_id)
        if kept:
            granting = kept.groups_id.filtered(lambda group: export_group in group.trans_implied_ids)
            raise ValidationError(
                _(
                    "A role without export right cannot get \"%(export)s\" through "
                    "%(groups)s (users: %(users)s). Export is granted by the group "
                    "\"%(full)s\" only.",
                    users=", ".join(kept.mapped("name")),
                    export=export_group.name,
                    groups=", ".join(granting.mapped("name")),
                    full=full_export.name,
                )
            )

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
