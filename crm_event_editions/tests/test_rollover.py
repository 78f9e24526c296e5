from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import EditionsCase


@tagged("post_install", "-at_install")
class TestRollover(EditionsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.speaker = cls._lead("speaker", cls.past, cls.p, kind="speaker")
        cls.sponsor = cls._lead("sponsor", cls.past, cls.p2, kind="sponsor")
        cls.delegate = cls._lead("delegate", cls.past, cls.p, kind="delegate",
                                 phone="+91 98765 43210")
        cls.won = cls._lead("won", cls.past, cls.p, stage_id=cls.won_stage.id)
        cls.prospect = cls._lead("prospect", cls.past, cls.p, kind="prospect_delegate")
        cls.lost = cls._lead("lost", cls.past, cls.p, kind="delegate")
        cls.lost.action_set_lost()
        # same phone as the delegate: one person, one new lead
        cls.delegate_twin = cls._lead("twin", cls.past, cls.p2, kind="delegate",
                                      phone="+919876543210")
        # already in the new edition (same email): skipped
        cls.dup_past = cls._lead("dup", cls.past, cls.p, kind="sponsor")
        cls.dup_new = cls._lead("dup", cls.new, cls.p, kind="prospect_sponsor")
        # another department's lead: the PM cannot read it, so it is not brought forward
        cls.hidden = cls._lead("hidden", cls.past, cls.jme, kind="speaker",
                               department=cls.email_sales)
        cls.past.action_crm_lock()

    def _wizard(self, user=None, **vals):
        return self.env["crm.edition.rollover.wizard"].with_user(user or self.pm).create({
            "source_event_id": self.past.id, "target_event_id": self.new.id, **vals})

    def _new_leads(self):
        return self.env["crm.lead"].search([
            ("event_id", "=", self.new.id), ("crm_origin_lead_id", "!=", False)])

    def test_rollover_twice_as_production_manager(self):
        past_leads = self.env["crm.lead"].with_context(active_test=False).search(
            [("event_id", "=", self.past.id)])
        before = {lead.id: lead.write_date for lead in past_leads}
        self.assertTrue(self.past.crm_locked)

        wizard = self._wizard()
        wizard.action_rollover()
        new_leads = self._new_leads()
        by_origin = {lead.crm_origin_lead_id: lead for lead in new_leads}
        self.assertEqual(
            new_leads.crm_origin_lead_id, self.speaker | self.sponsor | self.delegate | self.won)
        self.assertEqual(len(new_leads), 4)
        self.assertEqual(wizard.created_count, 4)
        self.assertEqual(wizard.skipped_count, 2)  # the twin and the duplicate
        self.assertEqual(by_origin[self.speaker].crm_contact_kind, "prospect_speaker")
        self.assertFalse(by_origin[self.speaker].is_speaker)
        self.assertEqual(by_origin[self.sponsor].crm_contact_kind, "prospect_sponsor")
        self.assertEqual(by_origin[self.won].crm_contact_kind, "prospect_delegate")
        self.assertEqual(by_origin[self.sponsor].user_id, self.p2)  # owner kept
        self.assertEqual(by_origin[self.speaker].email_from, "speaker@example.com")
        self.assertEqual(by_origin[self.speaker].department_id, self.production)
        self.assertEqual(new_leads.create_uid, self.pm)
        # the role table: the PM reads them, each owner reads his own
        self.assertEqual(new_leads.with_user(self.pm)._filtered_access("read"), new_leads)
        self.assertEqual(new_leads.with_user(self.p2)._filtered_access("read"),
                         by_origin[self.sponsor])
        # the past (locked) edition is untouched
        self.assertEqual({lead.id: lead.write_date for lead in past_leads}, before)
        self.assertEqual(past_leads.event_id, self.past)

        again = self._wizard()
        again.action_rollover()
        self.assertEqual(again.created_count, 0)
        self.assertEqual(again.skipped_count, 6)
        self.assertEqual(self._new_leads(), new_leads)

    def test_assign_to_one_user_and_kinds_chosen(self):
        wizard = self._wizard(carry_speakers=False, carry_delegates=False,
                              carry_prospects=True, owner_rule="user", user_id=self.p.id)
        wizard._rollover()
        new_leads = self._new_leads()
        self.assertEqual(new_leads.crm_origin_lead_id, self.sponsor | self.prospect)
        self.assertEqual(new_leads.user_id, self.p)

    def test_only_editions_the_user_works(self):
        with self.assertRaises(AccessError):
            self._wizard(user=self.pm_elsewhere)._rollover()
        self.assertFalse(self._new_leads())

    def test_wrong_editions(self):
        with self.assertRaises(UserError):
            self._wizard(target_event_id=self.other.id)._rollover()
        with self.assertRaises(UserError):
            self._wizard(source_event_id=self.new.id)._rollover()
        self.new.sudo().write({"crm_cycle_start": "2000-01-01", "crm_cycle_end": "2000-02-01"})
        self.new.action_crm_lock()
        with self.assertRaises(UserError):
            self._wizard()._rollover()

    def test_wizard_is_its_creators(self):
        wizard = self._wizard()
        self.assertFalse(
            self.env["crm.edition.rollover.wizard"].with_user(self.pm_elsewhere).search(
                [("id", "=", wizard.id)]))
