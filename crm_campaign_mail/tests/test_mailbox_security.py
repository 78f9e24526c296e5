import contextlib
import socket
import time
from types import SimpleNamespace

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tests.common import HttpCase, TransactionCase
from odoo.tools import mute_logger

from .smtp_common import SmtpCampaignMixin, approve_local_mailbox, fake_dns, real_smtp

PUBLIC_IP = "93.184.215.14"


@tagged("post_install", "-at_install")
class TestMailboxNetworkProbing(SmtpCampaignMixin, TransactionCase):
    """Issue 7, item 10: "My Mailbox" cannot be pointed at the internal network."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_campaign_data()

    @contextlib.contextmanager
    def assertRefused(self, exception, message):
        """assertRaisesRegex in a savepoint, as Odoo's assertRaises (the failed write is
        rolled back)."""
        with self.assertRaises(exception) as caught:
            yield
        self.assertIn(message, str(caught.exception))

    def _own_write(self, **values):
        self.rep.with_user(self.rep).write({"crm_smtp_encryption": "none", **values})

    def _server(self):
        return self.env["ir.mail_server"].with_context(active_test=False).search(
            [("crm_user_id", "=", self.rep.id)])

    def test_user_cannot_point_mailbox_at_internal_services(self):
        attempts = [
            ("127.0.0.1", 5432, "SMTP Port"),  # the database of the audit
            ("127.0.0.1", 587, "SMTP Server"),
            ("localhost", 25, "SMTP Server"),
            ("::ffff:127.0.0.1", 465, "SMTP Server"),
            ("169.254.169.254", 587, "SMTP Server"),  # cloud metadata
            ("10.1.2.3", 2525, "SMTP Server"),
            ("relay.corp.example", 587, "10.0.0.5"),  # one internal address is enough
            (PUBLIC_IP, 8080, "SMTP Port"),
        ]
        with fake_dns({"relay.corp.example": [PUBLIC_IP, "10.0.0.5"]}):
            for host, port, message in attempts:
                with self.subTest(host=host, port=port), \
                        self.assertRefused(ValidationError, message):
                    self._own_write(crm_smtp_host=host, crm_smtp_port=port)
        self.assertFalse(self._server())
        # a public server on an SMTP port is the user's own business
        self._own_write(crm_smtp_host=PUBLIC_IP, crm_smtp_port=465)
        self.assertEqual(self._server().smtp_host, PUBLIC_IP)

    def test_only_administrators_approve(self):
        with self.assertRaises(AccessError):
            self.rep.with_user(self.rep).write({"crm_smtp_approved": True})
        with self.assertRaises(AccessError):
            self.env["ir.mail_server"].with_user(self.rep).create({
                "name": "mine", "smtp_host": "127.0.0.1", "smtp_port": 5432,
                "crm_user_id": self.rep.id,
            })
        self._own_write(crm_smtp_host=PUBLIC_IP, crm_smtp_port=587)
        with self.assertRaises(AccessError):
            self._server().with_user(self.rep).write({"crm_admin_approved": True})
        self.assertFalse(self._server().crm_admin_approved)

    def test_owner_change_withdraws_the_approval(self):
        admin = self.env.ref("base.user_admin")
        self.rep.with_user(admin).write({
            "crm_smtp_host": "10.0.0.5", "crm_smtp_port": 587, "crm_smtp_approved": True})
        server = self._server()
        self.assertTrue(server.crm_admin_approved)
        with self.assertRefused(ValidationError, "SMTP Port"):
            self._own_write(crm_smtp_port=5432)
        with self.assertRefused(ValidationError, "SMTP Server"):
            self._own_write(crm_smtp_host="127.0.0.1", crm_smtp_port=587)
        server.invalidate_recordset()
        self.assertEqual((server.smtp_host, server.smtp_port), ("10.0.0.5", 587))
        self.assertTrue(server.crm_admin_approved)
        self._own_write(crm_smtp_host=PUBLIC_IP)
        self.assertFalse(server.crm_admin_approved)

    def test_connection_test_checks_the_address_it_connects_to(self):
        # a server stored before the check, or a name that resolves elsewhere now
        self._own_write(crm_smtp_host=PUBLIC_IP, crm_smtp_port=587)
        server = self._server()
        self.env.cr.execute(
            "UPDATE ir_mail_server SET smtp_host = '127.0.0.1', smtp_port = 5432 WHERE id = %s",
            [server.id])
        server.invalidate_recordset()
        with real_smtp(), self.assertRefused(ValidationError, "SMTP Port"):
            self.rep.with_user(self.rep).action_crm_test_mailbox()
        with fake_dns({"smtp.rebind.example": [PUBLIC_IP]}):
            self._own_write(crm_smtp_host="smtp.rebind.example", crm_smtp_port=587)
        with fake_dns({"smtp.rebind.example": ["127.0.0.1"]}), real_smtp(), \
                self.assertRefused(ValidationError, "127.0.0.1"):
            self.rep.with_user(self.rep).action_crm_test_mailbox()
        # the same check when mail leaves through the mailbox
        with fake_dns({"smtp.rebind.example": ["127.0.0.1"]}), real_smtp(), \
                self.assertRefused(ValidationError, "SMTP Server"):
            self.env["ir.mail_server"].connect(mail_server_id=server.id)

    @mute_logger("odoo.addons.base.models.ir_mail_server")
    def test_connection_test_gives_up_quickly(self):
        # a service that accepts the connection and never speaks (as PostgreSQL does)
        silent = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        self.addCleanup(silent.close)
        approve_local_mailbox(self.rep, SimpleNamespace(port=silent.getsockname()[1]))
        start = time.monotonic()
        with real_smtp(), self.assertRefused(UserError, "timed out"):
            self.rep.with_user(self.rep).action_crm_test_mailbox()
        self.assertLess(time.monotonic() - start, 15)


@tagged("post_install", "-at_install")
class TestTrackingRoutes(SmtpCampaignMixin, HttpCase):
    """Issue 7, hunt: the public click route redirects only to links of CRM mail."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_campaign_data()
        cls.trace = cls.env["crm.mail.trace"].sudo().create({
            "lead_id": cls.lead.id, "campaign_id": cls.campaign.id, "email": "carla@client.example",
            "user_id": cls.rep.id, "state": "sent",
        })
        source = cls.env.ref("crm_campaign_mail.utm_source_crm_smtp")
        medium = cls.env.ref("utm.utm_medium_email")
        Link = cls.env["link.tracker"]
        cls.crm_link = Link.create({
            "url": "https://conference.example/agenda", "title": "Agenda",
            "campaign_id": cls.campaign.id, "source_id": source.id, "medium_id": medium.id})
        other_campaign = cls.env["utm.campaign"].create({
            "title": "Other campaign", "event_id": cls.product.id, "audience_domain": "[]"})
        cls.other_campaign_link = Link.create({
            "url": "https://conference.example/other", "title": "Other",
            "campaign_id": other_campaign.id, "source_id": source.id, "medium_id": medium.id})
        # any other short link of the database (website, marketing, created by anyone)
        cls.foreign_link = Link.create({"url": "https://evil.example/login", "title": "Evil"})

    def _click(self, link, token=None):
        token = token or self.trace._get_public_token()
        return self.url_open(f"/crm_campaign_mail/track/click/{token}/{link.code}", allow_redirects=False)

    def test_click_route_is_no_open_redirect(self):
        for token in (None, f"{self.trace.id}-{'0' * 64}"):
            with self.subTest(token=token):
                response = self._click(self.foreign_link, token)
                self.assertEqual(response.status_code, 404)
                self.assertNotIn("evil.example", response.headers.get("Location", ""))
        self.assertFalse(self.env["link.tracker.click"].search(
            [("link_id", "=", self.foreign_link.id)]))
        response = self._click(self.crm_link)
        self.assertEqual(response.status_code, 301)
        self.assertTrue(response.headers["Location"].startswith("https://conference.example/agenda"))

    def test_click_counts_only_for_the_campaign_of_the_link(self):
        response = self._click(self.other_campaign_link)
        self.assertEqual(response.status_code, 301)
        self.trace.invalidate_recordset()
        self.assertEqual(self.trace.state, "sent")
        self.assertFalse(self.trace.link_click_ids)
        self._click(self.crm_link)
        self.trace.invalidate_recordset()
        self.assertEqual(self.trace.state, "clicked")

    def test_links_of_mail_sent_before_the_split_still_work(self):
        """Mail sent while tracking lived in crm_mailwizz carries /crm_mailwizz/track/ URLs
        with tokens of the same scope: they still count and redirect."""
        token = self.trace._get_public_token()
        response = self.url_open(f"/crm_mailwizz/track/click/{token}/{self.crm_link.code}",
                                 allow_redirects=False)
        self.assertEqual(response.status_code, 301)
        self.trace.invalidate_recordset()
        self.assertEqual(self.trace.state, "clicked")
        response = self.url_open(f"/crm_mailwizz/track/open/{token}.png")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "image/gif")
