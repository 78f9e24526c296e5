"""Issue 13: a campaign's cost is entered on a campaign the user may use (the picker's
domain and the server's check, as the roles that enter costs)."""

from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from odoo.addons.crm_event_products.tests.common import ConferenceCrmCase


@tagged("post_install", "-at_install")
class TestCampaignCostPicker(ConferenceCrmCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Campaign = cls.env["utm.campaign"]
        cls.campaign_a = Campaign.create(
            {"title": "Cost A", "event_id": cls.product_a.id, "manager_id": cls.users["stl"].id})
        cls.campaign_b = Campaign.create(
            {"title": "Cost B", "event_id": cls.product_b.id, "manager_id": cls.users["stl2"].id})
        cls.channel = cls.env.ref("crm_campaign_mgmt.channel_email")

    def _cost(self, role, campaign):
        return self.env["crm.campaign.cost"].with_user(self.users[role]).create(
            {"campaign_id": campaign.id, "channel_id": self.channel.id, "amount": 100.0})

    def test_cost_picker_offers_ones_campaigns(self):
        form = Form(self.env["crm.campaign.cost"].with_user(self.users["stl2"]))
        domain = form._view["fields"]["campaign_id"]["domain"]
        self.assertEqual(domain, "[('crm_usable', '=', True)]")
        Campaign = self.env["utm.campaign"].with_user(self.users["stl2"])
        offered = Campaign.search([("crm_usable", "=", True), ("title", "like", "Cost ")])
        self.assertEqual(offered, self.campaign_b)

    def test_server_refuses_a_cost_on_another_campaign(self):
        with self.assertRaises(AccessError):
            self._cost("stl2", self.campaign_a)
        self.assertEqual(self._cost("stl2", self.campaign_b).campaign_id, self.campaign_b)
        self.assertEqual(self._cost("stl", self.campaign_a).campaign_id, self.campaign_a)
