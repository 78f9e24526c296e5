"""MailWizz demo (issue 11, part 8): campaigns with statistics over a few weeks, on a
backend that never calls the network."""

from odoo.tests import tagged
from odoo.tests.common import TransactionCase


@tagged("post_install", "-at_install")
class TestMailwizzDemo(TransactionCase):
    def setUp(self):
        super().setUp()
        self.backend = self.env.ref("crm_mailwizz.mailwizz_backend_demo", raise_if_not_found=False)
        if not self.backend:
            self.skipTest("installed without demo data")
        self.campaign = self.env.ref("crm_mailwizz.campaign_mailwizz_demo_energy")

    def test_statistics_over_weeks_and_in_the_metrics(self):
        stats = self.campaign.mailwizz_stat_ids.sorted("snapshot_date")
        self.assertGreaterEqual(len(stats), 10)
        self.assertGreater((stats[-1].snapshot_date - stats[0].snapshot_date).days, 14)
        self.assertEqual(stats.mapped("unique_opens"), sorted(stats.mapped("unique_opens")))
        self.assertEqual(self.campaign.mailwizz_unique_opens, stats[-1].unique_opens)
        sme = self.env.ref("crm_event_products.user_demo_sme")
        [(sent, opened)] = self.env["crm.campaign.metric"].with_user(sme)._read_group(
            [("campaign_id", "=", self.campaign.id), ("source", "=", "mailwizz")], [],
            ["sent_count:sum", "opened_count:sum"])
        self.assertEqual((sent, opened), (self.campaign.mailwizz_sent, self.campaign.mailwizz_unique_opens))
        self.assertGreater(sent, 0)

    def test_no_scheduled_pull_and_no_credentials(self):
        Campaign = self.env["utm.campaign"]
        self.assertFalse(Campaign.search(Campaign._mailwizz_stats_domain()) & (
            self.campaign | self.env.ref("crm_mailwizz.campaign_mailwizz_demo_finance")))
        self.assertFalse(self.backend.sudo().api_key or self.backend.sudo().public_key)
