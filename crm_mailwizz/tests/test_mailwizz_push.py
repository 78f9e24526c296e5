from odoo.tests import tagged

from .common import MailwizzCommon


@tagged("post_install", "-at_install")
class TestMailwizzPush(MailwizzCommon):
    def test_import_lists_archives_deleted_lists(self):
        other_uid = self.server.add_list("Sponsors")
        self.backend._import_lists()
        other = self.backend.list_ids.filtered(lambda lst: lst.list_uid == other_uid)
        self.assertTrue(other.active)
        self.assertEqual(other.field_ids.mapped("tag"), ["EMAIL", "FNAME", "LNAME"])
        del self.server.lists[other_uid]
        ok, message = self.backend._import_lists()
        self.assertTrue(ok)
        self.assertIn("archived", message)
        self.assertFalse(other.active)
        self.assertTrue(self.mw_list.active)

    def test_push_targets_remembers_uids_and_repush_updates(self):
        targets = self._targets(5)
        action = self.campaign.action_mailwizz_push_audience()
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        server_subs = self._server_subs()
        self.assertEqual(len(server_subs), 5)
        subs = self._subs()
        self.assertEqual(len(subs), 5)
        self.assertEqual(set(subs.mapped("push_state")), {"synced"})
        for sub in subs:
            self.assertEqual(sub.subscriber_uid, server_subs[sub.email]["subscriber_uid"])
            self.assertEqual(sub.campaign_id, self.campaign)
            self.assertTrue(sub.target_id in targets)
        # field mapping: defaults by tag (FNAME/LNAME/COMPANY from the target)
        self.assertEqual(server_subs["target0@example.com"]["FNAME"], "First0")
        self.assertEqual(server_subs["target0@example.com"]["COMPANY"], "Company 0")
        self.assertEqual(len(self.server.calls("POST", r"/subscribers/bulk$")), 1)
        log = self._last_log("push")
        self.assertEqual((log.state, log.records_ok, log.campaign_id), ("success", 5, self.campaign))

        # re-push after a change: same subscribers updated in place, never duplicated
        uids = set(subs.mapped("subscriber_uid"))
        targets[0].first_name = "Renamed"
        self.server.reset_calls()
        self.campaign.action_mailwizz_push_audience()
        server_subs = self._server_subs()
        self.assertEqual(len(server_subs), 5)
        self.assertEqual(server_subs["target0@example.com"]["FNAME"], "Renamed")
        self.assertEqual(len(self._subs()), 5)
        self.assertEqual(set(self._subs().mapped("subscriber_uid")), uids)
        self.assertFalse(self.server.calls("POST", r"/subscribers/bulk$"))
        self.assertEqual(len(self.server.calls("PUT", r"/subscribers/[^/]+$")), 5)

    def test_push_updates_subscribers_already_in_mailwizz(self):
        """MailWizz refuses the bulk items of existing emails (``errors``): they are updated."""
        old_uids = {
            self.server.add_subscriber(self.list_uid, f"target{i}@example.com", FNAME="Old", COMPANY="Old Co")
            for i in range(5)
        }
        self._targets(5)
        action = self.campaign.action_mailwizz_push_audience()
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        server_subs = self._server_subs()
        self.assertEqual(len(server_subs), 5)
        for i in range(5):
            self.assertEqual(server_subs[f"target{i}@example.com"]["FNAME"], f"First{i}")
            self.assertEqual(server_subs[f"target{i}@example.com"]["COMPANY"], f"Company {i}")
        self.assertEqual(set(self._subs().mapped("subscriber_uid")), old_uids)
        self.assertEqual(set(self._subs().mapped("push_state")), {"synced"})
        log = self._last_log("push")
        self.assertEqual((log.state, log.records_ok, log.records_failed), ("success", 5, 0))

    def test_push_recreates_subscriber_deleted_in_mailwizz(self):
        targets = self._targets(2)
        self.campaign.action_mailwizz_push_audience()
        gone = self._subs().filtered(lambda s: s.email == "target0@example.com")
        old_uid = gone.subscriber_uid
        with self.server.lock:
            lst = self.server.lists[self.list_uid]
            del lst["subscribers"][old_uid]
            del lst["by_email"]["target0@example.com"]
        targets.write({"last_name": "Again"})
        self.server.reset_calls()
        action = self.campaign.action_mailwizz_push_audience()
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        self.assertIn(409, [status for _m, _p, status in self.server.calls("PUT")])
        server_subs = self._server_subs()
        self.assertEqual(len(server_subs), 2)
        self.assertEqual({s["LNAME"] for s in server_subs.values()}, {"Again"})
        self.assertNotEqual(gone.subscriber_uid, old_uid)
        self.assertEqual(gone.subscriber_uid, server_subs["target0@example.com"]["subscriber_uid"])
        self.assertEqual(gone.push_state, "synced")

    def test_push_chunks_follow_max_input_vars(self):
        # EMAIL, FNAME, LNAME, COMPANY: 4 variables a subscriber; 40 - 10 of margin = 7 a call
        self.backend.max_input_vars = 40
        self.server.max_input_vars = 40
        self.server.bulk_limit = None
        try:
            self._targets(20)
            action = self.campaign.action_mailwizz_push_audience()
        finally:
            self.server.bulk_limit = 100
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        self.assertEqual(len(self.server.calls("POST", r"/subscribers/bulk$")), 3)
        self.assertEqual(self.server.truncated_requests, 0)
        server_subs = self._server_subs()
        self.assertEqual(len(server_subs), 20)
        self.assertEqual(server_subs["target19@example.com"]["COMPANY"], "Company 19")
        self.assertEqual(set(self._subs().mapped("push_state")), {"synced"})

    def test_explicit_field_mapping(self):
        company_field = self.mw_list.field_ids.filtered(lambda f: f.tag == "COMPANY")
        company_field.target_field_id = self.env["ir.model.fields"]._get("crm.campaign.target", "job_title")
        self._targets(1, job_title="CTO")
        self.campaign.action_mailwizz_push_audience()
        self.assertEqual(self._server_subs()["target0@example.com"]["COMPANY"], "CTO")

    def test_push_excludes_opted_out_and_invalid(self):
        self._targets(4)
        self._targets(1, email="not-an-email")
        self.env["mail.blacklist"]._add("target1@example.com")
        action = self.campaign.action_mailwizz_push_audience()
        self.assertIn("1 opted-out address(es) excluded, 1 without a valid email", action["params"]["message"])
        server_subs = self._server_subs()
        self.assertEqual(set(server_subs), {"target0@example.com", "target2@example.com", "target3@example.com"})
        excluded = self._subs().filtered(lambda s: s.push_state == "excluded")
        self.assertEqual(excluded.mapped("email"), ["target1@example.com"])
        self.assertFalse(excluded.subscriber_uid)

    def test_push_crm_segment_with_wizard_dedupes_by_email(self):
        leads = self._leads(3)
        # a target with the same address as a lead: one subscriber, linked to both
        target = self._targets(1, email="LEAD0@example.com")
        wizard = self.env["mailwizz.push.wizard"].with_context(
            active_model="crm.lead", active_ids=leads.ids).create({"list_id": self.mw_list.id})
        self.assertEqual(wizard.lead_count, 3)
        wizard.action_push()
        self.assertEqual(len(self._server_subs()), 3)
        self.campaign.action_mailwizz_push_audience()
        subs = self._subs()
        self.assertEqual(len(subs), 3)
        self.assertEqual(len(self._server_subs()), 3)
        sub = subs.filtered(lambda s: s.email == "lead0@example.com")
        self.assertEqual((sub.lead_id, sub.target_id), (leads[0], target))
        self.assertEqual(leads[0].mailwizz_subscriber_ids, sub)

    def test_campaign_segment_audience_is_pushed(self):
        leads = self._leads(2, prefix="seg")
        self._leads(1, prefix="other")
        self.campaign.write({
            "audience_type": "segment",
            "audience_domain": repr([("email_from", "like", "seg")]),
        })
        self.campaign.action_mailwizz_push_audience()
        self.assertEqual(set(self._server_subs()), set(leads.mapped("email_from")))
        self.assertEqual(self._server_subs()["seg0@example.com"]["FNAME"], "Contact")

    def test_pull_statuses_blacklists_opt_outs(self):
        targets = self._targets(4)
        lead = self._leads(1, prefix="target")  # target0@example.com
        targets[0].lead_id = lead
        self.campaign.action_mailwizz_push_audience()
        self.server.set_subscriber_status(self.list_uid, "target0@example.com", "unsubscribed")
        self.server.set_subscriber_status(self.list_uid, "target1@example.com", "blacklisted")
        self.server.set_subscriber_status(self.list_uid, "target2@example.com", "unconfirmed")
        # an address that subscribed in MailWizz directly and unsubscribed there
        self.server.add_subscriber(self.list_uid, "outsider@example.com", status="unsubscribed")
        ok, message, _auth = self.mw_list._pull_statuses()
        self.assertTrue(ok, message)
        self.assertIn("3 new opt-out(s)", message)
        subs = {s.email: s for s in self._subs()}
        self.assertEqual(subs["target0@example.com"].status, "unsubscribed")
        self.assertEqual(subs["target1@example.com"].status, "blacklisted")
        self.assertEqual(subs["target2@example.com"].status, "unconfirmed")
        self.assertEqual(subs["target3@example.com"].status, "confirmed")
        self.assertTrue(subs["outsider@example.com"].is_opted_out)
        blacklisted = set(self.env["mail.blacklist"].search([]).mapped("email"))
        self.assertLessEqual({"target0@example.com", "target1@example.com", "outsider@example.com"}, blacklisted)
        self.assertNotIn("target2@example.com", blacklisted)
        self.assertTrue(lead.mailwizz_opt_out)
        self.assertTrue(lead.is_blacklisted)
        self.assertEqual(self._last_log("pull").state, "success")

        # a later campaign on another list does not reach them
        other_uid = self.server.add_list("Autumn")
        self.backend._import_lists()
        other_list = self.backend.list_ids.filtered(lambda lst: lst.list_uid == other_uid)
        campaign2 = self.campaign.copy({"title": "Autumn delegates", "mailwizz_list_id": other_list.id})
        for target in targets:
            target.copy({"campaign_id": campaign2.id})
        campaign2.action_mailwizz_push_audience()
        self.assertEqual(set(self._server_subs(other_uid)), {"target2@example.com", "target3@example.com"})

    def test_cron_pull_only_opt_outs(self):
        self._targets(2)
        self.campaign.action_mailwizz_push_audience()
        self.server.set_subscriber_status(self.list_uid, "target1@example.com", "unsubscribed")
        self.server.reset_calls()
        self.env["mailwizz.list"]._cron_pull_statuses()
        self.assertEqual(len(self.server.calls("GET", r"/subscribers$")), 2)  # unsubscribed + blacklisted
        self.assertTrue(self._subs().filtered(lambda s: s.email == "target1@example.com").is_opted_out)
        self.assertIn("target1@example.com", self.env["mail.blacklist"].search([]).mapped("email"))
