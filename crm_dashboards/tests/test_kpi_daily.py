from odoo.tests import tagged

from .common import DashboardCase


@tagged("post_install", "-at_install")
class TestKpiDaily(DashboardCase):
    def test_figures_equal_direct_counts(self):
        Trace = self.env["crm.mail.trace"].sudo()
        for role in ("p2", "jre2", "se2", "se3"):
            user = self.users[role]
            sent = Trace.search_count([("user_id", "=", user.id), ("state", "not in", ("outgoing", "error"))])
            self.assertEqual(self.kpi_value(user, "emails_sent"), sent, role)
            leads = len(Trace.search([("user_id", "=", user.id), ("state", "=", "sent"),
                                      ("sent_datetime", ">=", self.today)]).lead_id)
            self.assertEqual(self.kpi_value(user, "leads_contacted_email", self.today), leads, role)
        se2 = self.users["se2"]
        self.assertEqual(self.kpi_value(se2, "emails_sent", self.today), 4)
        self.assertEqual(self.kpi_value(se2, "emails_sent", self.yesterday), 2)
        self.assertEqual(self.kpi_value(se2, "responses"), 2)
        self.assertEqual(self.kpi_value(se2, "leads_generated"), 1)
        self.assertEqual(self.kpi_value(se2, "conversions"), 1)
        self.assertEqual(self.kpi_value(self.users["jre2"], "leads_imported"), 3)
        # rows carry the lead's team and product, and the user's department
        row = self.Kpi.sudo().search([("user_id", "=", se2.id), ("kpi", "=", "emails_sent")], limit=1)
        self.assertEqual(row.team_id, self.team_a)
        self.assertEqual(row.event_id, self.product_a)
        self.assertEqual(row.department_id, self.departments["phone_sales"])

    def test_incremental_refresh_recomputes_touched_group_only(self):
        Kpi = self.Kpi.sudo()
        # everything so far was written long ago
        for table in self.Kpi._kpi_touched_tables():
            self.env.cr.execute(f"UPDATE {table} SET write_date = now() - interval '3 hours'")  # noqa: S608
        self.env.invalidate_all()
        self.Kpi._refresh(full=True)
        before = {(r.date, r.user_id.id, r.kpi, r.event_id.id): (r.id, r.value) for r in Kpi.search([])}
        self.assertEqual(self.Kpi._refresh(), 0, "nothing touched since the last refresh")
        self.assertEqual(
            {(r.date, r.user_id.id, r.kpi, r.event_id.id): (r.id, r.value) for r in Kpi.search([])}, before)

        se3 = self.users["se3"]
        self.env["crm.mail.trace"].sudo().create({
            "lead_id": self.leads["phone_b_team"].id, "event_id": self.product_b.id, "user_id": se3.id,
            "email": "new@example.com", "state": "sent", "sent_datetime": self.traces[0].sent_datetime,
        })
        self.assertEqual(self.Kpi._refresh(), 1, "one (date, user) group touched")
        after = {(r.date, r.user_id.id, r.kpi, r.event_id.id): (r.id, r.value) for r in Kpi.search([])}
        changed = {key for key in after if after[key] != before.get(key)}
        self.assertTrue(changed)
        self.assertEqual({(key[0], key[1]) for key in changed}, {(self.today, se3.id)})
        self.assertEqual(after[(self.today, se3.id, "emails_sent", self.product_b.id)][1], 2)
        # the other rows were left as they were (same ids)
        for key, value in before.items():
            if key[:2] != (self.today, se3.id):
                self.assertEqual(after[key], value)

    def test_refresh_query_count(self):
        """The refresh does a fixed number of queries whatever the number of rows."""
        self.Kpi._refresh()
        self.env["crm.mail.trace"].sudo().create({
            "lead_id": self.leads["prod_a"].id, "event_id": self.product_a.id, "user_id": self.users["p2"].id,
            "email": "q@example.com", "state": "sent", "sent_datetime": self.traces[0].sent_datetime,
        })
        self.env.flush_all()
        with self.assertQueryCount(12):
            self.Kpi._refresh()
