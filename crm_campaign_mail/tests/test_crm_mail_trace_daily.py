import re
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from .smtp_common import SmtpCampaignMixin

# the figures of the old metric view: every trace aggregated on each query
RAW_QUERY = """
    SELECT t.campaign_id, COALESCE(t.event_id, 0), COALESCE(t.user_id, 0),
           (COALESCE(t.sent_datetime, t.create_date))::date, COUNT(*),
           COUNT(*) FILTER (WHERE t.state NOT IN ('outgoing', 'error')),
           COUNT(*) FILTER (WHERE t.state NOT IN ('outgoing', 'error', 'bounced')),
           COUNT(t.open_datetime), COUNT(t.click_datetime),
           COUNT(*) FILTER (WHERE t.state = 'bounced')
      FROM crm_mail_trace t
     WHERE t.campaign_id IS NOT NULL
  GROUP BY 1, 2, 3, 4
"""


@tagged("post_install", "-at_install")
class TestMailTraceDaily(SmtpCampaignMixin, TransactionCase):
    """The daily roll-up of the traces (crm.mail.trace.daily) behind the campaign
    metrics: exact right after any change, refreshed into the roll-up table."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_campaign_data()
        cls.Trace = cls.env["crm.mail.trace"]
        cls.Daily = cls.env["crm.mail.trace.daily"]
        cls.Metric = cls.env["crm.campaign.metric"]

    def _smtp_figures(self, groupby=()):
        groups = self.Metric.read_group(
            [("campaign_id", "=", self.campaign.id), ("source", "=", "smtp")],
            ["sent_count:sum", "delivered_count:sum", "opened_count:sum", "clicked_count:sum",
             "bounced_count:sum"], list(groupby), lazy=False)
        names = ("sent_count", "delivered_count", "opened_count", "clicked_count", "bounced_count")
        if not groupby:
            return tuple(groups[0][name] or 0 for name in names)
        return {group[groupby[0]]: tuple(group[name] for name in names) for group in groups}

    def _assert_rollup_matches_traces(self):
        self.env.flush_all()
        self.env.cr.execute(RAW_QUERY)
        raw = sorted(self.env.cr.fetchall())
        self.env.cr.execute(self.Daily._rows_query())
        rows = self.env.cr.fetchall()
        self.assertEqual(len({row[0] for row in rows}), len(rows), "one id per key")
        self.assertEqual(sorted(row[1:] for row in rows), raw)

    def _delta_count(self):
        self.env.flush_all()
        self.env.cr.execute("SELECT COUNT(*) FROM crm_mail_trace_daily_delta")
        return self.env.cr.fetchone()[0]

    def test_exact_after_each_change_and_refresh(self):
        self.Daily._refresh()
        self.assertEqual(self._delta_count(), 0)
        self.assertEqual(self._smtp_figures(), (0, 0, 0, 0, 0))
        traces = self.Trace.create([{
            "campaign_id": self.campaign.id, "lead_id": self.lead.id, "event_id": self.product.id,
            "user_id": self.rep.id, "email": f"p{index}@client.example",
        } for index in range(3)])
        self.assertEqual(self._smtp_figures(), (0, 0, 0, 0, 0))  # outgoing: not sent yet
        self.assertEqual(self._delta_count(), 1)  # one delta row for the 3 traces (one statement, one key)
        traces.set_sent()
        self.assertEqual(self._smtp_figures(), (3, 3, 0, 0, 0))
        traces[0].set_clicked()
        traces[1].set_bounced()
        self.assertEqual(self._smtp_figures(), (3, 2, 1, 1, 1))
        self._assert_rollup_matches_traces()
        # folded into the roll-up table: same figures, no delta left
        self.assertEqual(self.Daily._refresh(), 1)
        self.assertEqual(self._delta_count(), 0)
        self.assertEqual(self._smtp_figures(), (3, 2, 1, 1, 1))
        self.env.cr.execute(
            "SELECT SUM(sent_count) FROM crm_mail_trace_daily WHERE campaign_id = %s",
            [self.campaign.id])
        self.assertEqual(self.env.cr.fetchone()[0], 3)
        # a trace moving to another day leaves its old key and joins a new one
        yesterday = fields.Datetime.now() - timedelta(days=1)
        traces[2].write({"sent_datetime": yesterday})
        by_day = self._smtp_figures(["date:day"])
        self.assertEqual(len(by_day), 2)
        self.assertEqual(sorted(value[0] for value in by_day.values()), [1, 2])
        self._assert_rollup_matches_traces()
        self.Daily._refresh()
        self._assert_rollup_matches_traces()
        # deleted traces (and their emptied key) leave the roll-up
        traces[2].unlink()
        self.assertEqual(self._smtp_figures(), (2, 1, 1, 1, 1))
        self.Daily._refresh()
        self.assertEqual(len(self._smtp_figures(["date:day"])), 1)
        self.env.cr.execute("SELECT COUNT(*) FROM crm_mail_trace_daily WHERE campaign_id = %s",
                            [self.campaign.id])
        self.assertEqual(self.env.cr.fetchone()[0], 1, "the emptied key left the roll-up")
        self._assert_rollup_matches_traces()

    def test_sql_writes_are_tracked(self):
        """Triggers, not ORM overrides: SQL updates and cascades keep the figures exact."""
        trace = self.Trace.create({
            "campaign_id": self.campaign.id, "lead_id": self.lead.id, "event_id": self.product.id,
            "user_id": self.other_rep.id, "email": "sql@client.example", "state": "sent",
            "sent_datetime": fields.Datetime.now()})
        self.Daily._refresh()
        self.assertEqual(self._smtp_figures(), (1, 1, 0, 0, 0))
        self.env.cr.execute("UPDATE crm_mail_trace SET state = 'bounced' WHERE id = %s", [trace.id])
        self.assertEqual(self._smtp_figures(), (1, 0, 0, 0, 1))
        self.env.cr.execute("UPDATE crm_mail_trace SET user_id = NULL WHERE id = %s", [trace.id])
        self.env.invalidate_all()
        by_user = self._smtp_figures(["user_id"])
        self.assertEqual(list(by_user.values()), [(1, 0, 0, 0, 1)])
        self.assertEqual(list(by_user), [False])
        self._assert_rollup_matches_traces()

    def test_fill_rebuilds_from_traces(self):
        self.Trace.create({
            "campaign_id": self.campaign.id, "lead_id": self.lead.id, "user_id": self.rep.id,
            "email": "fill@client.example", "state": "opened",
            "sent_datetime": fields.Datetime.now(), "open_datetime": fields.Datetime.now()})
        self.env.flush_all()
        self.Daily._fill()
        self.assertEqual(self._delta_count(), 0)
        self.assertEqual(self._smtp_figures(), (1, 1, 1, 0, 0))
        self._assert_rollup_matches_traces()

    def test_metric_view_never_reads_the_traces(self):
        """At 10M traces the metric must read the roll-up, not aggregate the traces
        (1.2-1.8 s per grouping at 2M traces before), nor scan every lead for 'won'."""
        self.env.cr.execute("SELECT pg_get_viewdef('crm_campaign_metric'::regclass)")
        definition = self.env.cr.fetchone()[0]
        self.assertFalse(re.search(r"\bcrm_mail_trace\b", definition), "no scan of the traces")
        self.assertIn("crm_mail_trace_daily_delta", definition)
        self.env.cr.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s",
                            ["crm_lead_campaign_metric_won_index"])
        self.assertIn("INCLUDE", self.env.cr.fetchone()[0])
