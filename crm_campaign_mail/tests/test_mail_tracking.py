import base64
import re
from urllib.parse import parse_qs, urlsplit

from odoo.tests import tagged
from odoo.tests.common import HttpCase

from .smtp_common import (
    LocalSMTPServer,
    SmtpCampaignMixin,
    approve_local_mailbox,
    html_part,
    real_smtp,
)

AGENDA_URL = "https://conference.example/agenda?day=1"


@tagged("post_install", "-at_install")
class TestMailTracking(SmtpCampaignMixin, HttpCase):
    """A rep writes from a lead with the composer (template + attachment):
    the mail leaves through the rep's own SMTP server, with tracked links and
    an open pixel; the pixel and the links count for the lead's campaign."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_campaign_data()
        cls.smtp = LocalSMTPServer(credentials={"rita": "s3cret"}).start()
        cls.addClassCleanup(cls.smtp.stop)
        approve_local_mailbox(cls.rep, cls.smtp, crm_smtp_login="rita", crm_smtp_password="s3cret")
        cls.attachment = cls.env["ir.attachment"].create({
            "name": "brochure.pdf",
            "datas": base64.b64encode(b"%PDF-1.4 conference brochure"),
            "mimetype": "application/pdf",
        })
        cls.template = cls.env["mail.template"].create({
            "name": "Invitation",
            "model_id": cls.env["ir.model"]._get_id("crm.lead"),
            "subject": "Invitation to {{ object.event_id.name }}",
            "body_html": f"""<p>Dear guest,</p>
                <p>See the <a href="{AGENDA_URL}">agenda</a> or
                <a href="mailto:info@conference.example">write to us</a>.</p>""",
            "attachment_ids": [(4, cls.attachment.id)],
            "use_default_to": True,
        })

    def setUp(self):
        super().setUp()
        self.smtp.messages.clear()

    def _send_from_lead(self):
        composer = self.env["mail.compose.message"].with_user(self.rep).with_context(
            default_model="crm.lead", default_res_ids=self.lead.ids,
            default_composition_mode="comment",
        ).create({"template_id": self.template.id})
        composer.partner_ids = self.customer
        self.assertEqual(composer.email_from, self.rep.email_formatted)
        with real_smtp():
            composer._action_send_mail()
        return self.env["crm.mail.trace"].search([("lead_id", "=", self.lead.id)])

    def _path(self, url):
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def test_send_from_lead_through_own_mailbox(self):
        trace = self._send_from_lead()
        self.assertEqual(len(self.smtp.messages), 1)
        received = self.smtp.messages[0]
        message = received["message"]
        # the rep's own server, login and address
        self.assertEqual(received["login"], "rita")
        self.assertEqual(received["mail_from"], "rita.rep@conference.example")
        self.assertIn("rita.rep@conference.example", message["From"])
        self.assertIn("Rita Rep", message["From"])
        self.assertEqual(received["rcpt_tos"], ["carla@client.example"])
        self.assertEqual(message["Subject"], "Invitation to SMTP Summit")
        attachments = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
        self.assertEqual(attachments.get("brochure.pdf"), b"%PDF-1.4 conference brochure")
        # tracked links and pixel in what was sent, not in the chatter
        html = html_part(message)
        self.assertIn("/crm_campaign_mail/track/open/", html)
        self.assertIn("/crm_campaign_mail/track/click/", html)
        self.assertNotIn(f'href="{AGENDA_URL}"', html.replace("&amp;", "&"))
        self.assertIn("mailto:info@conference.example", html)
        chatter = self.lead.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertIn("conference.example/agenda", chatter[0].body)
        self.assertNotIn("/crm_campaign_mail/track/", chatter[0].body)
        # the trace of the campaign
        self.assertEqual(len(trace), 1)
        self.assertEqual(trace.state, "sent")
        self.assertEqual(trace.campaign_id, self.campaign)
        self.assertEqual(trace.event_id, self.product)
        self.assertEqual(trace.user_id, self.rep)
        self.assertEqual(trace.email, "carla@client.example")
        self.assertEqual(trace.message_id, message["Message-Id"])
        # link_tracker link with the campaign, medium and source
        link = self.env["link.tracker"].search([("url", "=", AGENDA_URL)])
        self.assertEqual(len(link), 1)
        self.assertEqual(link.campaign_id, self.campaign)
        self.assertEqual(link.medium_id, self.env.ref("utm.utm_medium_email"))
        self.assertEqual(link.source_id, self.env.ref("crm_campaign_mail.utm_source_crm_smtp"))

    def test_open_and_click_tracking(self):
        trace = self._send_from_lead()
        html = html_part(self.smtp.messages[0]["message"])
        open_url = re.search(r'src="([^"]*/crm_campaign_mail/track/open/[^"]+)"', html).group(1)
        click_url = re.search(r'href="([^"]*/crm_campaign_mail/track/click/[^"]+)"', html).group(1)

        # a forged open token records nothing and reveals nothing
        forged = re.sub(r"-([0-9a-f]+)\.png$", "-" + "0" * 64 + ".png", self._path(open_url))
        self.assertEqual(self.url_open(forged).status_code, 404)
        other_id = re.sub(r"/open/(\d+)-", lambda m: f"/open/{int(m.group(1)) + 1}-",
                          self._path(open_url))
        self.assertEqual(self.url_open(other_id).status_code, 404)
        trace.invalidate_recordset()
        self.assertFalse(trace.open_datetime)

        response = self.url_open(self._path(open_url))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "image/gif")
        self.assertTrue(response.content.startswith(b"GIF89a"))
        trace.invalidate_recordset()
        self.assertTrue(trace.open_datetime)
        self.assertEqual(trace.state, "opened")

        # the click redirects to the real page with the campaign's UTM parameters
        response = self.url_open(self._path(click_url), allow_redirects=False)
        self.assertEqual(response.status_code, 301)
        location = response.headers["Location"]
        self.assertTrue(location.startswith("https://conference.example/agenda?"))
        query = parse_qs(urlsplit(location).query)
        self.assertEqual(query["day"], ["1"])
        self.assertEqual(query["utm_campaign"], [self.campaign.name])
        self.assertEqual(query["utm_medium"], ["Email"])
        trace.invalidate_recordset()
        self.assertTrue(trace.click_datetime)
        self.assertEqual(trace.state, "clicked")
        clicks = self.env["link.tracker.click"].search([("crm_mail_trace_id", "=", trace.id)])
        self.assertEqual(len(clicks), 1)
        self.assertEqual(clicks.campaign_id, self.campaign)

        # a forged click token still redirects but counts nothing
        forged_click = re.sub(r"/click/(\d+)-[0-9a-f]+/", r"/click/\1-bad/", self._path(click_url))
        response = self.url_open(forged_click, allow_redirects=False)
        self.assertEqual(response.status_code, 301)
        self.assertEqual(
            self.env["link.tracker.click"].search_count([("crm_mail_trace_id", "=", trace.id)]), 1)

        # counted for the lead's campaign
        self.campaign.invalidate_recordset()
        self.assertEqual(self.campaign.metric_sent_count, 1)
        self.assertEqual(self.campaign.metric_opened_count, 1)
        self.assertEqual(self.campaign.metric_clicked_count, 1)
        self.assertEqual(self.campaign.metric_open_rate, 100.0)
        # and on the lead, for the rep who sent it
        lead = self.lead.with_user(self.rep)
        lead.invalidate_recordset()
        self.assertEqual((lead.crm_mail_opened_count, lead.crm_mail_trace_count), (1, 1))
        self.assertEqual(lead.action_view_crm_mail_traces()["domain"], [("lead_id", "=", lead.id)])

    def test_mass_mode_from_leads(self):
        lead2 = self.env["crm.lead"].with_user(self.rep).create({
            "name": "Second company",
            "type": "lead",
            "event_id": self.product.id,
            "email_from": "dan@client2.example",
            "contact_name": "Dan",
            "campaign_id": self.campaign.id,
            "user_id": self.rep.id,
        })
        leads = self.lead | lead2
        composer = self.env["mail.compose.message"].with_user(self.rep).with_context(
            default_model="crm.lead", default_res_ids=leads.ids,
            default_composition_mode="mass_mail",
        ).create({"template_id": self.template.id})
        with real_smtp():
            composer._action_send_mail()
            self.env["mail.mail"].sudo().search([
                ("model", "=", "crm.lead"), ("res_id", "in", leads.ids),
                ("state", "=", "outgoing"),
            ]).send()
        recipients = sorted(rcpt for m in self.smtp.messages for rcpt in m["rcpt_tos"])
        self.assertEqual(recipients, ["carla@client.example", "dan@client2.example"])
        self.assertTrue(all(m["mail_from"] == "rita.rep@conference.example"
                            for m in self.smtp.messages))
        traces = self.env["crm.mail.trace"].search([("lead_id", "in", leads.ids)])
        self.assertEqual(len(traces), 2)
        self.assertEqual(set(traces.mapped("state")), {"sent"})

    def test_internal_note_and_lead_without_campaign_not_tracked(self):
        self.lead.with_user(self.rep).message_post(
            body="internal", message_type="comment", subtype_xmlid="mail.mt_note",
            partner_ids=self.other_rep.partner_id.ids)
        lead = self.env["crm.lead"].with_user(self.rep).create({
            "name": "No campaign", "type": "lead", "event_id": self.product.id,
            "partner_id": self.customer.id, "user_id": self.rep.id,
        })
        with real_smtp():
            lead.with_user(self.rep).message_post(
                body="<p>Hello</p>", message_type="comment", subtype_xmlid="mail.mt_comment",
                partner_ids=self.customer.ids)
        self.assertFalse(self.env["crm.mail.trace"].search(
            [("lead_id", "in", (self.lead | lead).ids)]))
        self.assertEqual(len(self.smtp.messages), 1, "the mail itself is sent, untracked")
        self.assertNotIn("/crm_campaign_mail/track/", html_part(self.smtp.messages[0]["message"]))
