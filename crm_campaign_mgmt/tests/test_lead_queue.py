from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import CampaignCommon


@tagged("post_install", "-at_install")
class TestLeadQueue(CampaignCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.campaign = cls._create_campaign(rep_ids=[(6, 0, (cls.rep1 | cls.rep2).ids)])
        cls.leads = cls._create_leads(2, campaign_id=cls.campaign.id)
        cls.assignments = cls.campaign._assign_leads()
        cls.mine = cls.assignments.filtered(lambda a: a.user_id == cls.rep1)
        cls.other = cls.assignments - cls.mine

    def test_rep_sees_own_queue_only(self):
        queue = self.env["crm.lead.assignment"].with_user(self.rep1).search([])
        self.assertEqual(queue, self.mine)
        # and can read the lead assigned to them
        self.assertTrue(self.mine.lead_id.with_user(self.rep1).name)
        manager_view = self.env["crm.lead.assignment"].with_user(self.manager).search(
            [("campaign_id", "=", self.campaign.id)])
        self.assertEqual(manager_view, self.assignments)

    def test_accept(self):
        self.mine.with_user(self.rep1).action_accept()
        self.assertEqual(self.mine.state, "accepted")
        self.assertTrue(self.mine.date_accepted)
        self.assertEqual(self.mine.lead_id.user_id, self.rep1)
        self.assertEqual(self.mine.lead_id.campaign_assignment_state, "accepted")
        self.assertTrue(self.mine.lead_id.message_ids.filtered(
            lambda m: "accepted this lead" in (m.body or "")))
        with self.assertRaises(UserError):
            self.mine.with_user(self.rep1).action_accept()

    def test_cannot_answer_for_another_rep(self):
        with self.assertRaises(AccessError):
            self.other.with_user(self.rep1).action_accept()
        with self.assertRaises(AccessError):
            self.mine.with_user(self.rep1).write({"state": "done"})
        with self.assertRaises(AccessError):
            self.mine.with_user(self.rep1).write({"manager_note": "I am the boss"})
        # the work status is theirs to update
        self.mine.with_user(self.rep1).write({"lead_status": "hot"})
        self.assertEqual(self.mine.lead_id.campaign_lead_status, "hot")

    def test_decline_with_reason_returns_lead_to_pool(self):
        action = self.mine.with_user(self.rep1).action_decline_wizard()
        wizard_form = Form(self.env[action["res_model"]].with_user(self.rep1).with_context(
            **action["context"]))
        wizard_form.reason = "Wrong contact person"
        wizard_form.save().action_decline()
        self.assertEqual(self.mine.state, "declined")
        self.assertEqual(self.mine.decline_reason, "Wrong contact person")
        self.assertFalse(self.mine.lead_id.user_id)
        self.assertIn(self.mine.lead_id, self.env["crm.lead"].search(self.campaign._get_pool_domain()))
        with self.assertRaises(UserError):
            self.other.with_user(self.rep2)._decline("  ")

    def test_manager_note_and_completion(self):
        self.env["bus.bus"].sudo().search([]).unlink()
        self.mine.with_user(self.manager).manager_note = "Call before Friday"
        self.assertEqual(self.mine.lead_id.campaign_manager_note, "Call before Friday")
        self.env.cr.precommit.run()
        notification = self.env["bus.bus"].sudo().search([
            ("channel", "like", f'"res.partner",{self.rep1.partner_id.id}]')])
        self.assertIn("Call before Friday", "\n".join(notification.mapped("message")))
        with self.assertRaises(UserError):
            self.mine.with_user(self.rep1).action_done()  # not accepted yet
        self.mine.with_user(self.rep1).action_accept()
        self.mine.lead_id.with_user(self.rep1).action_campaign_mark_processed()
        self.assertEqual(self.mine.state, "done")

    def test_message_template_logs_note(self):
        template = self.env.ref("crm_campaign_mgmt.message_template_call_script")
        lead = self.mine.lead_id
        lead.contact_name = "Asha Rao"
        action = lead.with_user(self.rep1).action_campaign_use_template()
        wizard_form = Form(self.env[action["res_model"]].with_user(self.rep1).with_context(
            **action["context"]))
        wizard_form.template_type = "call_script"
        wizard_form.template_id = template
        self.assertIn("Hello Asha Rao, this is Rep 1", wizard_form.body)
        wizard_form.outcome = "Interested, call back Friday"
        wizard_form.save().action_log()
        note = lead.message_ids[0]
        self.assertIn("Call Script", note.body)
        self.assertIn("Interested, call back Friday", note.body)
        self.assertEqual(note.subtype_id, self.env.ref("mail.mt_note"))

    def test_rep_cannot_write_dynamic_template(self):
        with self.assertRaises(AccessError):
            self.env["crm.message.template"].with_user(self.rep1).create({
                "name": "x", "template_type": "sms", "body": "{{ object.name }}"})

    def test_manager_report_counts(self):
        self.mine.with_user(self.rep1).action_accept()
        self.other.with_user(self.rep2)._decline("Busy")
        groups = self.env["crm.lead.assignment"].with_user(self.manager)._read_group(
            [("campaign_id", "=", self.campaign.id)], ["user_id", "state"], ["__count"])
        counts = {(user.login, state): count for user, state, count in groups}
        self.assertEqual(counts, {("cmp_rep1", "accepted"): 1, ("cmp_rep2", "declined"): 1})
        # accepted / working / completed / declined per rep
        self.assertEqual(self.mine.progress, "accepted")
        self.mine.with_user(self.rep1).lead_status = "hot"
        self.assertEqual(self.mine.progress, "working")
        self.mine.with_user(self.rep1).action_done()
        self.assertEqual(self.mine.progress, "completed")
        self.assertEqual(self.other.progress, "declined")

    @mute_logger("odoo.sql_db")
    def test_one_live_assignment_per_lead(self):
        with self.assertRaises(IntegrityError), self.env.cr.savepoint():
            self.env["crm.lead.assignment"].create({
                "lead_id": self.mine.lead_id.id, "user_id": self.rep2.id,
                "campaign_id": self.campaign.id})
        # once declined, the lead may be assigned again
        self.mine.with_user(self.rep1)._decline("Busy")
        self.env.flush_all()
        self.env["crm.lead.assignment"].create({
            "lead_id": self.mine.lead_id.id, "user_id": self.rep2.id,
            "campaign_id": self.campaign.id})
