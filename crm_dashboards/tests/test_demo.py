from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemoFigures(TransactionCase):
    """The demo roles open dashboards with figures: the roll-up is filled on install and
    the demo targets are computed on it."""

    def test_demo_roles_see_figures_and_targets(self):
        if not self.env.ref("crm_dashboards.challenge_phone_weekly", raise_if_not_found=False):
            self.skipTest("no demo data")
        Kpi = self.env["crm.kpi.daily"]
        Goal = self.env["gamification.goal"]
        for login in ("p", "pm", "jme", "mm", "se", "stl"):
            user = self.env["res.users"].search([("login", "=", login)])
            rows = Kpi.with_user(user).search([("kpi", "=", "emails_sent")])
            self.assertTrue(rows, login)
            if login in ("p", "jme", "se"):
                goals = Goal.with_user(user).search([
                    ("user_id", "=", user.id), ("crm_current", "=", True), ("crm_kpi", "!=", False)])
                self.assertEqual(set(goals.mapped("challenge_period")), {"weekly", "monthly", "quarterly"}, login)
                self.assertTrue(any(goal.target_goal for goal in goals), login)
        # managers see more than their own rows (their people's)
        stl = self.env["res.users"].search([("login", "=", "stl")])
        self.assertGreater(len(Kpi.with_user(stl).search([]).user_id), 1)
