from odoo import api, fields, models


class ResGroups(models.Model):
    """Marks the groups that are conference-CRM roles and where they stand."""

    _inherit = "res.groups"

    crm_department_id = fields.Many2one(
        "crm.department",
        string="CRM Department",
        help="Set on the groups that are roles of a department.",
    )
    crm_role_code = fields.Char(string="Role Code", help="Short name of the role, e.g. PD, SE.")
    crm_role_level = fields.Integer(
        string="Role Level", help="Rank of the role in its department, 1 being the lowest."
    )

    @api.model_create_multi
    def create(self, vals_list):
        groups = super().create(vals_list)
        groups._crm_enforce_users_export_right()
        return groups

    def write(self, vals):
        res = super().write(vals)
        if "users" in vals or "implied_ids" in vals:
            self._crm_enforce_users_export_right()
        return res

    def _crm_enforce_users_export_right(self):
        """New members or new implied groups may bring ``base.group_allow_export`` to users
        of a role without export right (see ``res.users._crm_enforce_export_right``)."""
        # Odoo adds the implied groups of the members in SQL (GroupsImplied.write)
        self.env["res.users"].invalidate_model(["groups_id"])
        self.invalidate_model(["users"])
        self.with_context(active_test=False).users._crm_enforce_export_right()
