from odoo.tests import new_test_user, tagged

from .common import MailwizzCommon
from .fake_mailwizz import NOTE_WEB_HOOK


@tagged("post_install", "-at_install")
class TestMailwizzCampaignEvents(MailwizzCommon):
    """Bounces, unsubscribes and complaints of a MailWizz campaign, per subscriber, land on
    the subscribers and their leads (pulled by the statistics cron, from the fake server's
    campaigns/{uid}/bounces and /unsubscribes endpoints)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rep = new_test_user(cls.env, login="mw_events_rep", name="Rhea Rep",
                                groups="base.group_user,crm_event_products.group_phone_se")
        cls.manager = new_test_user(cls.env, login="mw_events_mgr", name="Max Manager",
                                    groups="base.group_user,crm_campaign_mgmt.group_campaign_manager")
        cls.campaign.manager_id = cls.manager

    def _send_to_leads(self, count):
        """``count`` targets with a lead each (target{i}@example.com, owner: the rep), pushed
        and sent; returns the leads."""
        targets = self._targets(count)
        leads = self._leads(count, prefix="target")
        leads.user_id = self.rep
        for target, lead in zip(targets, leads, strict=True):
            target.lead_id = lead
        self.campaign.action_mailwizz_push_audience()
        self.campaign.action_mailwizz_send_now()
        self.server.campaigns[self.campaign.mailwizz_campaign_uid]["status"] = "sending"
        return leads

    def _sub(self, email):
        return self._subs().filtered(lambda s: s.email == email)

    def _complaint_activities(self, lead):
        return lead.activity_ids.filtered(lambda a: a.summary == "Spam complaint in MailWizz")

    def test_events_reach_subscribers_and_leads(self):
        leads = self._send_to_leads(5)
        uid = self.campaign.mailwizz_campaign_uid
        self.server.add_campaign_bounce(uid, "target0@example.com", "hard", "550 5.1.1 User unknown")
        self.server.add_campaign_bounce(uid, "target1@example.com", "soft", "452 Mailbox full")
        self.server.add_campaign_bounce(uid, "target4@example.com", "internal", "Connection refused")
        self.server.add_campaign_unsubscribe(uid, "target2@example.com", reason="Not attending this year")
        self.server.add_campaign_complaint(uid, "target3@example.com")

        self.env["utm.campaign"]._cron_mailwizz_stats()

        log = self._last_log("stats")
        self.assertEqual(log.state, "success", log.message)
        self.assertIn("3 bounce(s), 2 unsubscribe(s), 1 complaint(s)", log.message)
        blacklist = set(self.env["mail.blacklist"].search([]).mapped("email"))
        # hard bounce: bounce counter, opt-out, Odoo blacklist, no later push
        sub0 = self._sub("target0@example.com")
        self.assertEqual((sub0.bounce_count, sub0.last_bounce_type, sub0.status),
                         (1, "hard", "blacklisted"))
        self.assertEqual(sub0.last_bounce_message, "550 5.1.1 User unknown")
        self.assertEqual(sub0.bounced_campaign_ids, self.campaign)
        self.assertEqual(leads[0].message_bounce, 1)
        self.assertTrue(leads[0].mailwizz_opt_out)
        self.assertIn("target0@example.com", blacklist)
        # soft bounce: counted, still reachable
        self.assertEqual(self._sub("target1@example.com").bounce_count, 1)
        self.assertEqual(leads[1].message_bounce, 1)
        self.assertFalse(leads[1].mailwizz_opt_out)
        self.assertNotIn("target1@example.com", blacklist)
        # internal bounce (MailWizz's own delivery error): noted, not counted on the lead
        sub4 = self._sub("target4@example.com")
        self.assertEqual((sub4.bounce_count, sub4.last_bounce_type), (0, "internal"))
        self.assertEqual(leads[4].message_bounce, 0)
        # unsubscribe: opt-out with its reason, no activity
        sub2 = self._sub("target2@example.com")
        self.assertEqual((sub2.status, sub2.unsubscribe_reason), ("unsubscribed", "Not attending this year"))
        self.assertTrue(leads[2].mailwizz_opt_out)
        self.assertIn("target2@example.com", blacklist)
        self.assertFalse(self._complaint_activities(leads[2]))
        self.assertFalse(sub2.complaint_date)
        # complaint: opt-out and a to-do for the lead's owner, with a note in its chatter
        sub3 = self._sub("target3@example.com")
        self.assertTrue(sub3.complaint_date)
        self.assertEqual(sub3.complaint_campaign_ids, self.campaign)
        self.assertTrue(leads[3].mailwizz_opt_out)
        self.assertIn("target3@example.com", blacklist)
        activity = self._complaint_activities(leads[3])
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.rep)
        self.assertTrue(leads[3].message_ids.filtered(lambda m: "reported campaign" in str(m.body)))

        # idempotent: the next pulls change nothing
        self.env["utm.campaign"]._cron_mailwizz_stats()
        self.env["utm.campaign"]._cron_mailwizz_stats()
        self.assertEqual(leads[0].message_bounce, 1)
        self.assertEqual(leads[1].message_bounce, 1)
        self.assertEqual(self._sub("target0@example.com").bounce_count, 1)
        self.assertEqual(len(self._complaint_activities(leads[3])), 1)
        self.assertNotIn("New per subscriber", self._last_log("stats").message)

        # a re-push leaves the opted-out addresses out
        self.campaign.action_mailwizz_push_audience()
        self.assertEqual(self._sub("target0@example.com").push_state, "excluded")

    def test_bounce_in_another_campaign_counts_again(self):
        leads = self._send_to_leads(1)
        self.server.add_campaign_bounce(self.campaign.mailwizz_campaign_uid, "target0@example.com", "soft")
        self.env["utm.campaign"]._cron_mailwizz_stats()
        self.assertEqual(leads.message_bounce, 1)
        campaign2 = self.campaign.copy({"title": "Second wave"})
        campaign2.mailwizz_list_id = self.mw_list
        campaign2.action_mailwizz_send_now()
        self.server.add_campaign_bounce(campaign2.mailwizz_campaign_uid, "target0@example.com", "soft")
        self.env["utm.campaign"]._cron_mailwizz_stats()
        self.assertEqual(leads.message_bounce, 2)
        self.assertEqual(self._sub("target0@example.com").bounced_campaign_ids, self.campaign | campaign2)

    def test_web_hook_complaint_without_lead_tells_the_manager(self):
        self._targets(1)
        self.campaign.action_mailwizz_push_audience()
        self.campaign.action_mailwizz_send_now()
        self.server.add_campaign_complaint(self.campaign.mailwizz_campaign_uid, "target0@example.com",
                                           note=NOTE_WEB_HOOK)
        self.env["utm.campaign"]._cron_mailwizz_stats()
        self.assertTrue(self._sub("target0@example.com").complaint_date)
        self.assertTrue(self.campaign.message_ids.filtered(lambda m: "reported campaign" in str(m.body)))

    def test_paged_pull_stops_early_and_resumes_after_an_outage(self):
        self._targets(120)
        self.campaign.action_mailwizz_push_audience()
        self.campaign.action_mailwizz_send_now()
        uid = self.campaign.mailwizz_campaign_uid
        for i in range(120):
            self.server.add_campaign_bounce(uid, f"target{i}@example.com", "soft")
        # the first pull fails on the third page (after retries): pages 1-2 are kept
        self.server.add_fault("status", "GET", r"/bounces$", times=5, status=503, after=2)
        self.env["utm.campaign"]._cron_mailwizz_stats()
        self.assertEqual(self._last_log("stats").state, "partial")
        self.assertEqual(len(self._subs().filtered("bounce_count")), 100)
        self.assertFalse(self.campaign.mailwizz_bounces_complete)
        # the next pull walks every page again (page 1 is known, but the pull was not complete)
        self.server.clear_faults()
        self.server.reset_calls()
        self.env["utm.campaign"]._cron_mailwizz_stats()
        self.assertEqual(len(self.server.calls("GET", r"/bounces$")), 3)  # 50 + 50 + 20
        self.assertEqual(len(self._subs().filtered("bounce_count")), 120)
        self.assertTrue(self.campaign.mailwizz_bounces_complete)
        # new bounces (of addresses MailWizz has and Odoo never pushed): one page read
        for i in range(3):
            self.server.add_subscriber(self.list_uid, f"direct{i}@example.com")
            self.server.add_campaign_bounce(uid, f"direct{i}@example.com", "hard")
        self.server.reset_calls()
        self.env["utm.campaign"]._cron_mailwizz_stats()
        self.assertEqual(len(self.server.calls("GET", r"/bounces$")), 1)
        direct = self._subs().filtered(lambda s: s.email.startswith("direct"))
        self.assertEqual(len(direct), 3)
        self.assertEqual(set(direct.mapped("status")), {"blacklisted"})
        self.assertEqual(sum(self._subs().mapped("bounce_count")), 123)
