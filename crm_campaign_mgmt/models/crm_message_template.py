from odoo import api, fields, models


class CrmMessageTemplate(models.Model):
    """Call scripts, SMS texts and follow-up notes a rep uses on a lead.

    Like ``mail.template``, rendering is unrestricted (reps render the
    placeholders) while writing dynamic placeholders requires the template
    editor group (checked by ``mail.render.mixin``)."""

    _name = "crm.message.template"
    _inherit = ["mail.render.mixin"]
    _description = "Lead Work Message Template"
    _order = "template_type, sequence, id"
    _unrestricted_rendering = True

    name = fields.Char(required=True, translate=True)
    template_type = fields.Selection(
        [
            ("sms", "SMS"),
            ("email", "Email"),
            ("follow_up", "Follow-up"),
            ("call_script", "Call Script"),
        ],
        "Type", required=True, default="call_script")
    body = fields.Text(
        required=True, translate=True, render_engine="inline_template",
        help="Text with placeholders rendered on the lead, e.g. {{ object.contact_name }}.")
    mail_template_id = fields.Many2one(
        "mail.template", "Email Template", domain=[("model", "=", "crm.lead")],
        help="For email templates: the email template opened in the composer.")
    campaign_id = fields.Many2one("utm.campaign", domain="[('crm_usable', '=', True)]")
    event_id = fields.Many2one("event.event", "Conference")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    @api.constrains("campaign_id")
    def _check_campaign_usable(self):
        """Only a campaign the user may use (``utm.campaign._crm_usable_domain``)."""
        self.campaign_id._crm_check_usable()

    def _compute_render_model(self):
        self.render_model = "crm.lead"

    def _render_on_lead(self, lead):
        """Body rendered on ``lead`` (``{{ object... }}`` placeholders)."""
        self.ensure_one()
        return self._render_template(
            self.body, "crm.lead", lead.ids, engine="inline_template")[lead.id]
