from odoo import api, fields, models
from odoo.tools import email_normalize


class IrMailServer(models.Model):
    """Personal outgoing servers: one ``ir.mail_server`` per user, whose
    ``from_filter`` is the user's own address, so that what the user sends
    from the CRM leaves through their own mailbox.

    Odoo picks the server of an outgoing mail in
    ``ir.mail_server._find_mail_server(email_from)`` (called by
    ``mail.mail._split_by_mail_configuration`` and by ``connect()`` when no
    server is forced): an exact ``from_filter`` match on the normalised
    sender comes first. Its later fallbacks ("a server without from_filter",
    then "the first server even if it does not match") would however let a
    personal mailbox carry other people's mail when the company has no
    general server; personal servers are therefore only ever used for their
    owner's exact address.
    """

    _inherit = "ir.mail_server"

    crm_user_id = fields.Many2one(
        "res.users", "Mailbox Owner", index="btree_not_null", ondelete="cascade", copy=False,
        help="Personal mailbox of this user: used only for mail sent from the user's own "
        "address (FROM filter).")

    _sql_constraints = [
        ("crm_user_unique", "UNIQUE(crm_user_id)", "A user has a single personal mailbox."),
    ]

    def _find_mail_server(self, email_from, mail_servers=None):
        if mail_servers is None:
            mail_servers = self.sudo().search([], order="sequence")
        personal = mail_servers.filtered("crm_user_id")
        if not personal:
            return super()._find_mail_server(email_from, mail_servers=mail_servers)
        normalized = email_normalize(email_from)
        if normalized:
            for server in personal:
                if server.active and server.from_filter and any(
                    email_normalize(part.strip()) == normalized
                    for part in server.from_filter.split(",")
                ):
                    return server, email_from
        return super()._find_mail_server(email_from, mail_servers=mail_servers - personal)

    @api.model
    def _crm_mailbox_values(self, user, values):
        """Server values of ``user``'s personal mailbox from preference values."""
        vals = {
            "name": self.env._("Mailbox of %(user)s", user=user.name),
            "from_filter": email_normalize(user.email) or user.email,
            "crm_user_id": user.id,
            "smtp_authentication": "login",
            "sequence": 50,
        }
        vals.update(values)
        return vals
