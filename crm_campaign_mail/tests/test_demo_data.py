"""The demo shows real figures on first login (issue 11, part 8): a few weeks of mail,
responses and costs, leads with a region and a platform."""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged
from odoo.tests.common import TransactionCase


@tagged("post_install", "-at_install")
class TestDemoActivity(TransactionCase):
    def setUp(self):
        super().setUp()
        if not self.env.ref("crm_campaign_mail.crm_mail_trace_demo_001", raise_if_not_found=False):
            self.skipTest("installed without demo data")
        self.campaign = self.env.ref("crm_campaign_mgmt.campaign_energy_q1")
        self.stl = self.env.ref("crm_event_products.user_demo_stl")
        self.mm = self.env.ref("crm_event_products.user_demo_mm")

    def test_campaign_metrics_are_not_zero(self):
        measures = ["sent_count", "opened_count", "clicked_count", "bounced_count",
                    "response_count", "lead_generated_count", "cost"]
        [values] = self.env["crm.campaign.metric"].with_user(self.stl)._read_group(
            [("campaign_id", "=", self.campaign.id)], [], [f"{m}:sum" for m in measures])
        for measure, value in zip(measures, values, strict=True):
            self.assertGreater(value, 0, measure)

    def test_activity_is_spread_over_weeks_before_today(self):
        demo_ids = self.env["ir.model.data"].search([
            ("module", "=", "crm_campaign_mail"), ("model", "=", "crm.mail.trace")]).mapped("res_id")
        traces = self.env["crm.mail.trace"].browse(demo_ids)
        self.assertGreater(len(traces), 200)
        dates = traces.filtered("sent_datetime").mapped("sent_datetime")
        now = fields.Datetime.now()
        self.assertLess(max(dates), now)
        self.assertGreater(max(dates) - min(dates), timedelta(days=14))
        self.assertGreater(len(traces.user_id), 10, "every demo user sends mail")
        responses = self.env["crm.campaign.response"].search([("trace_id", "in", traces.ids)])
        self.assertTrue(responses.filtered(lambda r: r.state == "converted"))
        costs = self.env["crm.campaign.cost"].search([("campaign_id", "=", self.campaign.id)])
        self.assertGreater(len(costs.channel_id), 1)

    def test_attribution_heatmap_is_filled(self):
        figures = self.env["crm.attribution.report"].with_user(self.mm)._get_figures(
            [], ["region_cluster", "source_id"])
        regions = {region for region, _source in figures if region}
        platforms = {source for _region, source in figures if source}
        self.assertGreaterEqual(len(regions), 4)
        self.assertGreaterEqual(len(platforms), 3)
        self.assertGreater(sum(values["spend"] for values in figures.values()), 0)
        self.assertGreater(sum(values["won_count"] for values in figures.values()), 0)
