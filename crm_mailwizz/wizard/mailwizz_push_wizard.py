import ast

from odoo import api, fields, models
from odoo.exceptions import UserError


class MailwizzPushWizard(models.TransientModel):
    """Push any CRM segment (a crm.lead domain, or the selected leads) to a MailWizz list."""

    _name = "mailwizz.push.wizard"
    _description = "Push Leads to a MailWizz List"

    list_id = fields.Many2one("mailwizz.list", string="MailWizz List", required=True,
                              domain=[("active", "=", True)])
    lead_domain = fields.Char("CRM Segment", default="[]")
    lead_count = fields.Integer(compute="_compute_lead_count")

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        ctx = self.env.context
        if ctx.get("active_model") == "crm.lead" and ctx.get("active_ids") and "lead_domain" in fields_list:
            res["lead_domain"] = repr([("id", "in", ctx["active_ids"])])
        return res

    def _domain(self):
        self.ensure_one()
        try:
            domain = ast.literal_eval(self.lead_domain or "[]")
        except (ValueError, SyntaxError) as exc:
            raise UserError(self.env._("The CRM segment is not a valid domain.")) from exc
        return domain

    @api.depends("lead_domain")
    def _compute_lead_count(self):
        for wizard in self:
            try:
                wizard.lead_count = self.env["crm.lead"].search_count(wizard._domain())
            except (UserError, ValueError):
                wizard.lead_count = 0

    def action_push(self):
        self.ensure_one()
        leads = self.env["crm.lead"].search(self._domain())
        if not leads:
            raise UserError(self.env._("No lead matches this segment."))
        return self.list_id._push(leads=leads)
