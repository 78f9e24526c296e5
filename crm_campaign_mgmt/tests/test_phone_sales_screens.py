from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import CampaignCommon


def _assign(campaign, lead, rep, state="pending"):
    """As the campaign's assignment does: the rep becomes the lead's salesperson."""
    lead.sudo().user_id = rep
    return campaign.env["crm.lead.assignment"].create({
        "lead_id": lead.id, "user_id": rep.id, "campaign_id": campaign.id, "state": state})


@tagged("post_install", "-at_install")
class TestTeamQueue(CampaignCommon):
    """Issue 13: team leaders follow their members' pending and accepted leads."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team.user_id = cls.manager
        cls.campaign = cls._create_campaign()
        cls.leads = cls._create_leads(4, campaign_id=cls.campaign.id)
        cls.team_assignments = (
            _assign(cls.campaign, cls.leads[0], cls.rep1)
            | _assign(cls.campaign, cls.leads[1], cls.rep2, "accepted")
            | _assign(cls.campaign, cls.leads[2], cls.rep3, "declined"))
        cls.outsider = _assign(cls.campaign, cls.leads[3], cls.rep4)

    def test_team_queue_is_the_members_assignments(self):
        Assignment = self.env["crm.lead.assignment"].with_user(self.manager)
        action = self.env.ref("crm_campaign_mgmt.crm_lead_assignment_action_team_queue")
        self.assertIn("search_default_filter_my_team", action.context)
        self.assertIn("search_default_group_user", action.context)
        mine = Assignment.search([("in_my_team", "=", True), ("state", "in", ("pending", "accepted"))])
        self.assertEqual(mine, self.team_assignments[:2])
        self.assertEqual(Assignment.search([("in_my_team", "=", False)]), self.outsider)
        self.assertTrue(self.team_assignments[0].with_user(self.manager).in_my_team)
        self.assertFalse(self.outsider.with_user(self.manager).in_my_team)
        # grouped by rep, as the action opens it
        groups = Assignment.read_group(
            [("in_my_team", "=", True), ("state", "in", ("pending", "accepted"))], ["user_id"], ["user_id"])
        self.assertEqual({g["user_id"][0] for g in groups}, {self.rep1.id, self.rep2.id})

    def test_rep_team_queue_keeps_lead_visibility(self):
        # a rep's "team" filter never shows more than the rules let him read
        visible = self.env["crm.lead.assignment"].with_user(self.rep1).search([("in_my_team", "=", True)])
        self.assertEqual(visible, self.team_assignments[0])

    def test_team_queue_menu_for_team_leaders_only(self):
        menu = self.env.ref("crm_campaign_mgmt.menu_phone_sales_team_queue")
        self.assertIn(menu.id, self.env["ir.ui.menu"].with_user(self.manager)._visible_menu_ids())
        self.assertNotIn(menu.id, self.env["ir.ui.menu"].with_user(self.rep1)._visible_menu_ids())

    def test_my_queue_and_leads_are_different_screens(self):
        queue = self.env.ref("crm_campaign_mgmt.crm_lead_assignment_action_my_queue")
        leads = self.env.ref("crm_event_products.action_phone_sales_leads")
        self.assertNotEqual(queue.name, leads.name)
        self.assertEqual(queue.res_model, "crm.lead.assignment")
        self.assertTrue(queue.view_mode.startswith("kanban"))
        self.assertIn("search_default_filter_open", queue.context)

    def test_phone_sales_form_shows_contact_first(self):
        def form_arch(user):
            return self.env["crm.lead"].with_user(user).get_views([(False, "form")])["views"]["form"]["arch"]

        arch = form_arch(self.rep1)
        quick = arch.index("o_crm_phone_sales_quick")
        self.assertLess(quick, arch.index('name="probability"'))
        self.assertLess(quick, arch.index("<notebook"))
        producer = new_test_user(self.env, login="cmp_producer",
                                 groups="base.group_user,crm_event_products.group_production_pd")
        self.assertNotIn("o_crm_phone_sales_quick", form_arch(producer))
        lead = self.leads[0].with_user(self.manager)
        self.assertTrue(lead.is_phone_sales_user)
        self.assertFalse(lead.with_user(producer).is_phone_sales_user)

    def test_lead_composer_has_a_template_picker(self):
        composer = self.env["mail.compose.message"].with_user(self.rep1)
        arch = composer.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("o_mail_composer_template_phone", arch)


@tagged("post_install", "-at_install")
class TestPhoneSalesTours(HttpCase):
    """The Sales Executive on a phone-sized screen; the team leader's team queue (desktop)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        now = fields.Datetime.now()
        env = cls.env
        cls.product = env["event.event"].create({
            "name": "Queue Tour Summit", "date_begin": now + timedelta(days=60),
            "date_end": now + timedelta(days=61)})
        cls.stl = new_test_user(env, login="tq_stl", password="tq_stl", name="TQ Leader",
                                groups="base.group_user,crm_event_products.group_phone_stl")
        reps = [new_test_user(env, login=f"tq_rep{i}", password=f"tq_rep{i}", name=f"TQ Rep {name}",
                              groups="base.group_user,crm_event_products.group_phone_se")
                for i, name in enumerate(("One", "Two", "Outsider"), start=1)]
        cls.rep1, cls.rep2, cls.outsider = reps
        env["crm.product.assignment"].create(
            [{"product_id": cls.product.id, "user_id": user.id} for user in (cls.stl, *reps)])
        cls.team = env["crm.team"].create({
            "name": "Queue Tour Team", "user_id": cls.stl.id,
            "crm_department_id": env.ref("crm_event_products.crm_department_phone_sales").id,
            "crm_product_id": cls.product.id,
            "member_ids": [fields.Command.set((cls.rep1 | cls.rep2).ids)]})
        cls.campaign = env["utm.campaign"].create({
            "title": "Queue Tour Campaign", "event_id": cls.product.id, "manager_id": cls.stl.id,
            "audience_domain": "[]"})
        leads = env["crm.lead"].with_user(cls.stl).create([
            {"name": f"TQ Lead {i}", "type": "lead", "event_id": cls.product.id, "team_id": cls.team.id,
             "campaign_id": cls.campaign.id} for i in range(3)]).sudo()
        _assign(cls.campaign, leads[0], cls.rep1)
        _assign(cls.campaign, leads[1], cls.rep2, "accepted")
        _assign(cls.campaign, leads[2], cls.outsider)
        cls.se_lead = env["crm.lead"].with_user(cls.rep1).create({
            "name": "SE Phone Tour Lead", "type": "lead", "event_id": cls.product.id,
            "team_id": cls.team.id, "campaign_id": cls.campaign.id, "contact_name": "Asha Rao",
            "partner_name": "Tata Steel", "phone": "+91 98300 12345", "email_from": "asha.rao@example.com",
            "probability": 63.5}).sudo()
        _assign(cls.campaign, cls.se_lead, cls.rep1, "accepted")

    def test_team_leader_opens_team_queue(self):
        self.start_tour("/odoo", "crm_campaign_mgmt_team_leader_queue_tour", login="tq_stl")

    def test_sales_executive_on_a_phone(self):
        self.browser_size = "390x844"
        self.touch_enabled = True
        self.start_tour("/odoo/my-lead-queue", "crm_campaign_mgmt_sales_executive_phone_tour", login="tq_rep1")
