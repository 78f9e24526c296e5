from odoo import fields
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from odoo.addons.crm_campaign_mail.tests.smtp_common import SmtpCampaignMixin


@tagged("post_install", "-at_install")
class TestMailwizzMetric(SmtpCampaignMixin, TransactionCase):
    """MailWizz feeds crm_campaign_mail's campaign metrics through the metric view's
    extension point (crm.campaign.metric._metric_source_queries)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_campaign_data()
        cls.Metric = cls.env["crm.campaign.metric"]
        now = fields.Datetime.now()
        # 10 mails sent by the CRM itself: 2 bounced, 6 opened
        states = ["sent"] * 2 + ["opened"] * 6 + ["bounced"] * 2
        cls.env["crm.mail.trace"].create([{
            "campaign_id": cls.campaign.id, "lead_id": cls.lead.id, "event_id": cls.product.id,
            "user_id": cls.rep.id, "email": f"person{index}@client.example", "state": state,
            "sent_datetime": now, "open_datetime": now if state == "opened" else False,
        } for index, state in enumerate(states)])

    def test_source_is_registered(self):
        self.assertIn("mailwizz", dict(self.Metric._fields["source"].selection))
        self.assertIn("mailwizz", self.Metric._metric_source_queries())

    def test_mailwizz_counters_are_combined(self):
        self.campaign.write({
            "mailwizz_sent": 100, "mailwizz_delivered": 90, "mailwizz_unique_opens": 45,
            "mailwizz_unique_clicks": 9, "mailwizz_bounces": 10, "mailwizz_unsubscribes": 3,
        })
        self.env.flush_all()
        self.campaign.invalidate_recordset()
        self.assertEqual(self.campaign.metric_sent_count, 110)
        self.assertEqual(self.campaign.metric_delivered_count, 98)
        self.assertEqual(self.campaign.metric_opened_count, 51)
        self.assertEqual(self.campaign.metric_unsubscribed_count, 3)
        groups = self.Metric.read_group(
            [("campaign_id", "=", self.campaign.id), ("source", "=", "mailwizz")],
            ["sent_count:sum", "open_rate"], [], lazy=False)
        self.assertEqual(groups[0]["sent_count"], 100)
        self.assertEqual(groups[0]["open_rate"], 50.0)
