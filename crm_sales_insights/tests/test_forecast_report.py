from odoo.tests import tagged

from .common import InsightsCase


@tagged("post_install", "-at_install")
class TestForecastReport(InsightsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner = cls.env["res.partner"].create({"name": "Report Account", "is_company": True})
        cls.opportunity.partner_id = cls.partner
        # se's won opportunity, and one of another team (hidden from se)
        cls.won_mine = cls._won_lead("won_mine", "phone_sales", cls.product_a, "se", 1200.0, 0,
                                     partner=cls.partner, team=cls.team_a)
        cls.won_other = cls._won_lead("won_other", "phone_sales", cls.product_b, "se3", 800.0, 0,
                                      partner=cls.partner, team=cls.team_b)
        cls.open_other = cls.env["crm.lead"].create(cls._lead_vals(
            "open_other", "phone_sales", cls.product_b, "se3", cls.team_b, type="opportunity",
            expected_revenue=5000.0, probability=10.0, partner_id=cls.partner.id))
        cls.forecast = cls.env["crm.forecast"].with_user(cls.users["se"]).create({
            "forecast_type": "account", "lead_id": cls.opportunity.id})
        cls.forecast.with_user(cls.users["stl"]).action_approve()
        cls.forecast_other = cls.env["crm.forecast"].create({
            "forecast_type": "upsell", "lead_id": cls.open_other.id, "user_id": cls.users["se3"].id})
        cls.env.flush_all()

    def _totals(self, user, groupby=()):
        Report = self.env["crm.forecast.report"].with_user(user)
        return Report.read_group(
            [("partner_id", "=", self.partner.id)],
            ["forecast_value:sum", "actual_value:sum", "pipeline_amount:sum", "pipeline_value:sum"],
            list(groupby), lazy=False)

    def test_figures_equal_direct_sums(self):
        total = self._totals(self.admin)[0]
        Lead = self.env["crm.lead"]
        leads = Lead.search([("partner_id", "=", self.partner.id)])
        won = leads.filtered(lambda lead: lead.stage_id.is_won)
        open_opps = leads.filtered(lambda lead: not lead.stage_id.is_won and lead.type == "opportunity")
        forecasts = self.env["crm.forecast"].search([("partner_id", "=", self.partner.id)])
        self.assertEqual(total["actual_value"], sum(won.mapped("expected_revenue")))
        self.assertEqual(total["actual_value"], 2000.0)
        self.assertEqual(total["pipeline_amount"], sum(open_opps.mapped("expected_revenue")))
        self.assertAlmostEqual(total["pipeline_value"],
                               sum(lead.expected_revenue * lead.probability / 100 for lead in open_opps))
        self.assertAlmostEqual(total["pipeline_value"], 1000.0 * 0.4 + 5000.0 * 0.1)
        self.assertEqual(total["forecast_value"], sum(forecasts.mapped("value")))
        by_line = {row["line_type"]: row["__count"] for row in self._totals(self.admin, ["line_type"])}
        self.assertEqual(by_line, {"forecast": 2, "actual": 2, "pipeline": 2})

    def test_rows_follow_the_lead(self):
        total = self._totals(self.users["se"])[0]
        self.assertEqual(total["actual_value"], 1200.0)
        self.assertEqual(total["pipeline_amount"], 1000.0)
        self.assertEqual(total["forecast_value"], self.forecast.value)
        rows = self.env["crm.forecast.report"].with_user(self.users["se"]).search(
            [("partner_id", "=", self.partner.id)])
        self.assertEqual(set(rows.mapped("lead_ref")), {self.opportunity.id, self.won_mine.id})
        for role in ("stl2", "pm", "hm", "sm"):
            with self.subTest(role=role):
                user = self.users[role]
                readable = self.env["crm.lead"].with_user(user).search([("partner_id", "=", self.partner.id)])
                rows = self.env["crm.forecast.report"].with_user(user).search(
                    [("partner_id", "=", self.partner.id)])
                self.assertEqual(set(rows.mapped("lead_ref")), set(readable.ids))

    def test_forecast_without_opportunity_is_reported_with_the_forecast(self):
        lone = self.env["crm.forecast"].with_user(self.users["se"]).create({
            "forecast_type": "account", "partner_id": self.partner.id, "amount": 100.0, "probability": 50.0})
        self.env.flush_all()
        for role, visible in (("se", True), ("stl", True), ("sse", False), ("pm", False)):
            with self.subTest(role=role):
                rows = self.env["crm.forecast.report"].with_user(self.users[role]).search(
                    [("forecast_ref", "=", lone.id)])
                self.assertEqual(len(rows), int(visible))
