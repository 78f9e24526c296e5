"""A real SMTP server (aiosmtpd) on the loopback for the per-user mailbox tests.

Odoo never opens an SMTP connection while tests run: ``ir.mail_server.connect``
returns None and ``send_email`` returns before ``smtp.send_message`` when
``odoo.modules.module.current_test`` is set (the flag the test loader sets for
the duration of a test module). :func:`real_smtp` clears that flag for the
duration of a ``with`` block so that the full sending path
(``mail.mail.send`` -> ``_find_mail_server`` -> ``connect`` -> ``send_email``)
talks to the local server; nothing else is patched.
"""

import contextlib
import email
import email.policy
import logging
import socket
import threading
import warnings
from datetime import timedelta
from unittest.mock import patch

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from odoo import fields
from odoo.modules import module as odoo_module
from odoo.tests.common import new_test_user


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RecordingHandler:
    """Keeps every message received: envelope sender, recipients, parsed mail."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content,
                                           policy=email.policy.default)
        with self.lock:
            self.messages.append({
                "mail_from": envelope.mail_from,
                "rcpt_tos": list(envelope.rcpt_tos),
                "message": message,
                "login": getattr(session, "crm_login", None),
            })
        return "250 Message accepted for delivery"


class Authenticator:
    """Accept only the configured login/password (AUTH PLAIN/LOGIN)."""

    def __init__(self, credentials):
        self.credentials = credentials

    def __call__(self, server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword):
            login = auth_data.login.decode()
            password = auth_data.password.decode()
            if self.credentials.get(login) == password:
                session.crm_login = login
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)


class LocalSMTPServer:
    def __init__(self, credentials=None):
        self.port = free_port()
        self.handler = RecordingHandler()
        kwargs = {}
        if credentials:
            # AUTH offered without TLS on the loopback; a wrong password is refused
            kwargs.update(authenticator=Authenticator(credentials), auth_require_tls=False)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **kwargs)

    def start(self):
        # aiosmtpd warns about AUTH without TLS (fine on the loopback of a test)
        logging.getLogger("mail.log").setLevel(logging.ERROR)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    @property
    def messages(self):
        return self.handler.messages


def approve_local_mailbox(user, smtp, **values):
    """An administrator points ``user``'s mailbox at the local test server and approves it.

    The test server listens on the loopback on a free port: a personal mailbox may only
    use such an internal address and non-SMTP port once an administrator approved it
    (``crm_smtp_approved``); without the approval the save is refused. ``values`` are
    more preference fields (e.g. the login and password, or the encryption).
    """
    admin = user.env.ref("base.user_admin")
    user.with_user(admin).write({
        "crm_smtp_host": "127.0.0.1",
        "crm_smtp_port": smtp.port,
        "crm_smtp_encryption": "none",
        "crm_smtp_approved": True,
        **values,
    })
    return user.env["ir.mail_server"].sudo().search([("crm_user_id", "=", user.id)])


@contextlib.contextmanager
def fake_dns(mapping):
    """Resolve the host names of ``mapping`` to its addresses (no network in tests)."""
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in mapping:
            return real_getaddrinfo(host, port, *args, **kwargs)
        return [
            (socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_STREAM,
             socket.IPPROTO_TCP, "", (address, port))
            for address in mapping[host]
        ]

    with patch.object(socket, "getaddrinfo", getaddrinfo):
        yield


@contextlib.contextmanager
def real_smtp():
    """Let Odoo really connect and send while inside the block (see module doc)."""
    previous = odoo_module.current_test
    odoo_module.current_test = False
    try:
        yield
    finally:
        odoo_module.current_test = previous


def html_part(message):
    body = message.get_body(preferencelist=("html",))
    return body.get_content() if body else ""


class SmtpCampaignMixin:
    """Users, conference, running campaign, lead and customer of the tests."""

    @classmethod
    def _setup_campaign_data(cls):
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True,
                                       mail_create_nolog=True))
        now = fields.Datetime.now()
        cls.rep = new_test_user(
            cls.env, login="smtp_rep", name="Rita Rep", email="rita.rep@conference.example",
            groups="base.group_user,crm_event_products.group_phone_se")
        cls.other_rep = new_test_user(
            cls.env, login="smtp_other", name="Otto Other", email="otto@conference.example",
            groups="base.group_user,crm_event_products.group_phone_se")
        cls.product = cls.env["event.event"].create({
            "name": "SMTP Summit",
            "date_begin": now + timedelta(days=30),
            "date_end": now + timedelta(days=31),
        })
        # the reps work the conference: its campaign is one they may use on their leads
        cls.env["crm.product.assignment"].create([
            {"product_id": cls.product.id, "user_id": rep.id} for rep in cls.rep | cls.other_rep])
        cls.campaign = cls.env["utm.campaign"].create({
            "title": "Pharma Outreach Q1",
            "event_id": cls.product.id,
            "audience_domain": "[]",
        })
        # running: its audience has been contacted (lifecycle of crm_campaign_mgmt)
        cls.campaign.write({"state": "running", "date_sent": now})
        cls.customer = cls.env["res.partner"].create({
            "name": "Carla Customer", "email": "carla@client.example"})
        cls.lead = cls.env["crm.lead"].with_user(cls.rep).create({
            "name": "Carla's company",
            "type": "lead",
            "event_id": cls.product.id,
            "partner_id": cls.customer.id,
            "email_from": "carla@client.example",
            "campaign_id": cls.campaign.id,
            "user_id": cls.rep.id,
        })
