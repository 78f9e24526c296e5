import base64
import json
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.crm_dashboards_editions.models.crm_kpi_daily import KIND_KPIS
from odoo.addons.crm_event_products.tests.common import ConferenceCrmCase


@tagged("post_install", "-at_install")
class TestKpiKinds(ConferenceCrmCase):
    """Speakers, delegates and sponsors in the KPI roll-up, its goals and its dashboard."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Kpi = cls.env["crm.kpi.daily"]
        leads = cls.leads
        # speaker_unlocked and speaker_locked (p2, product A) are speakers already
        for key, kind in (
            ("own_p", "speaker"),
            ("prod_b", "speaker"),
            ("prod_a", "prospect_speaker"),  # a prospect: not counted
            ("phone_a_team", "delegate"),
            ("phone_b_team", "delegate"),
            ("own_se", "delegate"),
            ("own_sse", "sponsor"),
            ("email_a_research", "sponsor"),
        ):
            leads[key].sudo().crm_contact_kind = kind
        cls.Kpi._refresh(full=True)

    def kpi_value(self, user, kpi):
        rows = self.Kpi.sudo().search([("user_id", "=", user.id), ("kpi", "=", kpi)])
        return sum(rows.mapped("value"))

    def _direct_counts(self, kind):
        groups = (
            self.env["crm.lead"]
            .sudo()
            ._read_group(
                [("crm_contact_kind", "=", kind), ("user_id", "!=", False)],
                ["user_id", "event_id", "team_id"],
                ["__count"],
            )
        )
        return {(user.id, event.id, team.id): count for user, event, team, count in groups}

    def _kpi_counts(self, kpi):
        groups = self.Kpi.sudo()._read_group([("kpi", "=", kpi)], ["user_id", "event_id", "team_id"], ["value:sum"])
        return {(user.id, event.id, team.id): value for user, event, team, value in groups if value}

    def test_figures_equal_direct_counts(self):
        for kpi, kind in KIND_KPIS.items():
            self.assertEqual(self._kpi_counts(kpi), self._direct_counts(kind), kpi)
        self.assertEqual(self.kpi_value(self.users["p2"], "speakers"), 3)
        self.assertEqual(self.kpi_value(self.users["se2"], "delegates"), 1)
        self.assertEqual(self.kpi_value(self.users["jre2"], "sponsors"), 1)
        self.assertFalse(self.kpi_value(self.users["p2"], "delegates"))
        # counted on the lead's creation day, for its conference and team
        row = self.Kpi.sudo().search([("user_id", "=", self.users["se3"].id), ("kpi", "=", "delegates")])
        self.assertEqual(len(row), 1)
        self.assertEqual(row.date, self.leads["phone_b_team"].create_date.date())
        self.assertEqual((row.event_id, row.team_id), (self.product_b, self.team_b))

    def test_change_of_kind_moves_figure(self):
        se2, jre2 = self.users["se2"], self.users["jre2"]
        self.leads["phone_a_team"].sudo().crm_contact_kind = "sponsor"
        self.leads["email_a_research"].sudo().crm_contact_kind = "prospect_sponsor"
        self.assertTrue(self.Kpi._refresh(), "incremental refresh of the groups changed")
        self.assertEqual(self.kpi_value(se2, "delegates"), 0)
        self.assertEqual(self.kpi_value(se2, "sponsors"), 1)
        self.assertEqual(self.kpi_value(jre2, "sponsors"), 0)
        # a lead archived (lost) leaves the figures; a new lead of a kind enters them
        self.leads["own_se"].sudo().action_archive()
        self.env["crm.lead"].sudo().create(
            self._lead_vals(
                "new_delegate", "phone_sales", self.product_a, "se2", self.team_a, crm_contact_kind="delegate"
            )
        )
        self.Kpi._refresh()
        self.assertEqual(self.kpi_value(self.users["se"], "delegates"), 0)
        self.assertEqual(self.kpi_value(se2, "delegates"), 1)
        for kpi, kind in KIND_KPIS.items():
            self.assertEqual(self._kpi_counts(kpi), self._direct_counts(kind), kpi)

    def assertRowsOfVisibleLeads(self, role):
        """Every kind row the role sees counts exactly the leads of that group it may see."""
        user = self.users[role]
        rows = self.Kpi.with_user(user).search([("kpi", "in", list(KIND_KPIS))])
        Lead = self.env["crm.lead"].with_user(user)
        for row in rows:
            start = fields.Datetime.to_datetime(row.date)
            visible = Lead.search_count(
                [
                    ("crm_contact_kind", "=", KIND_KPIS[row.kpi]),
                    ("user_id", "=", row.user_id.id),
                    ("event_id", "=", row.event_id.id),
                    ("team_id", "=", row.team_id.id),
                    ("create_date", ">=", start),
                    ("create_date", "<", start + timedelta(days=1)),
                ]
            )
            self.assertEqual(visible, row.value, f"{role}: {row.kpi} of {row.user_id.login}")
        # (a source's row holds every KPI of the source: zero for the other kinds)
        return rows.filtered("value")

    def test_role_sees_rows_of_its_leads(self):
        rows = self.assertRowsOfVisibleLeads("p")
        self.assertEqual(set(rows.mapped("kpi")), {"speakers"})
        self.assertEqual(rows.user_id, self.users["p"], "a producer sees his own figures only")
        rows = self.assertRowsOfVisibleLeads("se")
        self.assertEqual(set(rows.mapped("kpi")), {"delegates"})
        self.assertEqual(rows.user_id, self.users["se"], "a sales executive sees his own figures only")
        # a team leader: his team's figures on his products (not team B's, product B)
        rows = self.assertRowsOfVisibleLeads("stl")
        self.assertIn(self.users["se2"], rows.user_id)
        self.assertNotIn(self.users["se3"], rows.user_id)
        # a production manager: his department's people on his products (not product B)
        rows = self.assertRowsOfVisibleLeads("pm")
        self.assertEqual(rows.event_id, self.product_a)
        self.assertNotIn(self.users["se2"], rows.user_id)

    def test_goal_definitions_compute(self):
        definitions = {kpi: self.env.ref(f"crm_dashboards_editions.definition_{kpi}") for kpi in KIND_KPIS}
        users = self.users["p2"] | self.users["se2"] | self.users["jre2"]
        challenge = self.env["gamification.challenge"].create(
            {
                "name": "Kinds targets",
                "period": "quarterly",
                "visibility_mode": "personal",
                "user_domain": False,
                "report_message_frequency": "never",
                "user_ids": [fields.Command.set(users.ids)],
                "line_ids": [
                    fields.Command.create({"definition_id": definition.id, "target_goal": 5})
                    for definition in definitions.values()
                ],
            }
        )
        challenge.action_start()
        goals = self.env["gamification.goal"].search([("challenge_id", "=", challenge.id)])
        self.assertEqual(len(goals), 9)
        goals.update_goal()
        for goal in goals:
            rows = self.Kpi.sudo().search(
                [
                    ("user_id", "=", goal.user_id.id),
                    ("kpi", "=", goal.crm_kpi),
                    ("date", ">=", goal.start_date),
                    ("date", "<=", goal.end_date),
                ]
            )
            self.assertEqual(goal.current, sum(rows.mapped("value")), goal.crm_kpi)
        current = {(goal.user_id, goal.crm_kpi): goal.current for goal in goals}
        self.assertEqual(current[self.users["p2"], "speakers"], 3)
        self.assertEqual(current[self.users["se2"], "delegates"], 1)
        self.assertEqual(current[self.users["jre2"], "sponsors"], 1)

    def test_dashboard(self):
        dashboard = self.env.ref("crm_dashboards_editions.dashboard_kinds")
        self.assertEqual(
            dashboard.dashboard_group_id, self.env.ref("crm_dashboards.spreadsheet_dashboard_group_conference_crm")
        )
        data = json.loads(base64.b64decode(dashboard.spreadsheet_binary_data))
        domains = [pivot["domain"] for pivot in data["pivots"].values()]
        self.assertEqual(domains, [[["kpi", "in", [kpi]]] for kpi in KIND_KPIS])
        Dashboard = self.env["spreadsheet.dashboard"]
        for role in ("p", "pm", "mm", "hm", "stl", "sm"):
            self.assertIn(dashboard, Dashboard.with_user(self.users[role]).search([]), role)
        for role in ("se", "sse", "jre", "jme"):
            self.assertNotIn(dashboard, Dashboard.with_user(self.users[role]).search([]), role)
