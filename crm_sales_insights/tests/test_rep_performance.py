from datetime import timedelta

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import SQL

from .common import InsightsCase


@tagged("post_install", "-at_install")
class TestRepPerformance(InsightsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        campaign = cls.env["utm.campaign"].create({"title": "Performance campaign"})
        now = cls.now.replace(microsecond=0)
        cls.day = (now - timedelta(hours=10)).date()
        se, se3 = cls.users["se"], cls.users["se3"]
        second = cls.leads["phone_a_team"]
        cls.env["crm.lead.assignment"].create([
            {"lead_id": cls.opportunity.id, "user_id": se.id, "campaign_id": campaign.id,
             "state": "accepted", "date_assigned": now - timedelta(hours=10),
             "date_accepted": now - timedelta(hours=8)},
            {"lead_id": second.id, "user_id": se.id, "campaign_id": campaign.id,
             "date_assigned": now - timedelta(hours=10)},
            {"lead_id": cls.leads["phone_b_team"].id, "user_id": se3.id, "campaign_id": campaign.id,
             "date_assigned": now - timedelta(hours=10)},
        ])
        Message = cls.env["mail.message"]
        comment = cls.env.ref("mail.mt_comment")
        note = cls.env.ref("mail.mt_note")
        Message.create([
            # an internal note first: not a contact with the customer
            {"model": "crm.lead", "res_id": cls.opportunity.id, "author_id": se.partner_id.id,
             "message_type": "comment", "subtype_id": note.id, "body": "note",
             "date": now - timedelta(hours=9)},
            # the first email: 5 hours after the assignment
            {"model": "crm.lead", "res_id": cls.opportunity.id, "author_id": se.partner_id.id,
             "message_type": "comment", "subtype_id": comment.id, "body": "hello",
             "date": now - timedelta(hours=5)},
            {"model": "crm.lead", "res_id": second.id, "author_id": se.partner_id.id,
             "message_type": "comment", "subtype_id": note.id, "body": "note",
             "date": now - timedelta(hours=5)},
            {"model": "crm.lead", "res_id": cls.leads["own_p"].id, "author_id": cls.users["p"].partner_id.id,
             "message_type": "comment", "subtype_id": note.id, "body": "note",
             "date": now - timedelta(hours=5)},
        ])
        cls.opportunity.write({"stage_id": cls.won_stage.id, "probability": 100})
        cls.opportunity.write({"date_closed": now - timedelta(hours=4)})
        cls.env.flush_all()
        cls.Report = cls.env["crm.rep.performance.report"]
        cls.Report._refresh(full=True)

    def _figures(self, user, domain):
        return self.env["crm.rep.performance.report"].with_user(user).read_group(
            domain, ["leads_worked", "worked_days", "assigned_count", "accepted_count", "contacted_count",
                     "won_count", "productivity", "conversion_rate", "avg_hours_to_accept",
                     "avg_hours_to_contact"], [], lazy=False)[0]

    def test_figures_equal_direct_counts(self):
        se = self.users["se"]
        figures = self._figures(self.admin, [("user_id", "=", se.id)])
        self.assertEqual(figures["assigned_count"],
                         len(self.env["crm.lead.assignment"].search([("user_id", "=", se.id)])))
        self.assertEqual(figures["accepted_count"], len(self.env["crm.lead.assignment"].search(
            [("user_id", "=", se.id), ("date_accepted", "!=", False)])))
        self.assertEqual(figures["won_count"], len(self.env["crm.lead"].search(
            [("user_id", "=", se.id), ("stage_id.is_won", "=", True)])))
        worked = self.env["mail.message"].search([("model", "=", "crm.lead"), ("author_id", "=", se.partner_id.id)])
        # leads worked: distinct leads per day
        self.assertEqual(figures["leads_worked"], len({(m.res_id, m.date.date()) for m in worked}))
        self.assertEqual(len(set(worked.mapped("res_id"))), 2)
        self.assertEqual((figures["assigned_count"], figures["accepted_count"], figures["won_count"]), (2, 1, 1))
        self.assertEqual(figures["contacted_count"], 1)
        self.assertAlmostEqual(figures["avg_hours_to_accept"], 2.0, places=3)
        self.assertAlmostEqual(figures["avg_hours_to_contact"], 5.0, places=3)
        self.assertAlmostEqual(figures["conversion_rate"], 50.0)
        self.assertAlmostEqual(figures["productivity"], figures["leads_worked"] / figures["worked_days"])

    def test_managers_see_their_people_only(self):
        se, se3, p = self.users["se"], self.users["se3"], self.users["p"]
        ours = [("user_id", "in", (se | se3 | p).ids)]
        for role, expected in (("stl", {se}), ("stl2", {se3}), ("sm", {se}), ("pm", {p}),
                               ("hm", set())):
            with self.subTest(role=role):
                rows = self.env["crm.rep.performance.report"].with_user(self.users[role]).search(ours)
                self.assertEqual(set(rows.user_id), expected)
        admin_rows = self.env["crm.rep.performance.report"].with_user(self.admin).search(ours)
        self.assertEqual(set(admin_rows.user_id), {se, se3, p})
        for role in ("se", "sse", "p", "jre"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                self.env["crm.rep.performance.report"].with_user(self.users[role]).search(ours)

    def _rollup(self):
        self.env.cr.execute(SQL(
            "SELECT date, user_id, team_id, leads_worked, worked_days, assigned_count, accepted_count,"
            " accept_hours, contacted_count, contact_hours, won_count, won_revenue"
            " FROM crm_rep_performance_daily ORDER BY date, user_id, team_id"))
        return self.env.cr.fetchall()

    def _live(self):
        """The figures computed from the sources at this moment (what the former view showed)."""
        self.env.flush_all()
        self.env.cr.execute(SQL("SELECT * FROM (%s) q ORDER BY 1, 2, 3", self.Report._figures_query(scoped=False)))
        return self.env.cr.fetchall()

    def test_rollup_equals_sources(self):
        self.assertTrue(self._rollup())
        self.assertEqual(self._rollup(), self._live())

    def test_incremental_refresh_follows_new_activity(self):
        """A new assignment, a first contact and a win reach the report at the next refresh,
        which recomputes only the touched (day, rep) groups."""
        se3 = self.users["se3"]
        lead = self.leads["phone_b_team"]
        before = self._figures(self.admin, [("user_id", "=", se3.id)])
        self.assertEqual((before["contacted_count"], before["won_count"]), (0, 0))
        self.env["mail.message"].create({
            "model": "crm.lead", "res_id": lead.id, "author_id": se3.partner_id.id, "message_type": "comment",
            "subtype_id": self.env.ref("mail.mt_comment").id, "body": "hello", "date": self.now})
        lead.write({"type": "opportunity", "expected_revenue": 700.0})
        lead.write({"stage_id": self.won_stage.id, "probability": 100})
        self.assertEqual(self._figures(self.admin, [("user_id", "=", se3.id)])["won_count"], 0)  # not yet
        groups = self.Report._refresh()
        self.assertGreater(groups, 0)
        after = self._figures(self.admin, [("user_id", "=", se3.id)])
        self.assertEqual((after["contacted_count"], after["won_count"]), (1, 1))
        self.assertEqual(after["assigned_count"], before["assigned_count"])
        self.assertEqual(self._rollup(), self._live())
        # nothing written since: nothing outside the overlap window is recomputed, figures unchanged
        self.Report._refresh()
        self.assertEqual(self._rollup(), self._live())

    def test_report_reads_the_rollup_only(self):
        """Opening the pivot is one query on the roll-up (plus the JIT switch), whatever the
        volume of messages and leads."""
        stl = self.users["stl"]
        report = self.Report.with_user(stl)
        report.read_group([], ["won_count", "productivity"], ["user_id"], lazy=False)  # warm the caches
        with self.assertQueryCount(2):
            report.read_group([], ["won_count", "productivity"], ["user_id"], lazy=False)
