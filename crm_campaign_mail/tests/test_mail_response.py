from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from .smtp_common import SmtpCampaignMixin

REPLY = """From: Carla Customer <carla@client.example>
To: {to}
Subject: Re: Invitation
Message-ID: {message_id}
{threading}Date: Mon, 23 Nov 2026 10:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

{body}
"""

NEW_MAIL = """From: {sender}
To: {to}
Subject: About your conference
Message-ID: {message_id}
Date: Mon, 23 Nov 2026 11:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

{body}
"""

BOUNCE = """From: MAILER-DAEMON <mailer-daemon@mx.client.example>
To: rita.rep@conference.example
Subject: Undelivered Mail Returned to Sender
Message-ID: <bounce-1@mx.client.example>
Date: Mon, 23 Nov 2026 12:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"

--BOUNDARY
Content-Type: text/plain; charset="utf-8"

Delivery to carla@client.example failed permanently.

--BOUNDARY
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.client.example

Final-Recipient: rfc822; carla@client.example
Action: failed
Status: 5.1.1

--BOUNDARY
Content-Type: text/rfc822-headers

Message-ID: {message_id}
From: Rita Rep <rita.rep@conference.example>
To: carla@client.example
Subject: Invitation

--BOUNDARY--
"""


@tagged("post_install", "-at_install")
class TestMailResponse(SmtpCampaignMixin, TransactionCase):
    """Inbound mail fed to Odoo's mail gateway as raw RFC 822 messages."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_campaign_data()
        cls.Response = cls.env["crm.campaign.response"]
        cls.Gateway = cls.env["mail.thread"]

    def _send_mail_from_lead(self):
        """The rep writes to the customer from the lead (test mode: not sent)."""
        message = self.lead.with_user(self.rep).message_post(
            body="<p>Would you join us?</p>", subject="Invitation", message_type="comment",
            subtype_xmlid="mail.mt_comment", partner_ids=self.customer.ids)
        trace = self.env["crm.mail.trace"].search([("mail_message_id", "=", message.id)])
        self.assertEqual(len(trace), 1)
        return message, trace

    def test_reply_counts_as_response(self):
        message, trace = self._send_mail_from_lead()
        self.assertEqual(trace.state, "sent")
        raw = REPLY.format(
            to="catchall@whatever.example", message_id="<reply-1@client.example>",
            threading=f"In-Reply-To: {message.message_id}\nReferences: {message.message_id}\n",
            body="Yes, I am interested.")
        thread_id = self.Gateway.message_process(None, raw)
        self.assertEqual(thread_id, self.lead.id)
        self.assertIn("I am interested", self.lead.message_ids[0].body)
        response = self.Response.search([("campaign_id", "=", self.campaign.id)])
        self.assertEqual(len(response), 1)
        self.assertEqual(response.lead_id, self.lead)
        self.assertEqual(response.email, "carla@client.example")
        self.assertEqual(response.trace_id, trace)
        self.assertEqual(response.user_id, self.rep)
        self.assertEqual(response.state, "received")
        self.assertEqual(trace.state, "replied")
        self.assertTrue(trace.reply_datetime)
        # a second reply is the same response, one more email
        raw2 = REPLY.format(
            to="catchall@whatever.example", message_id="<reply-2@client.example>",
            threading=f"In-Reply-To: {message.message_id}\n", body="When is it?")
        self.Gateway.message_process(None, raw2)
        self.assertEqual(response.message_count, 2)
        self.assertEqual(self.campaign.metric_response_count, 1)

    def test_new_mail_from_target_creates_its_lead(self):
        target = self.env["crm.campaign.target"].create({
            "campaign_id": self.campaign.id,
            "email": "tom@target.example",
            "name": "Tom Target",
            "first_name": "Tom",
            "last_name": "Target",
            "company_name": "Target Co",
        })
        self.assertFalse(target.lead_id)
        raw = NEW_MAIL.format(sender="Tom Target <Tom@Target.example>",
                              to="info@no-alias.example", message_id="<new-1@target.example>",
                              body="Please send me the programme.")
        thread_id = self.Gateway.message_process(None, raw)
        self.assertTrue(target.lead_id, "the target was converted into its lead")
        lead = target.lead_id
        self.assertEqual(thread_id, lead.id)
        self.assertEqual(lead.campaign_id, self.campaign)
        self.assertEqual(lead.email_from, "tom@target.example")
        self.assertIn("send me the programme", lead.message_ids[0].body)
        response = self.Response.search([("lead_id", "=", lead.id)])
        self.assertEqual(response.campaign_id, self.campaign)
        self.assertEqual(response.target_id, target)
        self.assertTrue(response.lead_created)

    def test_new_mail_to_lead_alias_attaches_to_existing_lead(self):
        alias_domain = self.env["mail.alias.domain"].create({"name": "conference.example"})
        self.env["mail.alias"].create({
            "alias_name": "leads",
            "alias_domain_id": alias_domain.id,
            "alias_model_id": self.env["ir.model"]._get_id("crm.lead"),
            "alias_contact": "everyone",
            "alias_defaults": repr({"event_id": self.product.id}),
        })
        leads_before = self.env["crm.lead"].search_count([])
        raw = NEW_MAIL.format(sender="Carla Customer <carla@client.example>",
                              to="leads@conference.example", message_id="<new-2@client.example>",
                              body="Interested in sponsoring.")
        thread_id = self.Gateway.message_process(None, raw)
        self.assertEqual(thread_id, self.lead.id, "no duplicate lead: attached to the campaign lead")
        self.assertEqual(self.env["crm.lead"].search_count([]), leads_before)
        self.assertIn("sponsoring", self.lead.message_ids[0].body)
        self.assertEqual(self.Response.search_count([("lead_id", "=", self.lead.id)]), 1)

    def test_unknown_and_internal_senders_are_not_responses(self):
        raw = NEW_MAIL.format(sender="stranger@nowhere.example", to="info@no-alias.example",
                              message_id="<new-3@nowhere.example>", body="Hi")
        with self.assertRaises(ValueError):
            self.Gateway.message_process(None, raw)
        # an internal user's address on a target list is not a response
        self.env["crm.campaign.target"].create({
            "campaign_id": self.campaign.id, "email": "otto@conference.example"})
        raw = NEW_MAIL.format(sender="otto@conference.example", to="info@no-alias.example",
                              message_id="<new-4@conference.example>", body="Hi")
        with self.assertRaises(ValueError):
            self.Gateway.message_process(None, raw)
        self.assertFalse(self.Response.search([("campaign_id", "=", self.campaign.id)]))

    def test_draft_campaign_targets_are_not_matched(self):
        draft = self.env["utm.campaign"].create({
            "title": "Not sent yet", "event_id": self.product.id, "audience_domain": "[]"})
        self.env["crm.campaign.target"].create({
            "campaign_id": draft.id, "email": "early@target.example"})
        raw = NEW_MAIL.format(sender="early@target.example", to="info@no-alias.example",
                              message_id="<new-5@target.example>", body="Hi")
        with self.assertRaises(ValueError):
            self.Gateway.message_process(None, raw)

    def test_bounce_marks_trace(self):
        message, trace = self._send_mail_from_lead()
        self.Gateway.message_process(None, BOUNCE.format(message_id=message.message_id))
        self.assertEqual(trace.state, "bounced")
        self.assertTrue(trace.bounce_datetime)
        self.assertFalse(self.Response.search([("lead_id", "=", self.lead.id)]))
        self.assertEqual(self.campaign.metric_bounced_count, 1)
        self.assertEqual(self.campaign.metric_delivered_count, 0)

    def test_convert_response_generates_lead(self):
        message, _trace = self._send_mail_from_lead()
        raw = REPLY.format(
            to="catchall@whatever.example", message_id="<reply-3@client.example>",
            threading=f"In-Reply-To: {message.message_id}\n", body="Let's talk.")
        self.Gateway.message_process(None, raw)
        response = self.Response.search([("lead_id", "=", self.lead.id)])
        self.assertEqual(response.state, "received")
        self.lead.campaign_id = False  # lost on the way: the conversion restores the source
        wizard = self.env["crm.lead2opportunity.partner"].with_context(
            active_model="crm.lead", active_id=self.lead.id, active_ids=self.lead.ids,
        ).create({"name": "convert", "action": "exist", "partner_id": self.customer.id})
        wizard.action_apply()
        self.assertEqual(self.lead.type, "opportunity")
        self.assertEqual(response.state, "converted")
        self.assertTrue(response.date_converted)
        self.assertEqual(self.lead.campaign_id, self.campaign, "Lead Source = the campaign")
        self.assertEqual(self.lead.medium_id, self.env.ref("utm.utm_medium_email"))
        self.campaign.invalidate_recordset()
        self.assertEqual(self.campaign.metric_response_count, 1)
        self.assertEqual(self.campaign.metric_lead_generated_count, 1)
        self.assertEqual(self.campaign.metric_conversion_rate, 100.0)

    def test_convert_without_response_is_not_a_lead_generated(self):
        wizard = self.env["crm.lead2opportunity.partner"].with_context(
            active_model="crm.lead", active_id=self.lead.id, active_ids=self.lead.ids,
        ).create({"name": "convert", "action": "exist", "partner_id": self.customer.id})
        wizard.action_apply()
        self.assertEqual(self.lead.type, "opportunity")
        self.assertEqual(self.campaign.metric_lead_generated_count, 0)

    def test_merge_into_opportunity_keeps_response(self):
        message, _trace = self._send_mail_from_lead()
        self.Gateway.message_process(None, REPLY.format(
            to="catchall@whatever.example", message_id="<reply-4@client.example>",
            threading=f"In-Reply-To: {message.message_id}\n", body="Merge me."))
        opportunity = self.env["crm.lead"].create({
            "name": "Existing deal", "type": "opportunity", "event_id": self.product.id,
            "partner_id": self.customer.id, "email_from": "carla@client.example",
        })
        merged = (opportunity | self.lead).merge_opportunity()
        self.assertEqual(merged, opportunity)
        response = self.Response.search([("campaign_id", "=", self.campaign.id)])
        self.assertEqual(response.lead_id, opportunity)
        self.assertEqual(response.state, "converted")
