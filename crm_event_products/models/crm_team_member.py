from odoo import api, models


class CrmTeamMember(models.Model):
    _inherit = "crm.team.member"

    @api.constrains("crm_team_id", "user_id", "active")
    def _check_phone_sales_team_size(self):
        self.crm_team_id._check_phone_sales_team_size()
