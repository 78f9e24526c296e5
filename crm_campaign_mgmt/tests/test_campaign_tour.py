from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestCampaignTour(HttpCase):
    def test_rep_accepts_lead_from_campaign_kanban(self):
        rep = new_test_user(
            self.env, login="cmp_tour_rep", password="cmp_tour_rep", name="Tour Rep",
            groups="base.group_user,crm_event_products.group_phone_se")
        manager = new_test_user(
            self.env, login="cmp_tour_stl", name="Tour Team Leader",
            groups="base.group_user,crm_event_products.group_phone_stl")
        product = self.env["event.event"].create({
            "name": "Tour Summit",
            "date_begin": fields.Datetime.now(),
            "date_end": fields.Datetime.now(),
        })
        self.env["crm.product.assignment"].create([
            {"product_id": product.id, "user_id": user.id} for user in rep | manager])
        campaign = self.env["utm.campaign"].create({
            "title": "Tour Campaign",
            "event_id": product.id,
            "manager_id": manager.id,
            "rep_ids": [(6, 0, rep.ids)],
        })
        # the team leader's lead (imported or made by him): his role lets him assign it
        lead = self.env["crm.lead"].with_user(manager).create({
            "name": "Tour Lead", "event_id": product.id, "campaign_id": campaign.id,
            "user_id": False, "team_id": False}).sudo()
        campaign.action_start()
        assignment = campaign.assignment_ids
        self.assertEqual(assignment.user_id, rep)
        self.assertEqual(assignment.lead_id, lead)
        self.start_tour("/odoo/action-crm_campaign_mgmt.action_utm_campaign_mgmt",
                        "crm_campaign_mgmt_accept_lead_tour", login="cmp_tour_rep")
        self.assertEqual(assignment.state, "accepted")
