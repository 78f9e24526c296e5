from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged
from odoo.tests.common import TransactionCase

from .smtp_common import (
    LocalSMTPServer,
    SmtpCampaignMixin,
    approve_local_mailbox,
    fake_dns,
    real_smtp,
)

PUBLIC_SMTP = {"smtp.mail-provider.example": ["93.184.215.14"]}


@tagged("post_install", "-at_install")
class TestSmtpUserMailbox(SmtpCampaignMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_campaign_data()
        cls.smtp = LocalSMTPServer(credentials={"rita": "s3cret"}).start()
        cls.addClassCleanup(cls.smtp.stop)

    def _configure_own_mailbox(self, password="s3cret"):
        # an administrator approved the local test server (loopback, free port) as the
        # rep's mailbox; the rep enters their own credentials in their preferences
        # (SELF_WRITEABLE_FIELDS)
        approve_local_mailbox(self.rep, self.smtp)
        self.rep.with_user(self.rep).write({
            "crm_smtp_encryption": "none",
            "crm_smtp_login": "rita",
            "crm_smtp_password": password,
        })
        return self.env["ir.mail_server"].search([("crm_user_id", "=", self.rep.id)])

    def test_preferences_create_personal_server(self):
        # written by the user themself from their preferences (SELF_WRITEABLE_FIELDS)
        with fake_dns(PUBLIC_SMTP):
            self.rep.with_user(self.rep).write({
                "crm_smtp_host": "smtp.mail-provider.example",
                "crm_smtp_port": 587,
                "crm_smtp_encryption": "starttls",
                "crm_smtp_login": "rita",
                "crm_smtp_password": "s3cret",
            })
        server = self.env["ir.mail_server"].search([("crm_user_id", "=", self.rep.id)])
        self.assertEqual(len(server), 1)
        self.assertEqual(server.from_filter, "rita.rep@conference.example")
        self.assertEqual(server.smtp_host, "smtp.mail-provider.example")
        self.assertEqual(server.smtp_port, 587)
        self.assertEqual(server.smtp_user, "rita")
        self.assertEqual(server.smtp_pass, "s3cret")
        self.assertFalse(server.crm_admin_approved)
        # the owner reads their settings back, password included
        own = self.rep.with_user(self.rep)
        own.invalidate_recordset()
        self.assertEqual(own.crm_smtp_login, "rita")
        self.assertEqual(own.crm_smtp_password, "s3cret")
        self.assertTrue(own.crm_smtp_configured)
        # another user sees nothing, and cannot read the server itself
        seen = self.rep.with_user(self.other_rep)
        seen.invalidate_recordset()
        self.assertFalse(seen.crm_smtp_password)
        self.assertFalse(seen.crm_smtp_login)
        with self.assertRaises(AccessError):
            server.with_user(self.rep).read(["smtp_pass"])
        # the password field of ir.mail_server stays administrator-only
        self.assertEqual(self.env["ir.mail_server"]._fields["smtp_pass"].groups, "base.group_system")

    def test_preferences_form_as_user(self):
        """The "My Mailbox" page of the preferences dialog, saved by the user."""
        approve_local_mailbox(self.rep, self.smtp)
        with Form(self.rep.with_user(self.rep), view="base.view_users_form_simple_modif") as form:
            self.assertEqual((form.crm_smtp_host, form.crm_smtp_port), ("127.0.0.1", self.smtp.port))
            form.crm_smtp_encryption = "none"
            form.crm_smtp_login = "rita"
            form.crm_smtp_password = "s3cret"
        server = self.env["ir.mail_server"].search([("crm_user_id", "=", self.rep.id)])
        self.assertEqual((server.smtp_host, server.smtp_user, server.smtp_pass),
                         ("127.0.0.1", "rita", "s3cret"))
        self.assertTrue(server.crm_admin_approved, "credentials do not withdraw the approval")
        # an administrator edits it from the user form
        with Form(self.rep, view="base.view_users_form") as form:
            self.assertTrue(form.crm_smtp_approved)
            form.crm_smtp_port = 2526
        self.assertEqual(server.smtp_port, 2526)
        self.assertTrue(server.crm_admin_approved)

    def test_user_creation_without_mailbox(self):
        manager = self.env["res.users"].with_context(no_reset_password=True).create({
            "name": "New Rep", "login": "new_rep_smtp", "email": "new@conference.example",
            "crm_smtp_port": 587, "crm_smtp_encryption": "starttls"})
        self.assertFalse(self.env["ir.mail_server"].search([("crm_user_id", "=", manager.id)]))

    def test_preferences_update_and_email_change(self):
        server = self._configure_own_mailbox()
        self.rep.with_user(self.rep).write({"crm_smtp_login": "rita.rep"})
        self.assertEqual(server.smtp_user, "rita.rep")
        self.assertEqual(server.smtp_pass, "s3cret", "an untouched password is kept")
        self.rep.write({"email": "Rita.New@Conference.example"})
        self.assertEqual(server.from_filter, "rita.new@conference.example")

    def test_other_user_cannot_write_mailbox(self):
        self._configure_own_mailbox()
        with self.assertRaises(AccessError):
            self.rep.with_user(self.other_rep).write({"crm_smtp_host": "evil.example"})
        with self.assertRaises(AccessError):
            self.rep.with_user(self.other_rep).action_crm_test_mailbox()

    def test_find_mail_server_by_from_filter(self):
        server = self._configure_own_mailbox()
        MailServer = self.env["ir.mail_server"]
        found, email_from = MailServer._find_mail_server('"Rita Rep" <rita.rep@conference.example>')
        self.assertEqual(found, server)
        self.assertEqual(email_from, '"Rita Rep" <rita.rep@conference.example>')
        # a personal mailbox never carries someone else's mail (no fallback on it)
        found, _email_from = MailServer._find_mail_server("otto@conference.example")
        self.assertNotEqual(found, server)
        general = MailServer.create({"name": "Company", "smtp_host": "localhost", "sequence": 1})
        found, _email_from = MailServer._find_mail_server("otto@conference.example")
        self.assertEqual(found, general)
        found, _email_from = MailServer._find_mail_server("rita.rep@conference.example")
        self.assertEqual(found, server)

    def test_test_connection_real_smtp(self):
        self._configure_own_mailbox()
        with real_smtp():
            action = self.rep.with_user(self.rep).action_crm_test_mailbox()
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn("rita.rep@conference.example", action["params"]["message"])

    def test_test_connection_wrong_password(self):
        self._configure_own_mailbox(password="wrong")
        with real_smtp(), self.assertRaises(UserError):
            self.rep.with_user(self.rep).action_crm_test_mailbox()

    def test_test_connection_not_configured(self):
        with self.assertRaises(UserError):
            self.rep.with_user(self.rep).action_crm_test_mailbox()

    def test_composer_email_from_is_the_user(self):
        self._configure_own_mailbox()
        template = self.env["mail.template"].create({
            "name": "From the salesperson's manager",
            "model_id": self.env["ir.model"]._get_id("crm.lead"),
            "subject": "Hello",
            "email_from": "someone.else@conference.example",
            "body_html": "<p>Hello</p>",
        })
        composer = self.env["mail.compose.message"].with_user(self.rep).with_context(
            default_model="crm.lead", default_res_ids=self.lead.ids,
            default_composition_mode="comment",
        ).create({"template_id": template.id})
        self.assertEqual(composer.email_from, self.rep.email_formatted)
        self.assertEqual(composer.author_id, self.rep.partner_id)
