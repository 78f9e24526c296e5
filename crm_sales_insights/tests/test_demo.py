from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemo(TransactionCase):
    """The demo shows figures on first login: forecasts in every status, actuals, a weighted
    pipeline and customer patterns with their previous class."""

    def setUp(self):
        super().setUp()
        if not self.env.ref("crm_sales_insights.forecast_demo_tata_upsell", raise_if_not_found=False):
            self.skipTest("installed without demo data")

    def test_demo_forecasts_and_reports(self):
        forecasts = self.env["crm.forecast"].search([("id", "in", [
            self.env.ref(f"crm_sales_insights.forecast_demo_{key}").id
            for key in ("tata_upsell", "infosys_renewal", "itc_booth", "cipla_sponsor", "tata_last",
                        "itc_last", "zerodha_account")])])
        self.assertEqual(set(forecasts.mapped("state")), {"draft", "approved", "closed"})
        self.assertTrue(all(forecasts.mapped("value")))
        self.assertEqual(self.env.ref("crm_sales_insights.forecast_demo_tata_last").actual_value, 260000.0)
        stl = self.env.ref("crm_event_products.user_demo_stl")
        totals = self.env["crm.forecast.report"].with_user(stl).read_group(
            [], ["forecast_value:sum", "actual_value:sum", "pipeline_value:sum"], [])[0]
        self.assertTrue(totals["forecast_value"] and totals["actual_value"] and totals["pipeline_value"])

    def test_demo_patterns_previous_and_current(self):
        def pattern(key):
            partner = self.env.ref(f"crm_sales_insights.partner_insights_{key}")
            return self.env["crm.customer.pattern"].search([("partner_id", "=", partner.id)])
        self.assertEqual((pattern("itc").previous_class, pattern("itc").pattern_class), ("new", "regular"))
        self.assertEqual((pattern("infosys").previous_class, pattern("infosys").pattern_class),
                         ("regular", "lapsed"))
        self.assertEqual(pattern("cipla").pattern_class, "big_ticket")
        self.assertEqual(pattern("zerodha").pattern_class, "new")
        self.assertEqual(pattern("tata_power").pattern_class, "key_account")

    def test_demo_rep_performance(self):
        stl = self.env.ref("crm_event_products.user_demo_stl")
        rows = self.env["crm.rep.performance.report"].with_user(stl).read_group(
            [], ["assigned_count", "accepted_count", "won_count", "avg_hours_to_contact"], [])[0]
        self.assertTrue(rows["assigned_count"] and rows["accepted_count"] and rows["won_count"])
        self.assertTrue(rows["avg_hours_to_contact"])
