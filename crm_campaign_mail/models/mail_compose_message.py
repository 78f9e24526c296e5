from odoo import api, models


class MailComposeMessage(models.TransientModel):
    """Mail written from a lead leaves from the writer's own mailbox.

    ``ir.mail_server._find_mail_server`` picks the outgoing server whose
    ``from_filter`` matches the mail's ``email_from``. The composer takes
    ``email_from`` from the template when it has one (e.g. the lead's
    salesperson); for a user with a personal mailbox writing on leads, the
    sender is forced back to the user, so the mail goes out through their
    server under their name.
    """

    _inherit = "mail.compose.message"

    @api.depends("composition_mode", "email_from", "model", "res_domain", "res_ids", "template_id")
    def _compute_authorship(self):
        super()._compute_authorship()
        user = self.env.user
        if not user.email or not self.env["res.users"]._crm_users_with_mailbox(user):
            return
        for composer in self.filtered(lambda c: c.model == "crm.lead"):
            composer.email_from = user.email_formatted
            composer.author_id = user.partner_id
