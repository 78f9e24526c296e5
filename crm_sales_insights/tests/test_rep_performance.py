from datetime import timedelta

from odoo.exceptions import AccessError
from odoo.tests import tagged

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
