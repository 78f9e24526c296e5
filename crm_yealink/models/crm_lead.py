from odoo import api, fields, models


class CrmLead(models.Model):
    _inherit = "crm.lead"

    yealink_call_ids = fields.One2many("crm.call", "lead_id", string="Calls")
    yealink_call_count = fields.Integer(string="Number of Calls", compute="_compute_yealink_call_count")

    @api.depends_context("uid")
    def _compute_yealink_call_count(self):
        counts = dict(self.env["crm.call"]._read_group(
            [("lead_id", "in", self.ids)], ["lead_id"], ["__count"]))
        for lead in self:
            lead.yealink_call_count = counts.get(lead, 0)

    def action_view_yealink_calls(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_yealink.action_crm_call")
        action["domain"] = [("lead_id", "=", self.id)]
        action["context"] = {"default_lead_id": self.id}
        return action

    def action_yealink_dial(self, field_name="phone"):
        """Dial the number in ``field_name`` of this lead on the user's own phone and open a
        call record on the lead. The number is read with the user's rights."""
        return self.env["crm.call"]._yealink_dial_record(self, field_name)

