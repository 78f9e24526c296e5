from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

MAX_TEAM_EXECUTIVES = 4
MIN_TEAM_EXECUTIVES = 3


class CrmTeam(models.Model):
    """Phone Sales teams: 3 to 4 executives working one conference product."""

    _inherit = "crm.team"

    crm_department_id = fields.Many2one("crm.department", string="Department", index=True)
    crm_product_id = fields.Many2one(
        "event.event",
        string="Product",
        index=True,
        tracking=True,
        domain="[('crm_state', '=', 'active'), ('crm_locked', '=', False)]",
        help="The conference product the team works; its leads are the team's export.",
    )
    crm_executive_count = fields.Integer(
        string="# Executives", compute="_compute_crm_executive_count"
    )
    crm_understaffed = fields.Boolean(
        string="Understaffed", compute="_compute_crm_executive_count"
    )
    crm_product_active = fields.Boolean(
        string="Product Active for Team", compute="_compute_crm_product_active"
    )

    @api.depends("member_ids", "crm_department_id")
    def _compute_crm_executive_count(self):
        for team in self:
            count = len(team._crm_executives())
            team.crm_executive_count = count
            team.crm_understaffed = (
                team.crm_department_id.code == "phone_sales" and count < MIN_TEAM_EXECUTIVES
            )

    @api.depends("crm_product_id.crm_state", "crm_product_id.crm_locked")
    def _compute_crm_product_active(self):
        for team in self:
            product = team.crm_product_id
            team.crm_product_active = bool(
                product and product.crm_state == "active" and not product.crm_locked
            )

    def _crm_executives(self):
        """Members whose role is Sales Executive or Senior Sales Executive."""
        self.ensure_one()
        stl = self.env.ref("crm_event_products.group_phone_stl")
        se = self.env.ref("crm_event_products.group_phone_se")
        return self.member_ids.filtered(
            lambda user: se in user.groups_id and stl not in user.groups_id
        )

    @api.constrains("crm_department_id")
    def _check_phone_sales_team_size(self):
        for team in self.filtered(lambda t: t.crm_department_id.code == "phone_sales"):
            if len(team._crm_executives()) > MAX_TEAM_EXECUTIVES:
                raise ValidationError(
                    _(
                        "Team %(team)s has %(count)s executives: a Phone Sales team has at most "
                        "%(max)s.",
                        team=team.name,
                        count=len(team._crm_executives()),
                        max=MAX_TEAM_EXECUTIVES,
                    )
                )

    def _crm_user_is_in_team(self, user):
        self.ensure_one()
        return user == self.user_id or user in self.member_ids
