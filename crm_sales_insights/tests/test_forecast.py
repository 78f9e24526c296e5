from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import InsightsCase


@tagged("post_install", "-at_install")
class TestForecast(InsightsCase):
    def _forecast(self, user, **vals):
        values = {"forecast_type": "account", "lead_id": self.opportunity.id}
        values.update(vals)
        return self.env["crm.forecast"].with_user(user).create(values)

    def test_value_follows_the_opportunity_until_approved(self):
        forecast = self._forecast(self.users["se"])
        self.assertEqual(forecast.user_id, self.users["se"])
        self.assertEqual(forecast.team_id, self.team_a)
        self.assertEqual((forecast.amount, forecast.probability, forecast.value), (1000.0, 40.0, 400.0))
        self.opportunity.write({"expected_revenue": 2000.0})
        self.assertEqual(forecast.value, 800.0)
        # the rep may override the probability of his draft
        forecast.with_user(self.users["se"]).write({"probability": 50.0})
        self.assertEqual(forecast.value, 1000.0)
        forecast.with_user(self.users["stl"]).action_approve()
        self.assertEqual(forecast.state, "approved")
        self.assertEqual(forecast.approved_by_id, self.users["stl"])
        self.opportunity.write({"expected_revenue": 5000.0, "probability": 90.0})
        self.assertEqual((forecast.amount, forecast.probability, forecast.value), (2000.0, 50.0, 1000.0))

    def test_approved_in_the_same_transaction_keeps_the_figures(self):
        forecast = self._forecast(self.users["se"])
        forecast.with_user(self.users["stl"]).action_approve()
        self.assertEqual((forecast.amount, forecast.value), (1000.0, 400.0))
        created_approved = self.env["crm.forecast"].create({
            "forecast_type": "upsell", "lead_id": self.opportunity.id, "user_id": self.users["se"].id,
            "state": "approved"})
        self.assertEqual((created_approved.state, created_approved.value), ("approved", 400.0))

    def test_account_forecast_without_opportunity(self):
        partner = self.env["res.partner"].create({"name": "Forecast Account", "is_company": True})
        forecast = self._forecast(self.users["se"], lead_id=False, partner_id=partner.id,
                                  amount=300000.0, probability=25.0, period_type="quarter")
        self.assertEqual(forecast.value, 75000.0)
        self.assertEqual(forecast.date_start.month % 3, 1)
        self.assertIn("Forecast Account", forecast.name)

    def test_status_workflow_and_who_approves(self):
        forecast = self._forecast(self.users["se"])
        as_se = forecast.with_user(self.users["se"])
        # the rep neither approves his own forecast nor sets the status himself
        with self.assertRaises(AccessError):
            as_se.action_approve()
        with self.assertRaises(AccessError):
            as_se.write({"state": "approved"})
        # a senior executive is above SE but no manager; other departments' managers are not his
        for role in ("sse", "pm", "hm"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                forecast.with_user(self.users[role]).action_approve()
        self.assertEqual(forecast.state, "draft")
        with self.assertRaises(UserError):
            forecast.with_user(self.users["stl"]).action_close()
        forecast.with_user(self.users["stl"]).action_approve()
        self.assertEqual(forecast.state, "approved")
        # approved: frozen for the rep, not deletable
        with self.assertRaises(AccessError):
            as_se.write({"amount": 1.0})
        with self.assertRaises(UserError):
            as_se.unlink()
        as_se.write({"note": "call them on Monday"})
        # an ASM of the same department, above the rep, also decides
        forecast.with_user(self.users["asm"]).action_close()
        self.assertEqual(forecast.state, "closed")
        with self.assertRaises(UserError):
            forecast.with_user(self.users["stl"]).action_reset_draft()
        with self.assertRaises(AccessError):
            as_se.action_reopen()
        forecast.with_user(self.users["stl"]).action_reopen()
        forecast.with_user(self.users["stl"]).action_reset_draft()
        self.assertEqual(forecast.state, "draft")
        self.assertFalse(forecast.approved_by_id)
        as_se.unlink()
        self.assertFalse(forecast.exists())

    def test_a_manager_does_not_approve_his_own_or_a_higher_role(self):
        own = self._forecast(self.users["stl"], lead_id=False, amount=10.0, probability=10.0)
        with self.assertRaises(AccessError):
            own.with_user(self.users["stl"]).action_approve()
        higher = self._forecast(self.users["sm"], lead_id=False, amount=10.0, probability=10.0)
        with self.assertRaises(AccessError):
            higher.with_user(self.users["asm"]).action_approve()
        higher.with_user(self.admin).action_approve()
        self.assertEqual(higher.state, "approved")
        own.with_user(self.users["sm"]).action_approve()
        self.assertEqual(own.approved_by_id, self.users["sm"])

    def test_rep_forecasts_only_for_himself(self):
        with self.assertRaises(AccessError):
            self._forecast(self.users["se"], user_id=self.users["sse"].id)
        with self.assertRaises(AccessError):
            self._forecast(self.users["se"], state="approved")
        forecast = self._forecast(self.users["stl"], user_id=self.users["se"].id)
        self.assertEqual(forecast.user_id, self.users["se"])
        with self.assertRaises(AccessError):
            forecast.with_user(self.users["se"]).write({"user_id": self.users["sse"].id})

    def test_visibility_follows_the_lead(self):
        hidden_lead = self.leads["phone_b_team"]
        hidden = self.env["crm.forecast"].create({
            "forecast_type": "upsell", "lead_id": hidden_lead.id, "user_id": self.users["se3"].id})
        mine = self._forecast(self.users["se"])
        Forecast = self.env["crm.forecast"].with_user(self.users["se"])
        self.assertEqual(Forecast.search([("id", "in", (hidden | mine).ids)]), mine)
        with self.assertRaises(AccessError):
            hidden.with_user(self.users["se"]).read(["value"])
        # the role table decides for every role
        for role in ("se", "sse", "stl", "asm", "sm", "pm", "hm", "p", "jre"):
            user = self.users[role]
            with self.subTest(role=role):
                readable_leads = self.env["crm.lead"].with_user(user).search(
                    [("id", "in", (hidden_lead | self.opportunity).ids)])
                found = self.env["crm.forecast"].with_user(user).search([("id", "in", (hidden | mine).ids)])
                self.assertEqual(found.lead_id, readable_leads)

    def test_forecasts_without_opportunity_are_the_rep_and_his_managers(self):
        forecast = self._forecast(self.users["se"], lead_id=False, amount=100.0, probability=50.0)
        for role, visible in (("se", True), ("sse", False), ("stl", True), ("sm", True),
                              ("pm", False), ("hm", False), ("se3", False)):
            with self.subTest(role=role):
                user = self.users[role] if role in self.users else self.users["se3"]
                found = self.env["crm.forecast"].with_user(user).search([("id", "=", forecast.id)])
                self.assertEqual(bool(found), visible)

    def test_actual_is_the_won_revenue_of_the_period(self):
        partner = self.env["res.partner"].create({"name": "Actual Account", "is_company": True})
        contact = self.env["res.partner"].create({"name": "Buyer", "parent_id": partner.id})
        won = self._won_lead("won_actual", "phone_sales", self.product_a, "se", 700.0, 0,
                             partner=contact, team=self.team_a)
        self._won_lead("won_actual_2", "phone_sales", self.product_a, "se", 300.0, 0,
                       partner=partner, team=self.team_a)
        self._won_lead("won_old", "phone_sales", self.product_a, "se", 5000.0, 400,
                       partner=partner, team=self.team_a)
        on_lead = self._forecast(self.users["se"], lead_id=won.id)
        on_account = self._forecast(self.users["se"], lead_id=False, partner_id=partner.id,
                                    amount=1.0, probability=100.0)
        self.assertEqual(on_lead.partner_id, partner)
        self.assertEqual(on_lead.actual_value, 700.0)
        self.assertEqual(on_account.actual_value, 1000.0)
        # read as the user: another rep's won opportunities stay out
        self._won_lead("won_other", "phone_sales", self.product_b, "se3", 900.0, 0,
                       partner=partner, team=self.team_b)
        self.assertEqual(on_account.with_user(self.users["se"]).actual_value, 1000.0)
        self.assertEqual(on_account.with_user(self.admin).actual_value, 1900.0)
