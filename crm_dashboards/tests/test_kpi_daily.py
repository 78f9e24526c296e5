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
        with self.assertQueryCount(10):
            self.Kpi._refresh()

    def _rows(self):
        self.env.invalidate_all()
        return sorted(
            (r.date, r.user_id.id, r.event_id.id, r.team_id.id, r.kpi, r.value)
            for r in self.Kpi.sudo().search([])
        )

    def test_changes_that_change_no_figure_log_nothing(self):
        """Mail opens and clicks, edits of a lead's other fields: nothing to recompute."""
        self.Kpi._refresh(full=True)
        self.traces[:3].set_opened()
        self.traces[3].sudo().write({"state": "clicked", "click_datetime": self.traces[3].sent_datetime})
        self.leads["phone_a_team"].sudo().write({"description": "called back", "priority": "2"})
        self.responses[0].sudo().write({"email": "other@example.com"})
        self.assertEqual(self.Kpi._refresh(), 0)

    def test_moved_and_deleted_rows_leave_no_stale_group(self):
        """A trace moved to another user, a lead lost (no longer won), a deleted trace:
        the old and the new group are both recomputed, as a full rebuild would."""
        se2, se3 = self.users["se2"], self.users["se3"]
        self.Kpi._refresh(full=True)
        before_se2 = self.kpi_value(se2, "emails_sent", self.today)
        before_se3 = self.kpi_value(se3, "emails_sent", self.today)
        moved = self.traces.filtered(lambda t: t.user_id == se2 and t.sent_datetime.date() == self.today)[0]
        moved.sudo().write({"user_id": se3.id})
        self.traces.filtered(lambda t: t.user_id == self.users["p2"])[:1].sudo().unlink()
        lost = self.env["crm.stage"].search([("is_won", "=", False)], limit=1)
        self.leads["phone_a_team"].sudo().write({"stage_id": lost.id})
        self.assertGreater(self.Kpi._refresh(), 0)
        self.assertEqual(self.kpi_value(se2, "emails_sent", self.today), before_se2 - 1)
        self.assertEqual(self.kpi_value(se3, "emails_sent", self.today), before_se3 + 1)
        self.assertEqual(self.kpi_value(se2, "conversions"), 0)
        incremental = self._rows()
        self.Kpi._refresh(full=True)
        self.assertEqual(incremental, self._rows())

    def test_incremental_refresh_equals_full_rebuild(self):
        self.Kpi._refresh(full=True)
        Trace = self.env["crm.mail.trace"].sudo()
        outgoing = self.traces.filtered(lambda t: t.state == "outgoing")
        outgoing.write({"state": "sent", "sent_datetime": self.traces[0].sent_datetime})
        Trace.create({"lead_id": self.leads["own_se"].id, "event_id": self.product_a.id,
                      "user_id": self.users["se2"].id, "email": "n@example.com", "state": "sent",
                      "sent_datetime": self.traces[0].sent_datetime})
        self.responses[0].sudo().write({"state": "converted", "date_converted": self.responses[0].date})
        self.imported[:1].sudo().unlink()
        self.leads["own_se"].sudo().write({"source_id": self.env.ref("utm.utm_source_linkedin").id})
        self.assertGreater(self.Kpi._refresh(), 0)
        incremental = self._rows()
        self.Kpi._refresh(full=True)
        self.assertEqual(incremental, self._rows())
