from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class CrmExportProfile(models.Model):
    """The columns a role may download in its defined (team) export.

    Administrators edit these; a user gets the profile of their highest role
    that has one.
    """

    _name = "crm.export.profile"
    _description = "Defined Export per Role"
    _order = "group_id"

    name = fields.Char(required=True, translate=True)
    group_id = fields.Many2one(
        "res.groups",
        string="Role",
        required=True,
        domain=[("crm_department_id", "!=", False)],
        help="Applies to this role and every role above it, unless a higher role has its own.",
    )
    line_ids = fields.One2many("crm.export.profile.line", "profile_id", string="Columns")
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("group_unique", "unique(group_id)", "A role has one defined export."),
    ]

    @api.constrains("line_ids")
    def _check_has_columns(self):
        for profile in self:
            if not profile.line_ids:
                raise ValidationError(
                    _("The defined export %(name)s needs at least one column.", name=profile.name)
                )

    @api.model
    def _for_user(self, user):
        """Return the profile of ``user``'s highest role that has one (may be empty)."""
        profiles = self.search([("group_id", "in", user.groups_id.ids)])
        return profiles.sorted(lambda p: p.group_id.crm_role_level, reverse=True)[:1]

    def _rows(self, leads):
        """Header and value rows of ``leads`` for this profile's columns."""
        self.ensure_one()
        lines = self.line_ids.sorted("sequence")
        header = [line.label or line.field_id.field_description for line in lines]
        names = lines.field_id.mapped("name")
        rows = []
        for record in leads.read(names, load="_classic_read"):
            rows.append([self._cell(record[name]) for name in names])
        return header, rows

    @staticmethod
    def _cell(value):
        if isinstance(value, tuple | list):  # many2one read as (id, name)
            return value[1] if len(value) == 2 and isinstance(value[1], str) else ""
        return "" if value is False or value is None else value
