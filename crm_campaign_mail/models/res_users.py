from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import email_normalize

from .ir_mail_server import MAILBOX_TEST_TIMEOUT

# preference fields of "My Mailbox", stored on the user's personal ir.mail_server
MAILBOX_FIELDS = {
    "crm_smtp_host": "smtp_host",
    "crm_smtp_port": "smtp_port",
    "crm_smtp_encryption": "smtp_encryption",
    "crm_smtp_login": "smtp_user",
    "crm_smtp_password": "smtp_pass",
}
SMTP_ENCRYPTIONS = [
    ("none", "None"),
    ("starttls", "TLS (STARTTLS)"),
    ("ssl", "SSL/TLS"),
]


class ResUsers(models.Model):
    """"My Mailbox" in the user's preferences.

    The SMTP settings live on the user's personal ``ir.mail_server``
    (``crm_user_id``), whose login and password fields are restricted to
    ``base.group_system``. The preference fields below are computed from
    that server and written back to it with sudo, after checking that the
    current user is the mailbox owner or an administrator; the values
    (password included) are only ever returned to those two.
    """

    _inherit = "res.users"

    crm_mail_server_id = fields.Many2one(
        "ir.mail_server", "Personal Mailbox", compute="_compute_crm_mailbox",
        groups="base.group_system")
    crm_smtp_configured = fields.Boolean("Mailbox Configured", compute="_compute_crm_mailbox")
    crm_smtp_host = fields.Char(
        "SMTP Server", compute="_compute_crm_mailbox", inverse="_inverse_crm_mailbox",
        help="Outgoing server of your mailbox, e.g. smtp.office365.com.")
    crm_smtp_port = fields.Integer(
        "SMTP Port", compute="_compute_crm_mailbox", inverse="_inverse_crm_mailbox",
        help="Usually 587 with STARTTLS, 465 with SSL/TLS, 25 without encryption.")
    crm_smtp_encryption = fields.Selection(
        SMTP_ENCRYPTIONS, "Encryption", compute="_compute_crm_mailbox",
        inverse="_inverse_crm_mailbox")
    crm_smtp_login = fields.Char(
        "SMTP Login", compute="_compute_crm_mailbox", inverse="_inverse_crm_mailbox")
    crm_smtp_password = fields.Char(
        "SMTP Password", compute="_compute_crm_mailbox", inverse="_inverse_crm_mailbox")
    crm_smtp_approved = fields.Boolean(
        "Mailbox Approved by an Administrator", compute="_compute_crm_mailbox",
        inverse="_inverse_crm_mailbox", groups="base.group_system",
        help="Lets this mailbox use an internal address (loopback, private network) or a "
        "port other than 25, 465, 587 and 2525. Withdrawn when the user changes the "
        "server or the port.")

    @property
    def SELF_READABLE_FIELDS(self):
        return super().SELF_READABLE_FIELDS + ["crm_smtp_configured", *MAILBOX_FIELDS]

    @property
    def SELF_WRITEABLE_FIELDS(self):
        return super().SELF_WRITEABLE_FIELDS + list(MAILBOX_FIELDS)

    # ------------------------------------------------------------------
    # mailbox
    # ------------------------------------------------------------------

    def _crm_can_manage_mailbox(self):
        """The real user (even under sudo) is ``self`` or an administrator."""
        self.ensure_one()
        return self.id == self.env.uid or self.env.user.has_group("base.group_system")

    def _crm_get_mailbox(self):
        """Personal servers of ``self`` (sudo), archived ones included."""
        user_ids = [uid for uid in self._origin.ids if uid]
        if not user_ids:
            return self.env["ir.mail_server"].sudo()
        return self.env["ir.mail_server"].sudo().with_context(active_test=False).search(
            [("crm_user_id", "in", user_ids)])

    def _compute_crm_mailbox(self):
        servers = {s.crm_user_id.id: s for s in self._crm_get_mailbox()}
        for user in self:
            server = servers.get(user._origin.id)
            allowed = bool(user._origin.id) and user._origin._crm_can_manage_mailbox()
            user.crm_smtp_configured = bool(server and server.smtp_host)
            if self.env.user.has_group("base.group_system"):
                user.crm_mail_server_id = server
                user.crm_smtp_approved = bool(server and server.crm_admin_approved)
            else:
                user.crm_mail_server_id = False
                user.crm_smtp_approved = False
            for fname, server_fname in MAILBOX_FIELDS.items():
                user[fname] = server[server_fname] if (server and allowed) else False
            if not server:
                user.crm_smtp_port = 587
                user.crm_smtp_encryption = "starttls"

    def _inverse_crm_mailbox(self):
        servers = {s.crm_user_id.id: s for s in self._crm_get_mailbox()}
        is_admin = self.env.user.has_group("base.group_system")
        for user in self:
            server = servers.get(user._origin.id)
            # a field that is not being written is not in cache (it is protected from
            # recomputation during the write, and reads False): keep the server's value
            values = {
                server_fname: (user[fname] or False)
                if not server or self.env.cache.contains(user, self._fields[fname])
                else server[server_fname]
                for fname, server_fname in MAILBOX_FIELDS.items()
            }
            # only administrators approve (ir.mail_server.write ignores it for others)
            if is_admin and self.env.cache.contains(user, self._fields["crm_smtp_approved"]):
                values["crm_admin_approved"] = user.crm_smtp_approved
            if not server and not values["smtp_host"]:
                continue  # nothing configured, nothing to store (e.g. user creation)
            if not user._crm_can_manage_mailbox():
                raise AccessError(self.env._("Only %(user)s or an administrator can change "
                                             "this mailbox.", user=user.name))
            user._crm_write_mailbox(values)

    def _crm_write_mailbox(self, values):
        """Create or update the personal server of ``self`` with server values."""
        self.ensure_one()
        Server = self.env["ir.mail_server"].sudo()
        server = self._crm_get_mailbox()
        values = dict(values)
        if not values.get("smtp_port"):
            values["smtp_port"] = 587
        if not values.get("smtp_encryption"):
            values["smtp_encryption"] = "starttls"
        if not server:
            if not values.get("smtp_host"):
                return Server
            if not email_normalize(self.email):
                raise UserError(self.env._(
                    "Set your email address before configuring your mailbox: it is the "
                    "address your mail is sent from."))
            return Server.create(Server._crm_mailbox_values(self, values))
        server.write(values)
        return server

    def write(self, vals):
        res = super().write(vals)
        if "email" in vals:
            for server in self._crm_get_mailbox():
                email = email_normalize(server.crm_user_id.email)
                if email and server.from_filter != email:
                    server.from_filter = email
        return res

    def action_crm_test_mailbox(self):
        """"Test connection" of My Mailbox (owner or administrator)."""
        self.ensure_one()
        if not self._crm_can_manage_mailbox():
            raise AccessError(self.env._("You can only test your own mailbox."))
        server = self._crm_get_mailbox()
        if not server or not server.smtp_host:
            raise UserError(self.env._("Configure and save your SMTP server first."))
        # sudo (as _crm_get_mailbox): the server is administrator-only; its owner may test it.
        # Unless an administrator approved it, connect() checks its port and addresses first.
        server.with_context(crm_smtp_timeout=MAILBOX_TEST_TIMEOUT).test_smtp_connection()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("My Mailbox"),
                "message": self.env._(
                    "Connection to %(host)s:%(port)s succeeded; mail you send from the CRM "
                    "leaves from %(email)s.",
                    host=server.smtp_host, port=server.smtp_port, email=server.from_filter),
                "sticky": False,
            },
        }

    @api.model
    def _crm_users_with_mailbox(self, users):
        """Subset of ``users`` having an active, configured personal mailbox."""
        servers = self.env["ir.mail_server"].sudo().search(
            [("crm_user_id", "in", users.ids), ("smtp_host", "!=", False)])
        return servers.crm_user_id
