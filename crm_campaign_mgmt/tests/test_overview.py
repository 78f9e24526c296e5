from datetime import timedelta

from odoo.tests import tagged

from .common import CampaignCommon


@tagged("post_install", "-at_install")
class TestCampaignOverview(CampaignCommon):
    def test_overview_numbers(self):
        campaign = self._create_campaign(rep_ids=[(6, 0, (self.rep1 | self.rep2).ids)])
        leads = self._create_leads(10, campaign_id=campaign.id)
        campaign.action_start()
        assignments = campaign.assignment_ids
        self.assertEqual(len(assignments), 10)
        for assignment in assignments:
            assignment.with_user(assignment.user_id).action_accept()
        statuses = ["prospect"] * 4 + ["hot"] * 3 + ["warm"] * 2 + ["active"]
        for lead, status in zip(leads, statuses):
            lead.campaign_lead_status = status
        done = assignments.filtered(lambda a: a.lead_id in leads[:4])
        for assignment in done:
            assignment.with_user(assignment.user_id).action_done()
        campaign.date_sent = campaign.date_sent - timedelta(days=2)
        campaign.invalidate_recordset()
        self.assertEqual(campaign.lead_total, 10)
        self.assertEqual(
            (campaign.lead_prospect_count, campaign.lead_hot_count,
             campaign.lead_warm_count, campaign.lead_active_count), (4, 3, 2, 1))
        self.assertEqual(campaign.lead_processed_count, 4)
        self.assertEqual(campaign.lead_remaining_count, 6)
        self.assertAlmostEqual(campaign.progress_percent, 40.0)
        self.assertAlmostEqual(campaign.processed_per_day, 2.0, places=1)
        self.assertAlmostEqual(campaign.forecast_days, 3.0, places=1)
        self.assertEqual(campaign.assignment_done_count, 4)
        self.assertEqual(campaign.assignment_accepted_count, 6)

    def test_overview_nothing_processed(self):
        campaign = self._create_campaign()
        self._create_leads(3, campaign_id=campaign.id)
        self.assertEqual(campaign.lead_total, 3)
        self.assertEqual(campaign.progress_percent, 0.0)
        self.assertEqual(campaign.forecast_days, -1.0)

    def test_won_or_lost_lead_counts_as_processed(self):
        campaign = self._create_campaign(rep_ids=[(6, 0, self.rep1.ids)])
        leads = self._create_leads(2, campaign_id=campaign.id)
        campaign._assign_leads()
        leads[0].action_set_lost()
        campaign.invalidate_recordset()
        self.assertEqual(campaign.lead_processed_count, 1)
        self.assertEqual(campaign.lead_total, 2, "lost leads still count in the total")

    def test_overview_query_count_does_not_grow_with_campaigns(self):
        campaigns = self.env["utm.campaign"]
        for index in range(6):
            campaign = self._create_campaign(title=f"C{index}")
            self._create_leads(2, campaign_id=campaign.id)
            campaigns |= campaign
        self.env.invalidate_all()
        count_before = self.env.cr.sql_log_count
        campaigns[:1].mapped("lead_total")
        one = self.env.cr.sql_log_count - count_before
        self.env.invalidate_all()
        count_before = self.env.cr.sql_log_count
        campaigns.mapped("progress_percent")
        many = self.env.cr.sql_log_count - count_before
        self.assertLessEqual(many, one + 1)
