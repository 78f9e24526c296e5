"""Attacks on the role table through the campaign engine, assignments and wizards
(issue 7, items 2, 6 and 7), each performed as the role that would try it."""

import base64

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.crm_event_products.tests.common import ConferenceCrmCase


@tagged("post_install", "-at_install", "crm_visibility")
class TestCampaignSecurity(ConferenceCrmCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Lead = cls.env["crm.lead"]
        # unassigned leads of product A: one of the STL's team, one of Production
        cls.pool_team = Lead.create(cls._lead_vals(
            "pool_team", "phone_sales", cls.product_a, "se", cls.team_a, user_id=False))
        cls.pool_production = Lead.create(cls._lead_vals(
            "pool_production", "production", cls.product_a, "p2", user_id=False))

    def _campaign_as(self, role, **vals):
        values = {
            "title": f"Campaign of {role}",
            "audience_type": "segment",
            "audience_domain": "[('id', '>', 0)]",
            "rep_ids": [(6, 0, self.users["se"].ids)],
            "auto_assign": True,
        }
        values.update(vals)
        return self.env["utm.campaign"].with_user(self.users[role]).create(values)

    def _visible(self, role):
        return self.env["crm.lead"].with_user(self.users[role]).search_count([])

    # item 2: campaign audience escalation ---------------------------------------------------
    def test_sales_executive_cannot_start_or_assign(self):
        before = self._visible("se")
        campaign = self._campaign_as("se")
        with self.assertRaises(AccessError):
            campaign.action_start()
        with self.assertRaises(AccessError):
            campaign.action_assign_leads()
        self.assertEqual(self._visible("se"), before)
        self.assertFalse(self.pool_production.user_id)

    def test_pool_is_searched_with_the_managers_rights(self):
        campaign = self._campaign_as("stl", event_id=self.product_a.id)
        campaign.action_assign_leads()
        self.assertEqual(self.pool_team.user_id, self.users["se"])
        self.assertFalse(self.pool_production.user_id, "the STL cannot read Production's leads")
        self.assertEqual(
            campaign.assignment_ids.sudo().lead_id, self.pool_team,
            "only leads the team leader may read are assigned")

    def test_scheduler_assigns_as_the_campaigns_manager(self):
        campaign = self._campaign_as("stl", event_id=self.product_a.id)
        campaign.sudo()._assign_leads()  # the scheduler runs as superuser
        self.assertEqual(campaign.sudo().assignment_ids.lead_id, self.pool_team)
        self.assertFalse(self.pool_production.user_id)

    def test_locked_product_is_refused(self):
        campaign = self._campaign_as("stl").sudo()
        campaign.event_id = self.product_locked
        with self.assertRaises(UserError):
            campaign.with_user(self.users["stl"]).action_assign_leads()

    def test_reps_must_work_the_campaigns_product(self):
        campaign = self._campaign_as("stl2", event_id=self.product_b.id)  # SE works product A only
        with self.assertRaisesRegex(UserError, "works its product"):
            campaign.action_assign_leads()

    def test_campaign_without_reps_says_what_is_missing(self):
        campaign = self._campaign_as("stl", event_id=self.product_a.id, rep_ids=False)
        with self.assertRaisesRegex(UserError, "no reps and no sales team"):
            campaign.action_assign_leads()

    def test_overview_counts_only_readable_leads(self):
        campaign = self._campaign_as("stl", event_id=self.product_a.id)
        (self.pool_team | self.pool_production).sudo().campaign_id = campaign
        self.assertEqual(campaign.with_user(self.users["stl"]).lead_total, 1)
        self.assertEqual(campaign.with_user(self.admin).lead_total, 2)

    # item 7: assignments follow their lead ------------------------------------------------
    def test_assignment_on_a_hidden_lead_is_refused(self):
        hidden = self.leads["email_b"]
        with self.assertRaises(AccessError):
            self.env["crm.lead.assignment"].with_user(self.users["pm"]).create(
                {"lead_id": hidden.id, "user_id": self.users["pm"].id})

    def test_assignment_of_a_hidden_lead_reveals_nothing(self):
        hidden = self.leads["email_b"]
        hidden.email_from = "secret@example.com"
        assignment = self.env["crm.lead.assignment"].create(
            {"lead_id": hidden.id, "user_id": self.users["jre2"].id})
        for role in ("pm", "pd", "stl", "sme", "se"):
            Assignment = self.env["crm.lead.assignment"].with_user(self.users[role])
            self.assertFalse(Assignment.search([("id", "=", assignment.id)]), role)
            self.assertFalse(Assignment.search_read([("email_from", "ilike", "secret")]), role)
            with self.assertRaises(UserError, msg=role):  # AccessError, or no export right at all
                assignment.with_user(self.users[role]).export_data(["email_from", "phone"])
            with self.assertRaises(AccessError, msg=role):
                assignment.with_user(self.users[role]).read(["contact_name"])
        # the lead's readers still see it
        mm_assignments = self.env["crm.lead.assignment"].with_user(self.users["hm"])
        self.assertEqual(mm_assignments.search([("id", "=", assignment.id)]).email_from,
                         "secret@example.com")

    def test_targets_follow_their_lead(self):
        campaign = self.env["utm.campaign"].create({"title": "Import", "event_id": self.product_b.id})
        target = self.env["crm.campaign.target"].create({
            "campaign_id": campaign.id, "email": "t@example.com",
            "lead_id": self.leads["email_b"].id})
        for role in ("pm", "stl", "se", "sme"):
            Target = self.env["crm.campaign.target"].with_user(self.users[role])
            self.assertFalse(Target.search([("id", "=", target.id)]), role)
        self.assertTrue(self.env["crm.campaign.target"].with_user(self.users["hm"]).search(
            [("id", "=", target.id)]))

    # item 6: wizards are their creator's ---------------------------------------------------
    def test_wizards_are_their_creators(self):
        lead = self.leads["own_se"]
        wizard = self.env["crm.lead.template.wizard"].with_user(self.users["se"]).create(
            {"lead_id": lead.id, "body": "call notes"})
        with self.assertRaises(AccessError):
            wizard.with_user(self.users["sse"]).read(["body"])
        campaign = self.env["utm.campaign"].create({"title": "Import", "event_id": self.product_a.id})
        upload = self.env["crm.campaign.import.wizard"].with_user(self.users["sre"]).create({
            "campaign_id": campaign.id,
            "file": base64.b64encode(b"email,phone\nx@example.com,+919876543210\n"),
            "file_name": "list.csv",
        })
        Wizard = self.env["crm.campaign.import.wizard"].with_user(self.users["jre"])
        self.assertFalse(Wizard.search([("id", "=", upload.id)]))
        with self.assertRaises(AccessError):
            upload.with_user(self.users["jre"]).read(["file"])

    def test_template_wizard_on_a_hidden_lead_is_refused(self):
        with self.assertRaises(AccessError):
            self.env["crm.lead.template.wizard"].with_user(self.users["se"]).create(
                {"lead_id": self.leads["prod_a"].id})
