from odoo import fields, models


class CrmLeadAssignmentDecline(models.TransientModel):
    _name = "crm.lead.assignment.decline"
    _description = "Decline a Campaign Lead Assignment"

    assignment_ids = fields.Many2many("crm.lead.assignment", string="Assignments", required=True)
    reason = fields.Text(required=True)

    def action_decline(self):
        self.ensure_one()
        self.assignment_ids._decline(self.reason)
        return {"type": "ir.actions.act_window_close"}
