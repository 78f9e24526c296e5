from odoo import fields
from odoo.tests import tagged

from odoo.addons.crm_event_products.tests.common import ConferenceCrmCase


@tagged("post_install", "-at_install")
class TestKpiCalls(ConferenceCrmCase):
    def test_calls_in_rollup(self):
        se2 = self.users["se2"]
        lead = self.leads["phone_a_team"]
        now = fields.Datetime.now()
        self.env["crm.call"].sudo().create([
            {"user_id": se2.id, "lead_id": lead.id, "direction": "out", "state": "answered",
             "ring_start": now, "talk_seconds": 90},
            {"user_id": se2.id, "lead_id": lead.id, "direction": "out", "state": "answered",
             "ring_start": now, "talk_seconds": 30},
            {"user_id": se2.id, "lead_id": lead.id, "direction": "in", "state": "missed", "ring_start": now},
            {"user_id": se2.id, "lead_id": lead.id, "direction": "out", "state": "ringing", "ring_start": now},
        ])
        Kpi = self.env["crm.kpi.daily"]
        Kpi._refresh(full=True)

        def value(kpi):
            rows = Kpi.sudo().search([("user_id", "=", se2.id), ("kpi", "=", kpi)])
            return sum(rows.mapped("value"))

        self.assertEqual(value("calls"), 3, "finished calls only")
        self.assertEqual(value("calls_answered"), 2)
        self.assertEqual(value("talk_minutes"), 2.0)
        self.assertGreaterEqual(value("leads_contacted_other"), 1)
        row = Kpi.sudo().search([("user_id", "=", se2.id), ("kpi", "=", "calls")], limit=1)
        self.assertEqual(row.team_id, self.team_a)
        # the team leader sees his team's calls, another team's leader does not
        self.assertTrue(Kpi.with_user(self.users["stl"]).search_count([("kpi", "=", "calls")]))
        self.assertFalse(Kpi.with_user(self.users["stl2"]).search_count([("kpi", "=", "calls")]))
