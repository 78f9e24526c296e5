from odoo import api, fields, models

DEPARTMENT_CODES = [
    ("production", "Production"),
    ("email_sales", "Email Sales"),
    ("phone_sales", "Phone Sales"),
]


class CrmDepartment(models.Model):
    """One of the company's three departments.

    A department owns leads (``crm.lead.department_id``) and groups a chain of
    roles (``role_group_ids``, lowest role first); its members are the users
    holding one of those roles.
    """

    _name = "crm.department"
    _description = "CRM Department"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Selection(DEPARTMENT_CODES, required=True, readonly=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    member_group_id = fields.Many2one(
        "res.groups",
        string="Member Role",
        required=True,
        help="The lowest role of the department: every role of the department implies it, "
        "so its members are exactly the department's users.",
    )
    user_ids = fields.One2many("res.users", "crm_department_id", string="Members")
    member_count = fields.Integer(compute="_compute_member_count")
    lead_count = fields.Integer(compute="_compute_lead_count")
    team_ids = fields.One2many("crm.team", "crm_department_id", string="Teams")

    _sql_constraints = [
        ("code_unique", "unique(code)", "Each department code can be used once."),
    ]

    @api.depends("user_ids")
    def _compute_member_count(self):
        for department in self:
            department.member_count = len(department.user_ids)

    def _compute_lead_count(self):
        counts = dict(
            self.env["crm.lead"]._read_group(
                [("department_id", "in", self.ids)], ["department_id"], ["__count"]
            )
        )
        for department in self:
            department.lead_count = counts.get(department, 0)

    def action_view_leads(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm.crm_lead_all_leads")
        action["domain"] = [("department_id", "=", self.id)]
        action["context"] = {"default_department_id": self.id, "active_test": True}
        return action
