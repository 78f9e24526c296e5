import re
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import CampaignCommon


@tagged("post_install", "-at_install")
class TestCampaignLifecycle(CampaignCommon):
    def test_code_sequence_format(self):
        first = self._create_campaign(title="First")
        second = self._create_campaign(title="Second")
        year = fields.Date.today().year
        self.assertRegex(first.code, rf"^CPN-{year}-\d{{3}}$")
        self.assertEqual(int(second.code[-3:]), int(first.code[-3:]) + 1)
        self.assertIn(first.code, first.display_name)
        found = self.env["utm.campaign"].name_search(first.code)
        self.assertEqual([res[0] for res in found], first.ids)
        self.assertFalse(first.copy().code == first.code)

    def test_code_sequence_restarts_every_year(self):
        Campaign = self.env["utm.campaign"]
        c2031 = Campaign.with_context(ir_sequence_date="2031-03-01").create({"title": "A"})
        c2031b = Campaign.with_context(ir_sequence_date="2031-11-01").create({"title": "B"})
        c2032 = Campaign.with_context(ir_sequence_date="2032-01-15").create({"title": "C"})
        self.assertEqual(c2031.code, "CPN-2031-001")
        self.assertEqual(c2031b.code, "CPN-2031-002")
        self.assertEqual(c2032.code, "CPN-2032-001")

    def test_auto_campaign_keeps_working(self):
        auto = self.env["utm.campaign"].create({"name": "auto mailing", "is_auto_campaign": True})
        self.assertFalse(auto.code)
        self.assertEqual(auto.state, "draft")
        self.assertTrue(auto.stage_id, "utm stage default still applies")

    def test_lifecycle(self):
        campaign = self._create_campaign()
        self.assertEqual(campaign.state, "draft")
        with self.assertRaises(UserError):
            campaign.action_schedule()  # no start date
        campaign.date_start = self.now + timedelta(days=3)
        campaign.action_schedule()
        self.assertEqual(campaign.state, "scheduled")
        campaign.action_unschedule()
        self.assertEqual(campaign.state, "draft")
        campaign.action_schedule()
        campaign.action_start()
        self.assertEqual(campaign.state, "running")
        self.assertTrue(campaign.date_sent)
        self.assertLessEqual(campaign.date_start, fields.Datetime.now())
        with self.assertRaises(UserError):
            campaign.action_resume()
        campaign.action_pause()
        self.assertEqual(campaign.state, "paused")
        campaign.action_resume()
        self.assertEqual(campaign.state, "running")
        campaign.action_stop()
        self.assertEqual(campaign.state, "stopped")
        with self.assertRaises(UserError):
            campaign.action_resume()
        campaign.action_done()
        self.assertEqual(campaign.state, "done")
        self.assertTrue(campaign.date_done)

    def test_edit_lock_after_sent(self):
        campaign = self._create_campaign(date_start=self.now + timedelta(days=1))
        # editable until sent
        campaign.write({"message_body": "<p>v2</p>", "audience_domain": "[('type', '=', 'lead')]"})
        campaign.action_schedule()
        campaign.write({"date_start": self.now + timedelta(days=2)})
        campaign.action_start()
        for vals, label in (
            ({"message_body": "<p>v3</p>"}, "Message Content"),
            ({"message_subject": "New"}, "Subject"),
            ({"date_start": self.now}, "Scheduled Start"),
            ({"date_end": self.now + timedelta(days=9)}, "Scheduled End"),
            ({"audience_domain": "[]"}, "CRM Segment"),
            ({"audience_type": "list"}, "Target Audience"),
        ):
            with self.assertRaises(UserError) as error:
                campaign.with_user(self.manager).write(vals)
            self.assertIn(label, str(error.exception))
        # operational fields stay editable, and pause / resume / stop work
        campaign.with_user(self.manager).write({"title": "Renamed", "rep_ids": [(4, self.rep1.id)]})
        campaign.action_pause()
        with self.assertRaises(UserError):
            campaign.write({"message_body": "<p>v4</p>"})
        campaign.action_resume()
        campaign.action_stop()
        with self.assertRaises(UserError):
            campaign.write({"date_end": self.now + timedelta(days=30)})

    def test_edit_lock_in_form(self):
        campaign = self._create_campaign(date_start=self.now)
        campaign.action_start()
        form = Form(campaign.with_user(self.manager),
                    view="crm_campaign_mgmt.utm_campaign_view_form_mgmt")
        with self.assertRaises(AssertionError):
            form.message_body = "<p>changed</p>"
        form.title = "Still editable"
        form.save()
        self.assertEqual(campaign.title, "Still editable")

    def test_form_type_specific_fields(self):
        form = Form(self.env["utm.campaign"].with_user(self.manager),
                    view="crm_campaign_mgmt.utm_campaign_view_form_mgmt")
        form.title = "Launch"
        form.campaign_type = "product_launch"
        form.product_name = "Zinc Oxide"
        form.target_segment = "Dealers"
        campaign = form.save()
        self.assertEqual(campaign.product_name, "Zinc Oxide")
        self.assertTrue(re.match(r"^CPN-\d{4}-\d{3}$", campaign.code))
        form = Form(campaign, view="crm_campaign_mgmt.utm_campaign_view_form_mgmt")
        form.campaign_type = "newsletter"
        with self.assertRaises(AssertionError):
            form.product_name = "invisible for newsletters"

    def test_invalid_audience_domain(self):
        with self.assertRaises(ValidationError):
            self._create_campaign(audience_domain="[('no_such_field', '=', 1)]")

    def _bus_messages(self, user):
        self.env.cr.precommit.run()  # notifications are created at commit
        return self.env["bus.bus"].sudo().search([
            ("channel", "like", f'"res.partner",{user.partner_id.id}]'),
        ]).mapped("message")

    def test_cron_start_finish_and_notify(self):
        upcoming = self._create_campaign(title="Upcoming", date_start=self.now + timedelta(hours=5))
        due = self._create_campaign(title="Due", date_start=self.now - timedelta(minutes=5),
                                    date_end=self.now + timedelta(days=5))
        later = self._create_campaign(title="Later", date_start=self.now + timedelta(days=5))
        ended = self._create_campaign(title="Ended", date_start=self.now - timedelta(days=5),
                                      date_end=self.now + timedelta(days=1))
        (upcoming | due | later | ended).action_schedule()
        ended.action_start()
        ended.flush_recordset()
        self.env.cr.execute("UPDATE utm_campaign SET date_end = %s WHERE id = %s",
                            (self.now - timedelta(hours=1), ended.id))
        ended.invalidate_recordset()
        self.env["bus.bus"].sudo().search([]).unlink()

        self.env.ref("crm_campaign_mgmt.ir_cron_process_campaigns").method_direct_trigger()

        self.assertEqual(due.state, "running")
        self.assertEqual(upcoming.state, "scheduled")
        self.assertEqual(later.state, "scheduled")
        self.assertEqual(ended.state, "done")
        # a day before: an activity for the manager, only once
        activity = upcoming.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.manager)
        self.assertTrue(upcoming.upcoming_notified)
        self.assertFalse(later.activity_ids)
        self.env["utm.campaign"]._cron_process_campaigns()
        self.assertEqual(len(upcoming.activity_ids), 1)
        # chatter and real-time notifications
        self.assertTrue(due.message_ids.filtered(lambda m: "is now running" in (m.body or "")))
        self.assertTrue(ended.message_ids.filtered(lambda m: "is finished" in (m.body or "")))
        messages = "\n".join(self._bus_messages(self.manager))
        self.assertIn("simple_notification", messages)
        self.assertIn("Campaign started", messages)
        self.assertIn("Campaign finished", messages)
        self.assertIn("Upcoming campaign", messages)

    def test_cron_finishes_fully_processed_campaign(self):
        campaign = self._create_campaign(date_start=self.now - timedelta(hours=1),
                                         rep_ids=[(6, 0, self.rep1.ids)], auto_assign=False)
        leads = self._create_leads(2, campaign_id=campaign.id)
        campaign.action_schedule()
        self.env["utm.campaign"]._cron_process_campaigns()
        self.assertEqual(campaign.state, "running")
        assignments = campaign._assign_leads(leads)
        assignments.with_user(self.rep1).action_accept()
        self.env["utm.campaign"]._cron_process_campaigns()
        self.assertEqual(campaign.state, "running")
        assignments.with_user(self.rep1).action_done()
        campaign.invalidate_recordset()
        self.env["utm.campaign"]._cron_process_campaigns()
        self.assertEqual(campaign.state, "done")

    def test_only_managers_run_campaigns(self):
        campaign = self._create_campaign(date_start=self.now)
        with self.assertRaises(AccessError):
            campaign.with_user(self.rep1).action_start()
        with self.assertRaises(AccessError):
            campaign.with_user(self.rep1).action_assign_leads()
        # not even a campaign the rep created himself (its audience would be his to write)
        own = self.env["utm.campaign"].with_user(self.rep1).create({
            "title": "Mine", "date_start": self.now, "manager_id": self.rep1.id})
        with self.assertRaises(AccessError):
            own.action_start()
        self.assertEqual(own.state, "draft")
        campaign.with_user(self.manager).action_start()
        self.assertEqual(campaign.state, "running")
