import ipaddress
import smtplib
import socket

import idna

from odoo import api, fields, models, modules
from odoo.exceptions import UserError, ValidationError
from odoo.tools import email_normalize

from odoo.addons.base.models.ir_mail_server import SMTP_TIMEOUT, SMTPConnection

# ports a personal mailbox may use without an administrator's approval
SMTP_PORTS = (25, 465, 587, 2525)
# "Test Connection" of My Mailbox: a user-triggered request, it must not hang a worker
MAILBOX_TEST_TIMEOUT = 5
# changing one of these (by a non-administrator) withdraws the administrator's approval
ENDPOINT_FIELDS = ("smtp_host", "smtp_port")


class _TimedSMTPConnection(SMTPConnection):
    """Odoo's SMTP connection wrapper with a chosen timeout (Odoo's is 60 s)."""

    def __init__(self, server, port, encryption, timeout):  # pylint: disable=super-init-not-called
        # SMTPConnection.__init__ would connect with SMTP_TIMEOUT
        if encryption == "ssl":
            self.__obj__ = smtplib.SMTP_SSL(server, port, timeout=timeout)
        else:
            self.__obj__ = smtplib.SMTP(server, port, timeout=timeout)


def _is_public_address(address):
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # strip an IPv6 zone index
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_multicast or ip.is_reserved or ip.is_loopback or ip.is_link_local
        or ip.is_private or ip.is_unspecified
    )


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

    A personal server is set by its owner, so the server connects to what a
    user typed: unless an administrator approved it (``crm_admin_approved``),
    it must use an SMTP port and a host whose every address is public, checked
    when it is saved and again, on the resolved address actually used, at
    each connection (no probing of the internal network, no DNS rebinding).
    """

    _inherit = "ir.mail_server"

    crm_user_id = fields.Many2one(
        "res.users", "Mailbox Owner", index="btree_not_null", ondelete="cascade", copy=False,
        help="Personal mailbox of this user: used only for mail sent from the user's own "
        "address (FROM filter).")
    crm_admin_approved = fields.Boolean(
        "Approved by an Administrator", copy=False, groups="base.group_system",
        help="A personal mailbox may use an internal address (loopback, private network) "
        "or a non-SMTP port only when an administrator approved it. The approval is "
        "withdrawn when its owner changes the server or the port.")

    _sql_constraints = [
        ("crm_user_unique", "UNIQUE(crm_user_id)", "A user has a single personal mailbox."),
    ]

    # ------------------------------------------------------------------
    # endpoint of personal servers
    # ------------------------------------------------------------------

    @api.model
    def _crm_field_label(self, fname):
        return self._fields[fname]._description_string(self.env)

    @api.model
    def _crm_check_endpoint(self, host, port):
        """Validated addresses of a personal server at ``host``:``port``.

        :raise ValidationError: naming the field (SMTP Port, SMTP Server) at fault
        :return: list of the resolved (public) IP addresses
        """
        if port not in SMTP_PORTS:
            raise ValidationError(self.env._(
                "%(field)s: a personal mailbox uses an SMTP port (%(ports)s), not %(port)s. "
                "Ask an administrator to approve another port.",
                field=self._crm_field_label("smtp_port"),
                ports=", ".join(map(str, SMTP_PORTS)), port=port))
        host = (host or "").strip()
        if not host:
            raise ValidationError(self.env._(
                "%(field)s: set the host name of your outgoing server.",
                field=self._crm_field_label("smtp_host")))
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as error:
            raise ValidationError(self.env._(
                "%(field)s: %(host)s cannot be resolved (%(error)s).",
                field=self._crm_field_label("smtp_host"), host=host, error=error)) from error
        addresses = list(dict.fromkeys(info[4][0] for info in infos))
        internal = [address for address in addresses if not _is_public_address(address)]
        if not addresses or internal:
            raise ValidationError(self.env._(
                "%(field)s: %(host)s resolves to %(addresses)s, an internal address "
                "(loopback, private, link-local or reserved network). A personal mailbox "
                "must use a public server, or be approved by an administrator.",
                field=self._crm_field_label("smtp_host"), host=host,
                addresses=", ".join(internal) or "-"))
        return addresses

    @api.constrains("smtp_host", "smtp_port", "crm_user_id", "crm_admin_approved")
    def _crm_check_personal_endpoint(self):
        for server in self.sudo():
            if server.crm_user_id and server.active and not server.crm_admin_approved:
                server._crm_check_endpoint(server.smtp_host, server.smtp_port)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.user.has_group("base.group_system"):
            for vals in vals_list:
                vals.pop("crm_admin_approved", None)
        return super().create(vals_list)

    def write(self, vals):
        # self.env.user is the real user, also under the sudo of "My Mailbox"
        if not self.env.user.has_group("base.group_system"):
            vals = dict(vals)
            vals.pop("crm_admin_approved", None)
            if any(
                fname in vals and server[fname] != vals[fname]
                for server in self.sudo()
                for fname in ENDPOINT_FIELDS
            ):
                vals["crm_admin_approved"] = False
        return super().write(vals)

    # ------------------------------------------------------------------
    # connection
    # ------------------------------------------------------------------

    def connect(self, host=None, port=None, user=None, password=None, encryption=None,
                smtp_from=None, ssl_certificate=None, ssl_private_key=None, smtp_debug=False,
                mail_server_id=None, allow_archived=False):
        timeout = self.env.context.get("crm_smtp_timeout")
        server = self.browse()
        if not modules.module.current_test:
            if mail_server_id:
                server = self.sudo().browse(mail_server_id)
            elif not host:
                server, smtp_from = self.sudo()._find_mail_server(smtp_from)
        if server.crm_user_id and (timeout or not server.crm_admin_approved):
            if not allow_archived and not server.active:
                raise UserError(self.env._(
                    'The server "%(server)s" cannot be used because it is archived.',
                    server=server.display_name))
            return server._crm_connect(smtp_from, timeout or SMTP_TIMEOUT, smtp_debug)
        return super().connect(
            host=host, port=port, user=user, password=password, encryption=encryption,
            smtp_from=smtp_from, ssl_certificate=ssl_certificate,
            ssl_private_key=ssl_private_key, smtp_debug=smtp_debug,
            mail_server_id=mail_server_id, allow_archived=allow_archived)

    def _crm_connect(self, smtp_from, timeout, smtp_debug=False):
        """Connection to a personal server (its owner's login), as ``connect()``
        builds it, with ``timeout``; an unapproved server is reached at the
        address validated just before, never at a name resolved again."""
        self.ensure_one()
        server = self.sudo()
        if server.crm_admin_approved:
            address = server.smtp_host
        else:
            address = self._crm_check_endpoint(server.smtp_host, server.smtp_port)[0]
        connection = _TimedSMTPConnection(address, server.smtp_port, server.smtp_encryption, timeout)
        connection.set_debuglevel(smtp_debug or server.smtp_debug)
        if server.smtp_encryption == "starttls":
            connection.starttls()
        if server.smtp_user:
            local, at, domain = server.smtp_user.rpartition("@")
            smtp_user = local + at + idna.encode(domain).decode("ascii") if at else server.smtp_user
            server._smtp_login(connection, smtp_user, server.smtp_pass or "")
        connection.ehlo_or_helo_if_needed()
        connection.from_filter = server.from_filter
        connection.smtp_from = smtp_from
        return connection

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
