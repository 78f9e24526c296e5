from datetime import datetime, timedelta

from odoo.tests import new_test_user, tagged

from .common import EditionsCase


@tagged("post_install", "-at_install")
class TestAutomations(EditionsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.follow_up = cls.env.ref("crm_event_editions.automation_crm_lead_follow_up")
        cls.opens = cls.env.ref("crm_event_editions.automation_event_edition_opens")
        cls.follow_up_type = cls.env.ref("crm_event_editions.mail_activity_type_follow_up")
        cls.opens_type = cls.env.ref("crm_event_editions.mail_activity_type_edition_opens")
        cls.contacted_stage = cls.env["crm.stage"].search(
            [("sequence", ">", 1), ("is_won", "=", False)], limit=1)
        # time-based rules look at what changed since their last run
        (cls.follow_up | cls.opens).write({"last_run": "2000-01-01 00:00:00"})

    def _activities(self, records, activity_type):
        return self.env["mail.activity"].search([
            ("res_model", "=", records._name), ("res_id", "in", records.ids),
            ("activity_type_id", "=", activity_type.id)])

    def _age(self, leads, days):
        leads.flush_recordset()
        self.env.cr.execute(
            "UPDATE crm_lead SET date_last_stage_update = %s WHERE id = ANY(%s)",
            [datetime.now() - timedelta(days=days), leads.ids])
        leads.invalidate_recordset(["date_last_stage_update"])

    def test_rules_are_shipped_editable(self):
        for rule in (self.follow_up, self.opens):
            self.assertEqual(rule.trigger, "on_time")
            self.assertTrue(rule.active)
            self.assertTrue(rule.action_server_ids)
        self.assertEqual(self.follow_up.trg_date_id.name, "date_last_stage_update")
        self.assertEqual(self.opens.trg_date_range, -30)
        # administrators edit them (noupdate data, base_automation's access rights)
        self.assertTrue(self.env.ref("base.user_admin").has_group("base.group_system"))
        self.follow_up.with_user(self.env.ref("base.user_admin")).trg_date_range = 10
        self.assertEqual(self.follow_up.trg_date_range, 10)

    def test_follow_up_for_the_leads_own_salesperson(self):
        stage = self.contacted_stage.id
        silent = self._lead("silent", self.new, self.p, stage_id=stage)
        recent = self._lead("recent", self.new, self.p2, stage_id=stage)
        fresh = self._lead("fresh", self.new, self.p)  # never contacted: first stage
        won = self._lead("wonfu", self.new, self.p, stage_id=self.won_stage.id)
        self.assertEqual(fresh.stage_id.sequence, 1)
        self._age(silent | fresh | won, 8)
        self._age(recent, 2)
        self.env["base.automation"]._check()
        activity = self._activities(silent, self.follow_up_type)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.p)
        self.assertFalse(self._activities(recent | fresh | won, self.follow_up_type))
        # the salesperson reads it; nobody else is given it
        self.assertEqual(activity.with_user(self.p)._filtered_access("read"), activity)
        # one open follow-up at a time
        self.env["crm.lead"].browse(silent.ids)._crm_automation_follow_up()
        self.assertEqual(len(self._activities(silent, self.follow_up_type)), 1)

    def test_follow_up_never_reaches_an_unreadable_lead(self):
        # a conference lead owned by a salesman without a role of the suite: no rule of
        # the role table lets him read it
        outsider = new_test_user(self.env, login="ed_outsider", name="Editions Outsider",
                                 groups="base.group_user,sales_team.group_sale_salesman")
        lead = self._lead("unread", self.new, outsider, stage_id=self.contacted_stage.id)
        self.assertFalse(lead.with_user(outsider)._filtered_access("read"))
        self._age(lead, 8)
        self.env["base.automation"]._check()
        self.assertFalse(self._activities(lead, self.follow_up_type))

    def test_edition_opens_reminder(self):
        self.past.action_crm_lock()
        sm = self._user("stl", "phone_stl")
        self.env["crm.team"].create({
            "name": "Editions Reminder Team", "crm_product_id": self.new.id, "user_id": sm.id})
        self.env["crm.product.assignment"].create({"product_id": self.new.id, "user_id": sm.id})
        self.new.write({"date_begin": datetime.now() + timedelta(days=20),
                        "date_end": datetime.now() + timedelta(days=22)})
        self.env["base.automation"]._check()
        activities = self._activities(self.new, self.opens_type)
        # the team leader and the Production Managers assigned; not the producers nor
        # the marketing executive
        self.assertEqual(activities.user_id, sm | self.pm | self.pm_elsewhere)
        self.assertIn(self.new.name, activities[0].summary)
        # the locked past edition gets nothing
        self.assertFalse(self._activities(self.past, self.opens_type))
        # run again: no second reminder
        self.new._crm_automation_edition_reminder()
        self.assertEqual(len(self._activities(self.new, self.opens_type)), 3)
