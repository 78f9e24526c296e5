from odoo import api, fields, models

from ..lib.actionurl import ActionUrlError, action_url_lines, provisioning_snippet


class YealinkPhoneProvisionWizard(models.TransientModel):
    """Shows the exact Action URL lines (and a provisioning file fragment) of a phone."""

    _name = "yealink.phone.provision.wizard"
    _description = "Yealink Phone Action URL Lines"

    phone_id = fields.Many2one("yealink.phone", required=True, ondelete="cascade")
    base_url = fields.Char(string="Odoo URL", compute="_compute_base_url", store=True, readonly=False)
    server_ip = fields.Char(string="Odoo Server IP", help="Written in features.action_uri_limit_ip, for click-to-dial.")
    action_url_text = fields.Text(string="Action URL Lines", compute="_compute_texts")
    snippet = fields.Text(string="Provisioning Snippet", compute="_compute_texts")

    @api.depends("phone_id")
    def _compute_base_url(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        for wizard in self:
            wizard.base_url = base

    @api.depends("phone_id", "base_url", "server_ip")
    def _compute_texts(self):
        for wizard in self:
            secret = wizard.phone_id.sudo().secret or ""  # the wizard is for phone administrators only
            try:
                lines = action_url_lines(wizard.base_url or "", secret)
                wizard.action_url_text = "\n".join(f"{key} = {url}" for key, url in lines)
                wizard.snippet = provisioning_snippet(wizard.base_url or "", secret, wizard.server_ip or "")
            except ActionUrlError as exc:
                wizard.action_url_text = str(exc)
                wizard.snippet = ""
