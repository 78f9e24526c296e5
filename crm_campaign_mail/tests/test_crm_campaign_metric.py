from odoo import Command, fields
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from .smtp_common import SmtpCampaignMixin


@tagged("post_install", "-at_install")
class TestCampaignMetric(SmtpCampaignMixin, TransactionCase):
    """Figures of the campaign form and of the pivot/graph view."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_campaign_data()
        cls.Trace = cls.env["crm.mail.trace"]
        cls.Metric = cls.env["crm.campaign.metric"]
        cls.email_channel = cls.env.ref("crm_campaign_mgmt.channel_email")
        cls.linkedin = cls.env.ref("crm_campaign_mgmt.platform_linkedin")
        now = fields.Datetime.now()
        # 10 mails sent by the CRM: 2 bounced, 6 opened (4 of them clicked), 1 not yet sent
        states = ["sent"] * 2 + ["opened"] * 2 + ["clicked"] * 4 + ["bounced"] * 2 + ["outgoing"]
        cls.traces = cls.Trace.create([{
            "campaign_id": cls.campaign.id,
            "lead_id": cls.lead.id,
            "event_id": cls.product.id,
            "user_id": (cls.rep if index % 2 else cls.other_rep).id,
            "email": f"person{index}@client.example",
            "state": state,
            "sent_datetime": now if state != "outgoing" else False,
            "open_datetime": now if state in ("opened", "clicked") else False,
            "click_datetime": now if state == "clicked" else False,
        } for index, state in enumerate(states)])
        # 3 responses, 1 converted
        leads = cls.env["crm.lead"].create([{
            "name": f"Responder {index}", "type": "lead", "event_id": cls.product.id,
            "email_from": f"resp{index}@client.example", "campaign_id": cls.campaign.id,
        } for index in range(3)])
        cls.env["crm.campaign.response"].create([{
            "campaign_id": cls.campaign.id, "lead_id": lead.id, "email": lead.email_from,
            "event_id": cls.product.id, "user_id": cls.rep.id,
            "state": "converted" if index == 0 else "received",
        } for index, lead in enumerate(leads)])
        # revenue: one won lead of the campaign, 5,000
        won_stage = cls.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        cls.env["crm.lead"].create({
            "name": "Won deal", "type": "opportunity", "event_id": cls.product.id,
            "campaign_id": cls.campaign.id, "expected_revenue": 5000.0,
            "stage_id": won_stage.id, "user_id": cls.rep.id,
        })
        # cost: 1,000 on email + 1,000 on LinkedIn
        cls.env["crm.campaign.cost"].create([
            {"campaign_id": cls.campaign.id, "channel_id": cls.email_channel.id, "amount": 1000.0},
            {"campaign_id": cls.campaign.id, "channel_id": cls.linkedin.id, "amount": 1000.0},
        ])

    def test_campaign_form_figures(self):
        campaign = self.campaign
        self.assertEqual(campaign.metric_sent_count, 10)
        self.assertEqual(campaign.metric_delivered_count, 8)
        self.assertEqual(campaign.metric_opened_count, 6)
        self.assertEqual(campaign.metric_clicked_count, 4)
        self.assertEqual(campaign.metric_bounced_count, 2)
        self.assertEqual(campaign.metric_response_count, 3)
        self.assertEqual(campaign.metric_lead_generated_count, 1)
        self.assertEqual(campaign.metric_won_count, 1)
        self.assertEqual(campaign.metric_revenue, 5000.0)
        self.assertEqual(campaign.metric_cost, 2000.0)
        self.assertEqual(campaign.metric_delivery_rate, 80.0)
        self.assertEqual(campaign.metric_open_rate, 75.0)
        self.assertEqual(campaign.metric_click_rate, 50.0)
        self.assertEqual(campaign.metric_bounce_rate, 20.0)
        self.assertEqual(campaign.metric_response_rate, 37.5)
        self.assertAlmostEqual(campaign.metric_conversion_rate, 33.33)
        self.assertEqual(campaign.metric_roi, 150.0)

    def test_other_campaign_is_separate(self):
        other = self.env["utm.campaign"].create({
            "title": "Other", "event_id": self.product.id, "audience_domain": "[]"})
        self.assertEqual(other.metric_sent_count, 0)
        self.assertEqual(other.metric_open_rate, 0.0)
        self.assertEqual(other.metric_roi, 0.0)
        figures = (self.campaign | other).mapped("metric_sent_count")
        self.assertEqual(figures, [10, 0])

    def test_pivot_read_group_rates_are_ratios_of_sums(self):
        groups = self.Metric.read_group(
            [("campaign_id", "=", self.campaign.id), ("source", "=", "smtp")],
            ["sent_count:sum", "open_rate:avg", "click_rate"], ["user_id"], lazy=False)
        by_user = {group["user_id"][0]: group for group in groups}
        # rep: traces 1,3,5,7,9 = sent, opened, clicked, clicked, bounced
        rep = by_user[self.rep.id]
        self.assertEqual(rep["sent_count"], 5)
        self.assertEqual(rep["open_rate"], 75.0)   # 3 opened / 4 delivered
        self.assertEqual(rep["click_rate"], 50.0)  # 2 clicked / 4 delivered
        self.assertNotIn("opened_count", rep, "helper sums are not returned")
        other = by_user[self.other_rep.id]
        self.assertEqual(other["sent_count"], 5)   # 0,2,4,6,8 (10 = outgoing, not sent)
        self.assertEqual(other["open_rate"], 75.0)

    def test_by_channel_source_and_roi(self):
        groups = self.Metric.read_group(
            [("campaign_id", "=", self.campaign.id)], ["cost:sum", "revenue:sum", "roi"],
            ["source"], lazy=False)
        by_source = {group["source"]: group for group in groups}
        self.assertEqual(by_source["cost"]["cost"], 2000.0)
        self.assertEqual(by_source["won"]["revenue"], 5000.0)
        total = self.Metric.read_group(
            [("campaign_id", "=", self.campaign.id)], ["roi"], [], lazy=False)[0]
        self.assertEqual(total["roi"], 150.0)
        by_channel = self.Metric.read_group(
            [("campaign_id", "=", self.campaign.id), ("source", "=", "cost")],
            ["cost:sum"], ["channel_id"], lazy=False)
        self.assertEqual({g["channel_id"][0]: g["cost"] for g in by_channel},
                         {self.email_channel.id: 1000.0, self.linkedin.id: 1000.0})
        by_product = self.Metric.read_group(
            [("campaign_id", "=", self.campaign.id)], ["sent_count:sum", "response_count:sum"],
            ["event_id"], lazy=False)
        self.assertEqual(by_product[0]["event_id"][0], self.product.id)
        self.assertEqual(by_product[0]["sent_count"], 10)
        self.assertEqual(by_product[0]["response_count"], 3)

    def test_cost_in_other_currency(self):
        # a currency of its own worth half the company's currency, whatever the company's
        # currency and its own rate are (demo data may set them)
        company, today = self.env.company, fields.Date.today()
        company_rate = company.currency_id._get_rates(company, today)[company.currency_id.id]
        other_currency = self.env["res.currency"].create({
            "name": "XCM", "symbol": "¤", "rate_ids": [Command.create({
                "rate": 2.0 * company_rate, "name": today, "company_id": company.id})]})
        cost = self.env["crm.campaign.cost"].create({
            "campaign_id": self.campaign.id, "channel_id": self.linkedin.id,
            "amount": 100.0, "currency_id": other_currency.id})
        self.assertAlmostEqual(cost.amount_company, 50.0)
        self.campaign.invalidate_recordset()
        self.assertAlmostEqual(self.campaign.metric_cost, 2050.0)

    def test_connector_sources_extend_the_view(self):
        """A connector's source (the extension point) is one more part of the view, with
        its own rows and unique ids."""
        Metric = self.Metric
        queries = Metric._metric_source_queries()
        self.assertTrue({"smtp", "response", "won", "cost"} <= set(queries))
        self.env.flush_all()
        self.env.cr.execute(f"SELECT COUNT(*), COUNT(DISTINCT id) FROM ({Metric._view_query()}) v")
        total, distinct = self.env.cr.fetchone()
        self.assertEqual(total, distinct)
        self.assertGreater(total, 0)

    def test_campaign_actions(self):
        action = self.campaign.action_view_crm_metrics()
        self.assertEqual(action["res_model"], "crm.campaign.metric")
        self.assertEqual(action["domain"], [("campaign_id", "=", self.campaign.id)])
        self.assertEqual(self.campaign.action_view_crm_responses()["res_model"],
                         "crm.campaign.response")
        self.assertEqual(self.campaign.action_view_crm_mail_traces()["res_model"],
                         "crm.mail.trace")

    def test_roi_is_empty_without_cost(self):
        """Issue 13 "ROI 0.00 next to revenue": cost rows have no user, so a group per
        user holds revenue and no cost; its ROI is undefined (empty), not 0."""
        groups = self.Metric.read_group(
            [("campaign_id", "=", self.campaign.id)], ["revenue:sum", "cost:sum", "roi"],
            ["user_id"], lazy=False)
        rep = next(group for group in groups if group["user_id"] and group["user_id"][0] == self.rep.id)
        self.assertEqual(rep["revenue"], 5000.0)
        self.assertIs(rep["roi"], False)
        no_user = next(group for group in groups if not group["user_id"])
        self.assertEqual(no_user["cost"], 2000.0)
        self.assertEqual(no_user["roi"], -100.0)

    def test_row_opens_its_campaign(self):
        row = self.Metric.search([("campaign_id", "=", self.campaign.id), ("source", "=", "smtp")],
                                 limit=1)
        action = row.action_open_campaign()
        self.assertEqual((action["res_model"], action["res_id"]), ("utm.campaign", self.campaign.id))
        self.assertEqual(action["views"][0][1], "form")

    def test_conference_campaigns_filter(self):
        """The metrics open on the suite's campaigns (with a conference), not on Odoo's
        stock campaigns (e.g. demo "Christmas Special") that have won leads too."""
        stock = self.env["utm.campaign"].create({"name": "Stock Sale", "is_auto_campaign": False})
        won_stage = self.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        self.env["crm.lead"].create({
            "name": "Stock deal", "type": "opportunity", "campaign_id": stock.id,
            "event_id": self.product.id, "expected_revenue": 100.0, "stage_id": won_stage.id})
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_campaign_mail.crm_campaign_metric_action")
        self.assertIn("search_default_conference_campaigns", action["context"])
        domain = [("campaign_id.event_id", "!=", False)]
        self.assertIn(stock, self.Metric.search([]).campaign_id)
        shown = self.Metric.search(domain).campaign_id
        self.assertNotIn(stock, shown)
        self.assertIn(self.campaign, shown)

    def test_pivot_query_count(self):
        """The hot path: the pivot of one campaign (grouped by user, with rates) as a rep,
        through the record rules, in a fixed number of queries (roll-up, not traces)."""
        Metric = self.Metric.with_user(self.rep)
        args = ([("campaign_id", "=", self.campaign.id)],
                ["sent_count:sum", "opened_count:sum", "open_rate", "roi"], ["user_id"])
        Metric.read_group(*args, lazy=False)  # warm the caches (rules, fields)
        self.env.invalidate_all()
        with self.assertQueryCount(4):  # SET LOCAL jit; read_group (rules inlined); user names
            groups = Metric.read_group(*args, lazy=False)
        self.assertEqual(sum(group["sent_count"] for group in groups), 5)  # the rep's own
