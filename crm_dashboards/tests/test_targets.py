from datetime import date

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.crm_dashboards.models.gamification_challenge import quarter_dates
from odoo.addons.gamification.models import gamification_challenge

from .common import DashboardCase


@tagged("post_install", "-at_install")
class TestTargets(DashboardCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.definition = cls.env.ref("crm_dashboards.definition_emails_sent")

    def _challenge(self, manager, users, period="quarterly", target=10):
        return self.env["gamification.challenge"].with_user(manager).create({
            "name": "Targets",
            "period": period,
            "visibility_mode": "personal",
            "user_domain": False,
            "report_message_frequency": "never",
            "user_ids": [fields.Command.set([u.id for u in users])],
            "line_ids": [fields.Command.create({"definition_id": self.definition.id, "target_goal": target})],
        })

    def test_quarter_dates(self):
        self.assertEqual(quarter_dates(date(2026, 1, 1)), (date(2026, 1, 1), date(2026, 3, 31)))
        self.assertEqual(quarter_dates(date(2026, 5, 17)), (date(2026, 4, 1), date(2026, 6, 30)))
        self.assertEqual(quarter_dates(date(2026, 9, 30)), (date(2026, 7, 1), date(2026, 9, 30)))
        self.assertEqual(quarter_dates(date(2026, 12, 31)), (date(2026, 10, 1), date(2026, 12, 31)))
        start, end = gamification_challenge.start_end_date_for_period("quarterly")
        expected = quarter_dates(date.today())
        self.assertEqual((fields.Date.to_date(start), fields.Date.to_date(end)), expected)
        # gamification's own periods are unchanged
        self.assertEqual(gamification_challenge.start_end_date_for_period("once", "2026-01-01", "2026-01-02"),
                         ("2026-01-01", "2026-01-02"))

    def test_quarterly_challenge_goals(self):
        challenge = self._challenge(self.env.user, [self.users["se2"]], target=4)
        challenge.action_start()
        goal = self.env["gamification.goal"].search([("challenge_id", "=", challenge.id)])
        self.assertEqual(len(goal), 1)
        self.assertEqual((goal.start_date, goal.end_date), quarter_dates(date.today()))
        goal.update_goal()
        rows = self.Kpi.sudo().search([
            ("user_id", "=", self.users["se2"].id), ("kpi", "=", "emails_sent"),
            ("date", ">=", goal.start_date), ("date", "<=", goal.end_date)])
        self.assertEqual(goal.current, sum(rows.mapped("value")))
        self.assertGreaterEqual(goal.current, 4)
        self.assertEqual(goal.crm_kpi, "emails_sent")
        self.assertEqual(goal.challenge_period, "quarterly")
        self.assertTrue(goal.crm_current)
        self.assertIn(goal, self.env["gamification.goal"].search([("crm_current", "=", True)]))

    def test_manager_sets_targets_of_his_people(self):
        challenge = self._challenge(self.users["pm"], [self.users["p"], self.users["sp"]])
        challenge.with_user(self.users["pm"]).action_start()
        goals = self.env["gamification.goal"].search([("challenge_id", "=", challenge.id)])
        self.assertEqual(goals.user_id, self.users["p"] | self.users["sp"])
        goals[:1].with_user(self.users["pm"]).target_goal = 20
        # the manager sees his people's goals
        self.assertEqual(self.env["gamification.goal"].with_user(self.users["pm"]).search(
            [("challenge_id", "=", challenge.id)]), goals)
        self.assertEqual(self.env["gamification.goal"].with_user(self.users["p"]).search(
            [("challenge_id", "=", challenge.id)]), goals.filtered(lambda g: g.user_id == self.users["p"]))

    def test_manager_refused_outside_department_or_hierarchy(self):
        with self.assertRaises(AccessError):
            self._challenge(self.users["pm"], [self.users["se"]])  # another department
        with self.assertRaises(AccessError):
            self._challenge(self.users["pm"], [self.users["spm"]])  # higher role
        with self.assertRaises(AccessError):
            self._challenge(self.users["stl"], [self.users["se"], self.users["sm"]])
        challenge = self._challenge(self.users["stl"], [self.users["se"]])
        with self.assertRaises(AccessError):
            challenge.with_user(self.users["stl"]).user_ids = [fields.Command.link(self.users["p"].id)]
        with self.assertRaises(AccessError):
            challenge.with_user(self.users["stl"]).user_domain = "[]"

    def test_users_cannot_set_targets(self):
        with self.assertRaises(AccessError):
            self._challenge(self.users["se"], [self.users["se2"]])
        challenge = self._challenge(self.env.user, [self.users["se"]])
        challenge.action_start()
        goal = self.env["gamification.goal"].search([("challenge_id", "=", challenge.id)])
        with self.assertRaises(AccessError):
            goal.with_user(self.users["se"]).target_goal = 1
        # but they see it
        self.assertEqual(self.env["gamification.goal"].with_user(self.users["se"]).search(
            [("challenge_id", "=", challenge.id)]), goal)
