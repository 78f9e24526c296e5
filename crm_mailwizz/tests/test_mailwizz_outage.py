from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import MailwizzCommon


@tagged("post_install", "-at_install")
class TestMailwizzOutage(MailwizzCommon):
    def _fail_nth_bulk(self, nth, status=500):
        """Make the ``nth`` bulk call (and only it) answer ``status``."""
        fault = self.server.add_fault("status", "POST", r"/subscribers/bulk$", times=1, status=status)
        seen = {"n": 0}

        def matches(method, path):
            if fault.remaining == 0 or method != "POST" or not path.endswith("/subscribers/bulk"):
                return False
            seen["n"] += 1
            return seen["n"] == nth

        fault.matches = matches
        return fault

    def test_half_failed_bulk_push_keeps_successes_and_logs_each_failure(self):
        self._targets(4)
        self._targets(1, email="bad1@reject.example.com")
        self._targets(1, email="bad2@reject.example.com")
        self.server.bulk_reject = lambda email: "Domain is blacklisted." if "reject" in email else None
        action = self.campaign.action_mailwizz_push_audience()
        self.assertEqual(action["params"]["type"], "danger")
        subs = {s.email: s for s in self._subs()}
        self.assertEqual(len(self._server_subs()), 4)
        self.assertEqual({e for e, s in subs.items() if s.push_state == "synced"},
                         {f"target{i}@example.com" for i in range(4)})
        self.assertEqual(subs["bad1@reject.example.com"].push_state, "failed")
        self.assertIn("Domain is blacklisted", subs["bad1@reject.example.com"].last_error)
        log = self._last_log("push")
        self.assertEqual((log.state, log.records_ok, log.records_failed), ("partial", 4, 2))
        self.assertEqual(sorted(log.line_ids.mapped("email")), ["bad1@reject.example.com", "bad2@reject.example.com"])
        self.assertIn("Domain is blacklisted", log.line_ids[0].error)
        # fixed on the MailWizz side: retrying the failures pushes only them
        self.server.bulk_reject = None
        self.server.reset_calls()
        self.mw_list.action_requeue_failed()
        self.assertEqual(len(self._server_subs()), 6)
        self.assertEqual(set(self._subs().mapped("push_state")), {"synced"})
        self.assertEqual(len(self.server.calls("POST", r"/subscribers/bulk$")), 1)

    def test_outage_mid_push_is_resumable_without_duplicates(self):
        self._targets(5)
        self.backend.write({"bulk_chunk_size": 2, "max_retries": 0})
        self._fail_nth_bulk(2)
        action = self.campaign.action_mailwizz_push_audience()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("HTTP 500", action["params"]["message"])
        subs = self._subs()
        self.assertEqual(len(subs.filtered(lambda s: s.push_state == "synced")), 2)
        self.assertEqual(len(subs.filtered(lambda s: s.push_state == "pending")), 3)
        self.assertEqual(len(self._server_subs()), 2)
        log = self._last_log("push")
        self.assertEqual((log.state, log.records_ok), ("partial", 2))
        self.assertIn("stay queued", log.message)
        # the scheduled action resumes where it stopped
        self.env["mailwizz.list"]._cron_push_pending()
        self.assertEqual(set(self._subs().mapped("push_state")), {"synced"})
        server_subs = self._server_subs()
        self.assertEqual(len(server_subs), 5)
        for sub in self._subs():
            self.assertEqual(sub.subscriber_uid, server_subs[sub.email]["subscriber_uid"])

    def test_bulk_applied_then_500_is_retried_without_duplicates(self):
        self._targets(3)
        self.server.add_fault("apply_then_fail", "POST", r"/subscribers/bulk$", times=1, status=502)
        action = self.campaign.action_mailwizz_push_audience()
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        server_subs = self._server_subs()
        self.assertEqual(len(server_subs), 3)
        for sub in self._subs():
            self.assertEqual(sub.subscriber_uid, server_subs[sub.email]["subscriber_uid"])

    def test_timeout_on_stats_is_logged_not_raised(self):
        self.campaign.action_mailwizz_send_now()
        self.backend.write({"timeout": 1, "max_retries": 0})
        self.server.add_fault("delay", "GET", r"/stats$", times=1, delay=1.5)
        self.env["utm.campaign"]._cron_mailwizz_stats()
        self.assertFalse(self.campaign.mailwizz_stat_ids)
        log = self._last_log("stats")
        self.assertEqual(log.state, "failed")
        self.assertIn("did not answer in time", log.message)
        # next run works
        self.env["utm.campaign"]._cron_mailwizz_stats()
        self.assertEqual(len(self.campaign.mailwizz_stat_ids), 1)

    def test_500_on_stats_retried_with_backoff(self):
        self.campaign.action_mailwizz_send_now()
        self.server.add_fault("status", "GET", r"/stats$", times=1, status=500)
        self.env["utm.campaign"]._cron_mailwizz_stats()
        self.assertEqual(len(self.campaign.mailwizz_stat_ids), 1)
        self.assertEqual(len(self.server.calls("GET", r"/stats$")), 2)

    def test_malformed_stats_answer_is_reported(self):
        self.campaign.action_mailwizz_send_now()
        self.backend.max_retries = 0
        self.server.add_fault("malformed", "GET", r"/stats$", times=1)
        self.env["utm.campaign"]._cron_mailwizz_stats()
        self.assertFalse(self.campaign.mailwizz_stat_ids)
        self.assertIn("unexpected", self._last_log("stats").message)

    def test_wrong_key_gives_clear_messages(self):
        self._targets(2)
        self.backend.api_key = "wrong-key"
        # campaign operations: a UserError with a readable sentence
        with self.assertRaises(UserError) as caught:
            self.campaign.action_mailwizz_send_now()
        message = str(caught.exception)
        self.assertIn("refused the credentials", message)
        self.assertIn("HTTP 400: Invalid API key", message)
        self.assertFalse(self.server.campaigns)
        self.assertFalse(self.campaign.mailwizz_campaign_uid)
        # push: nothing lost, a danger notification, everything stays queued
        self.server.reset_calls()
        action = self.campaign.action_mailwizz_push_audience()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("refused the credentials", action["params"]["message"])
        self.assertEqual(set(self._subs().mapped("push_state")), {"pending"})
        self.assertEqual(self._last_log("push").state, "failed")
        self.assertEqual(len(self.server.calls(path="/subscribers")), 1, self.server.requests)
        # cron: logged, not raised
        self.campaign.write({"mailwizz_campaign_uid": "abc", "mailwizz_status": "sending"})
        self.env["utm.campaign"]._cron_mailwizz_stats()
        self.assertEqual(self._last_log("stats").state, "failed")
        # key fixed: the queued push goes through
        self.backend.api_key = self.server.api_key
        self.env["mailwizz.list"]._cron_push_pending()
        self.assertEqual(len(self._server_subs()), 2)

    def test_wrong_key_stops_update_push_at_first_call(self):
        targets = self._targets(5)
        self.campaign.action_mailwizz_push_audience()
        self.assertEqual(set(self._subs().mapped("push_state")), {"synced"})
        self.backend.api_key = "wrong-key"
        targets.write({"first_name": "Renamed"})
        self.server.reset_calls()
        action = self.campaign.action_mailwizz_push_audience()
        # the five known subscribers would be five PUTs: the first 400 stops the push
        calls = self.server.calls(path="/subscribers")
        self.assertEqual(len(calls), 1, self.server.requests)
        self.assertEqual(calls[0][0::2], ("PUT", 400))
        self.assertEqual(action["params"]["type"], "danger")
        log = self._last_log("push")
        self.assertEqual((log.state, log.records_ok, log.records_failed), ("failed", 0, 0))
        self.assertIn("refused the credentials", log.message)
        self.assertIn("must check its API version and key(s)", log.message)
        self.assertEqual(set(self._subs().mapped("push_state")), {"pending"})
        self.assertEqual({s["FNAME"] for s in self._server_subs().values()}, {f"First{i}" for i in range(5)})

    def test_campaign_quota_403_is_not_a_credentials_error(self):
        self.server.max_campaigns = 0
        with self.assertRaises(UserError) as caught:
            self.campaign.action_mailwizz_send_now()
        message = str(caught.exception)
        self.assertIn("maximum number of allowed campaigns", message)
        self.assertIn("HTTP 403", message)
        self.assertNotIn("credentials", message)
        self.assertFalse(self.campaign.mailwizz_campaign_uid)

    def test_web_server_refusing_put_is_explained(self):
        self._targets(3)
        self.campaign.action_mailwizz_push_audience()
        self.server.blocked_methods = {"PUT", "DELETE"}
        self.server.reset_calls()
        self._subs().write({"push_state": "pending"})  # queued again, uids known: PUTs
        ok, message, auth_failed = self.mw_list._push_pending()
        self.assertFalse(ok)
        self.assertFalse(auth_failed)
        self.assertIn("web server refuses PUT/DELETE: allow these methods", message)
        self.assertNotIn("credentials", message)
        self.assertEqual(len(self.server.calls(path="/subscribers")), 1, self.server.requests)
        self.assertEqual(set(self._subs().mapped("push_state")), {"pending"})

    def test_ambiguous_campaign_create_is_not_duplicated(self):
        # MailWizz creates the campaign but answers 500: the campaign is found by name
        self.server.add_fault("apply_then_fail", "POST", r"/campaigns$", times=1, status=500)
        self.campaign.action_mailwizz_send_now()
        self.assertEqual(len(self.server.campaigns), 1)
        self.assertEqual(self.campaign.mailwizz_campaign_uid, next(iter(self.server.campaigns)))

    def test_refused_campaign_create_is_reported(self):
        self.campaign.mailwizz_from_email = "not-checked-by-odoo"
        self.server.add_fault("status", "POST", r"/campaigns$", times=1, status=422,
                              body={"status": "error", "error": {"from_email": "Invalid email."}})
        with self.assertRaisesRegex(UserError, "from_email: Invalid email"):
            self.campaign.action_mailwizz_send_now()
        self.assertFalse(self.campaign.mailwizz_campaign_uid)
