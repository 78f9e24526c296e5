from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import plaintext2html


class CrmLeadTemplateWizard(models.TransientModel):
    _name = "crm.lead.template.wizard"
    _inherit = ["crm.lead.scoped.mixin"]
    _description = "Use a Message Template on a Lead"

    lead_id = fields.Many2one("crm.lead", required=True, ondelete="cascade")
    template_type = fields.Selection(
        [
            ("sms", "SMS"),
            ("email", "Email"),
            ("follow_up", "Follow-up"),
            ("call_script", "Call Script"),
        ],
        "Type", default="call_script", required=True)
    template_id = fields.Many2one(
        "crm.message.template",
        domain="[('template_type', '=', template_type)]")
    body = fields.Text(
        compute="_compute_body", store=True, readonly=False,
        help="Rendered text; adapt it, then log it on the lead.")
    outcome = fields.Char(help="Outcome of the call or message, logged with the text.")

    @api.depends("template_id", "lead_id")
    def _compute_body(self):
        for wizard in self:
            if not wizard.template_id or not wizard.lead_id:
                wizard.body = False
                continue
            wizard.body = wizard.template_id._render_on_lead(wizard.lead_id)

    def action_log(self):
        """Log the rendered text (and outcome) as a note in the lead's timeline."""
        self.ensure_one()
        if not (self.body or "").strip():
            raise UserError(self.env._("Nothing to log: choose a template or write a text."))
        type_label = dict(self._fields["template_type"]._description_selection(self.env))[
            self.template_type]
        header = self.env._("%(type)s: %(name)s", type=type_label,
                            name=self.template_id.name or self.env._("free text"))
        text = f"{header}\n\n{self.body}"
        if self.outcome:
            text += "\n\n" + self.env._("Outcome: %(outcome)s", outcome=self.outcome)
        self.lead_id.message_post(body=plaintext2html(text), subtype_xmlid="mail.mt_note")
        return {"type": "ir.actions.act_window_close"}

    def action_open_email_composer(self):
        """Email templates open the standard composer with their mail.template."""
        self.ensure_one()
        mail_template = self.template_id.mail_template_id
        return {
            "type": "ir.actions.act_window",
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_model": "crm.lead",
                "default_res_ids": self.lead_id.ids,
                "default_template_id": mail_template.id,
                "default_body": False if mail_template else plaintext2html(self.body or ""),
                "default_composition_mode": "comment",
            },
        }
