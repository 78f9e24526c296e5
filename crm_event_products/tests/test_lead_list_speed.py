from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged

from .common import ALL_ROLES, ConferenceCrmCase

# the lead list's columns (crm.crm_case_tree_view_leads and this suite's additions), as the web
# client asks for them: many2one with their display name
LIST_SPEC = {
    name: {"fields": {"display_name": {}}} if many2one else {}
    for name, many2one in (
        ("company_id", True), ("user_company_ids", False), ("date_deadline", False), ("create_date", False),
        ("name", False), ("event_id", True), ("department_id", True), ("contact_first_name", False),
        ("contact_last_name", False), ("function", False), ("is_speaker", False), ("contact_name", False),
        ("partner_name", False), ("email_from", False), ("phone", False), ("city", False), ("state_id", True),
        ("country_id", True), ("partner_id", True), ("user_id", True), ("team_id", True), ("active", False),
        ("campaign_id", True), ("referred", False), ("medium_id", True), ("source_id", True),
        ("probability", False), ("message_needaction", False), ("priority", False),
    )
}
LIST_SPEC["tag_ids"] = {"fields": {"display_name": {}, "color": {}}}
# the pipeline kanban's column aggregates
KANBAN_AGGREGATES = ["probability:avg", "recurring_revenue_monthly:sum", "color:sum", "expected_revenue:sum"]
AGGREGATES = ["__count", "probability:avg", "expected_revenue:sum", "recurring_revenue_monthly:sum"]


