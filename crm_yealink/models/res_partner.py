from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    yealink_call_ids = fields.One2many("crm.call", "partner_id", string="Calls")
    yealink_call_count = fields.Integer(string="Number of Calls", compute="_compute_yealink_call_count")

    @api.depends_context("uid")
    def _compute_yealink_call_count(self):
        counts = dict(self.env["crm.call"]._read_group(
            [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]))
        for partner in self:
            partner.yealink_call_count = counts.get(partner, 0)

    def write(self, vals):
        if "country_id" in vals and self.ids:
            # a company's country is the default of its phones' local numbers (yealink.phone._yealink_ring_row)
            self.env.cr.execute("SELECT 1 FROM res_company WHERE partner_id = ANY(%s) LIMIT 1", [list(self.ids)])
            if self.env.cr.fetchone():
                self.env.registry.clear_cache()
        return super().write(vals)

    def action_view_yealink_calls(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_yealink.action_crm_call")
        action["domain"] = [("partner_id", "=", self.id)]
        return action

    def action_yealink_dial(self, field_name="phone"):
        """Dial the number in ``field_name`` of this contact on the user's own phone."""
        return self.env["crm.call"]._yealink_dial_record(self, field_name)
