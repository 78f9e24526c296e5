from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import MailwizzCommon


@tagged("post_install", "-at_install")
class TestMailwizzCampaign(MailwizzCommon):
    def _server_campaign(self, campaign=None):
        return self.server.campaigns[(campaign or self.campaign).mailwizz_campaign_uid]

    def test_create_list_from_campaign(self):
        campaign = self.campaign.copy({"title": "New list campaign"})
        self.assertFalse(campaign.mailwizz_list_id)
        campaign.mailwizz_backend_id = self.backend
        campaign.action_mailwizz_create_list()
        mw_list = campaign.mailwizz_list_id
        self.assertTrue(mw_list)
        self.assertIn(mw_list.list_uid, self.server.lists)
        remote = self.server.lists[mw_list.list_uid]
        self.assertEqual(remote["general"]["name"], campaign.display_name)
        self.assertEqual(remote["defaults"]["from_email"], "team@summit.example.com")
        self.assertEqual(mw_list.field_ids.mapped("tag"), ["EMAIL", "FNAME", "LNAME"])
        self.assertEqual(self._last_log("create_list").state, "success")

    def test_send_now_pause_unpause_and_status_mirror(self):
        self._targets(3)
        self.campaign.action_mailwizz_push_audience()
        self.campaign.action_mailwizz_send_now()
        uid = self.campaign.mailwizz_campaign_uid
        self.assertTrue(uid)
        remote = self._server_campaign()
        self.assertEqual(remote["subject"], "Join the summit")
        self.assertEqual(remote["from_name"], "Summit team")
        self.assertEqual(remote["from_email"], "team@summit.example.com")
        self.assertEqual(remote["reply_to"], "team@summit.example.com")
        self.assertEqual(remote["list_uid"], self.list_uid)
        self.assertIn("Hello [FNAME]", remote["content"])
        self.assertIn("[UNSUBSCRIBE_URL]", remote["content"])
        self.assertEqual(self.campaign.mailwizz_status, "pending-sending")
        self.assertEqual(self.campaign.state, "running")
        self.assertTrue(self.campaign.date_sent)

        self.campaign.action_mailwizz_pause()
        self.assertEqual(remote["status"], "paused")
        self.assertEqual((self.campaign.mailwizz_status, self.campaign.state), ("paused", "paused"))

        self.campaign.action_mailwizz_unpause()
        self.assertEqual(remote["status"], "sending")
        self.assertEqual((self.campaign.mailwizz_status, self.campaign.state), ("sending", "running"))

        # the campaign's own Pause/Resume buttons drive MailWizz too
        self.campaign.action_pause()
        self.assertEqual(remote["status"], "paused")
        self.campaign.action_resume()
        self.assertEqual(remote["status"], "sending")
        self.assertEqual(self.campaign.state, "running")

        # sending again is refused, not duplicated
        with self.assertRaises(UserError):
            self.campaign.action_mailwizz_send_now()
        self.assertEqual(len(self.server.campaigns), 1)

        # MailWizz finished: the stats pull mirrors "sent" as done
        remote["status"] = "sent"
        self.campaign._mailwizz_pull_stats()
        self.assertEqual((self.campaign.mailwizz_status, self.campaign.state), ("sent", "done"))
        logs = self.env["mailwizz.sync.log"].search([("campaign_id", "=", self.campaign.id)])
        self.assertIn("campaign", logs.mapped("operation"))

    def test_schedule_with_segment(self):
        segment = self.mw_list.segment_ids.filtered(lambda s: s.name == "EU")
        when = fields.Datetime.now().replace(microsecond=0) + timedelta(days=3)
        self.backend.timezone = "Europe/Bucharest"
        self.campaign.write({"mailwizz_segment_id": segment.id, "date_start": when})
        self.campaign.action_mailwizz_schedule()
        remote = self._server_campaign()
        self.assertEqual(remote["segment_uid"], segment.segment_uid)
        self.assertEqual(remote["send_at"], self.backend._to_mailwizz_datetime(when))
        self.assertNotEqual(remote["send_at"], fields.Datetime.to_string(when))  # customer timezone
        self.assertEqual(self.campaign.state, "scheduled")
        self.assertEqual(self.campaign.mailwizz_send_at, when)
        # send it now instead: the existing MailWizz campaign is rescheduled, not re-created
        self.campaign.action_mailwizz_send_now()
        self.assertEqual(len(self.server.campaigns), 1)
        self.assertEqual(self.campaign.state, "running")

    def test_schedule_needs_future_time(self):
        self.campaign.date_start = fields.Datetime.now() - timedelta(hours=1)
        with self.assertRaisesRegex(UserError, "in the future"):
            self.campaign.action_mailwizz_schedule()
        self.assertFalse(self.server.campaigns)

    def test_send_with_mailwizz_template(self):
        template_uid = self.server.add_template("Summit", "<html><body>Template [UNSUBSCRIBE_URL]</body></html>")
        self.campaign.write({"mailwizz_template_uid": template_uid, "message_body": False})
        self.campaign.action_mailwizz_send_now()
        self.assertIn("Template", self._server_campaign()["content"])

    def test_missing_content_is_user_error(self):
        self.campaign.message_body = False
        with self.assertRaisesRegex(UserError, "no message content"):
            self.campaign.action_mailwizz_send_now()
        self.assertFalse(self.server.campaigns)

    def test_stats_cron_snapshots_and_latest_counters(self):
        self.campaign.action_mailwizz_send_now()
        uid = self.campaign.mailwizz_campaign_uid
        self.server.set_campaign_stats(
            uid, processed_count=100, delivery_success_count=95, delivery_error_count=5,
            opens_count=60, unique_opens_count=45, clicks_count=20, unique_clicks_count=12,
            bounces_count=5, hard_bounces_count=3, soft_bounces_count=2, unsubscribes_count=2,
            complaints_count=1,
        )
        self.server.campaigns[uid]["status"] = "sending"
        # an old campaign (sent 40 days ago) is not pulled any more
        old = self.campaign.copy({"title": "Old campaign"})
        old.write({"mailwizz_campaign_uid": "oldcampaign01", "mailwizz_status": "sent",
                   "mailwizz_date_created": fields.Datetime.now() - timedelta(days=40)})
        self.env["utm.campaign"]._cron_mailwizz_stats()
        stats = self.campaign.mailwizz_stat_ids
        self.assertEqual(len(stats), 1)
        self.assertFalse(old.mailwizz_stat_ids)
        self.assertEqual(
            (stats.processed, stats.sent, stats.delivered, stats.opens, stats.unique_opens, stats.clicks,
             stats.unique_clicks, stats.bounces, stats.hard_bounces, stats.soft_bounces, stats.unsubscribes,
             stats.complaints),
            (100, 95, 90, 60, 45, 20, 12, 5, 3, 2, 2, 1),
        )
        self.assertAlmostEqual(stats.open_rate, 50.0)
        self.assertEqual(self.campaign.mailwizz_sent, 95)
        self.assertEqual(self.campaign.mailwizz_delivered, 90)
        self.assertEqual(self.campaign.mailwizz_unique_opens, 45)
        self.assertEqual(self.campaign.state, "running")
        self.assertEqual(self._last_log("stats").state, "success")

        # a later snapshot: the series grows, latest counters follow
        self.server.set_campaign_stats(uid, unique_opens_count=70, opens_count=90)
        self.server.campaigns[uid]["status"] = "sent"
        self.env["utm.campaign"]._cron_mailwizz_stats()
        self.assertEqual(len(self.campaign.mailwizz_stat_ids), 2)
        self.assertEqual(self.campaign.mailwizz_unique_opens, 70)
        self.assertEqual(sorted(self.campaign.mailwizz_stat_ids.mapped("unique_opens")), [45, 70])
        self.assertEqual(self.campaign.state, "done")
        # graph/pivot read the time series
        groups = self.env["mailwizz.campaign.stat"].read_group(
            [("campaign_id", "=", self.campaign.id)], ["unique_opens:max"], ["snapshot_date:day"])
        self.assertEqual(groups[0]["unique_opens"], 70)

    def test_campaign_manager_runs_the_whole_flow(self):
        """A marketing user (campaign manager, no admin right) pushes, sends and refreshes;
        the backend keys stay unreadable to them."""
        user = new_test_user(
            self.env, login="mw_sme", groups="base.group_user,crm_campaign_mgmt.group_campaign_manager")
        # campaign managers run the campaigns they manage (crm_campaign_mgmt's _check_can_run)
        self.campaign.manager_id = user
        self._targets(2)
        campaign = self.campaign.with_user(user)
        campaign.action_mailwizz_push_audience()
        self.assertEqual(len(self._server_subs()), 2)
        campaign.action_mailwizz_send_now()
        self.assertEqual(campaign.state, "running")
        campaign.action_mailwizz_refresh()
        self.assertEqual(len(campaign.mailwizz_stat_ids), 1)
        with self.assertRaises(AccessError):
            self.backend.with_user(user).read(["api_key"])
        self.assertTrue(self.env["mailwizz.sync.log"].with_user(user).search_count([]))