@tagged("post_install", "-at_install", "crm_visibility")
class TestLeadListSpeed(ConferenceCrmCase):
    """Counts and kanban columns come from the lead roll-up: same figures as the leads, as
    every role, whatever is written; the first list page and the kanban keep their query count."""

    def _assert_rollup_matches(self, domain=(), roles=ALL_ROLES):
        domain = list(domain)
        for role in roles:
            with self.subTest(role=role, domain=domain):
                Lead = self.env["crm.lead"].with_user(self.users[role])
                Slow = Lead.with_context(crm_lead_rollup=False)
                self.assertEqual(Lead.search_count(domain), Slow.search_count(domain))
                self.assertEqual(Lead.search_count(domain), len(Slow.search(domain)))
                self.assertEqual(Lead.search_count(domain, limit=3), Slow.search_count(domain, limit=3))
                for order in (None, "stage_id", "event_id asc"):
                    for groupby in (["stage_id"], ["event_id"], ["department_id"], []):
                        if order and order.split()[0] not in groupby:
                            continue
                        fast = Lead._read_group(domain, groupby, AGGREGATES, order=order)
                        slow = Slow._read_group(domain, groupby, AGGREGATES, order=order)
                        self.assertEqual(len(fast), len(slow))
                        for fast_row, slow_row in zip(fast, slow, strict=True):
                            self.assertEqual(fast_row[: len(groupby) + 1], slow_row[: len(groupby) + 1])
                            for fast_value, slow_value in zip(fast_row, slow_row, strict=True):
                                if isinstance(slow_value, float):
                                    self.assertAlmostEqual(fast_value, slow_value, places=6)
                self.assertEqual(
                    self._rounded(Lead.read_group(domain, KANBAN_AGGREGATES, ["stage_id"])),
                    self._rounded(Slow.read_group(domain, KANBAN_AGGREGATES, ["stage_id"])),
                )

    @staticmethod
    def _rounded(groups):
        """Sums of floats added in another order may differ in their last bits."""
        return [{key: round(value, 6) if isinstance(value, float) else value for key, value in group.items()}
                for group in groups]

    def test_rollup_matches_leads_for_every_role(self):
        self._assert_rollup_matches()
        self._assert_rollup_matches([("is_speaker", "=", True)])
        self._assert_rollup_matches([("stage_id", "!=", False), ("type", "=", "lead")], roles=["p", "stl", "hm"])

    def test_rollup_follows_writes(self):
        """Create, stage and owner changes, speaker sharing, archive, unlink, assignment changes."""
        stages = self.env["crm.stage"].search([], limit=2)
        new = self.env["crm.lead"].create(
            [self._lead_vals(f"extra_{i}", "phone_sales", self.product_a, "se", self.team_a, probability=30)
             for i in range(3)]
        )
        new[0].write({"stage_id": stages[-1].id, "expected_revenue": 1000})
        new[1].write({"user_id": self.users["sse"].id, "probability": 55})
        self.leads["speaker_locked"].write({"speaker_unlocked": True})
        self.leads["own_p"].action_archive()
        new[2].unlink()
        self.env["crm.product.assignment"].search([("user_id", "=", self.users["stl"].id)]).unlink()
        self.users["asm"].write({"groups_id": [Command.link(self.env.ref("crm_event_products.group_phone_sm").id)]})
        self._assert_rollup_matches()
        # the cron folds the deltas: same figures, fewer rows
        self.env.cr.execute("SELECT count(*) FROM crm_lead_rollup")
        before = self.env.cr.fetchone()[0]
        self.env["crm.lead"]._rollup_compact()
        self.env.cr.execute("SELECT count(*) FROM crm_lead_rollup")
        self.assertLess(self.env.cr.fetchone()[0], before)
        self._assert_rollup_matches()
        self.env["crm.lead"]._rollup_rebuild()
        self._assert_rollup_matches(roles=["p", "stl", "hm"])

    def test_domains_on_other_columns_count_the_leads(self):
        Lead = self.env["crm.lead"].with_user(self.users["pm"])
        self.assertIsNone(Lead._rollup_where([("name", "ilike", "Lead own")]))
        self.assertIsNotNone(Lead._rollup_where([]))
        self.assertEqual(
            Lead.search_count([("name", "ilike", "Lead own")]), len(Lead.search([("name", "ilike", "Lead own")]))
        )

    def test_progress_bar_counts_leads_with_activities(self):
        today = fields.Date.today()
        for key, days in (("own_stl", 3), ("own_se", 0), ("phone_a_team", -2), ("own_p", 1)):
            self.leads[key].activity_schedule(
                "mail.mail_activity_data_todo", date_deadline=today + timedelta(days=days),
                user_id=self.users["stl"].id,
            )
        bar = {"field": "activity_state", "colors": {"planned": "success", "today": "warning", "overdue": "danger"}}
        for role in ("stl", "p", "hm"):
            with self.subTest(role=role):
                Lead = self.env["crm.lead"].with_user(self.users[role])
                expected = {}
                for group in Lead.read_group([], ["__count"], ["stage_id", "activity_state"], lazy=False):
                    counts = expected.setdefault(str(group["stage_id"] and group["stage_id"][0]), dict.fromkeys(
                        bar["colors"], 0))
                    if group["activity_state"] in counts:
                        counts[group["activity_state"]] += group["__count"]
                found = Lead.read_progress_bar([], "stage_id", bar)
                self.assertEqual(
                    {stage: counts for stage, counts in found.items() if any(counts.values())},
                    {stage: counts for stage, counts in expected.items() if any(counts.values())},
                )
                self.assertTrue(any(any(counts.values()) for counts in found.values()))

    def _first_page(self, Lead):
        return Lead.web_search_read([], LIST_SPEC, limit=80, count_limit=10001)

    def _kanban(self, Lead):
        result = Lead.web_read_group([], KANBAN_AGGREGATES, ["stage_id"], lazy=True)
        Lead.read_progress_bar(
            [], "stage_id", {"field": "activity_state", "colors": {"planned": "success", "today": "warning",
                                                                    "overdue": "danger"}}
        )
        return result

    def test_query_counts_list_and_kanban(self):
        """Pinned: a role's first list page (web_search_read with the list's columns, count
        bounded) and the kanban's grouping (web_read_group by stage and progress bar)."""
        for role, list_queries, kanban_queries in (("stl", 12, 5), ("p", 10, 6), ("hm", 13, 6)):
            with self.subTest(role=role):
                Lead = self.env["crm.lead"].with_user(self.users[role])
                self._first_page(Lead)
                self._kanban(Lead)  # warm the rules' and the views' caches
                self.env.invalidate_all()
                with self.assertQueryCount(list_queries):
                    page = self._first_page(Lead)
                self.assertEqual(page["length"], len(Lead.search([])))
                self.env.invalidate_all()
                with self.assertQueryCount(kanban_queries):
                    groups = self._kanban(Lead)
                self.assertEqual(
                    sum(group["stage_id_count"] for group in groups["groups"]), len(Lead.search([]))
                )
