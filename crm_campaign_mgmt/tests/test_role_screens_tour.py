from datetime import date, timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestRoleScreensTour(HttpCase):
    """Issue 13: the marketing manager's campaign form, the researcher's menus and import
    steps, the suite administrator's settings app and past products (desktop)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        now = fields.Datetime.now()
        cls.product = cls.env["event.event"].create({
            "name": "Role Tour Summit",
            "date_begin": now + timedelta(days=60),
            "date_end": now + timedelta(days=61),
        })

    def _user(self, login, group):
        user = new_test_user(self.env, login=login, password=login, name=login.upper(),
                             groups=f"base.group_user,crm_event_products.{group}")
        self.env["crm.product.assignment"].create({"product_id": self.product.id, "user_id": user.id})
        return user

    def test_marketing_manager_creates_a_campaign(self):
        manager = self._user("role_tour_mm", "group_email_mm")
        self.env["utm.campaign"].create({
            "title": "MM Tour Existing", "event_id": self.product.id, "manager_id": manager.id})
        # a campaign of Odoo's own (no Campaign ID), as UTM's demo "Sale" or "Christmas Special"
        stock = self.env["utm.campaign"].create({"title": "MM Tour Stock UTM"})
        stock.code = False
        self.start_tour("/odoo/action-crm_campaign_mgmt.action_utm_campaign_mgmt",
                        "crm_campaign_mgmt_marketing_manager_tour", login="role_tour_mm")
        campaign = self.env["utm.campaign"].search([("title", "=", "MM Tour New Campaign")])
        self.assertEqual(len(campaign), 1)
        self.assertEqual(campaign.state, "draft")
        self.assertTrue(campaign.code)
        self.assertEqual(campaign.create_uid, manager)

    def test_researcher_menus_and_import_steps(self):
        self._user("role_tour_jre", "group_email_jre")
        self.start_tour("/odoo", "crm_campaign_mgmt_researcher_tour", login="role_tour_jre")
        self.assertFalse(self.env["crm.campaign.import.job"].search(
            [("user_id.login", "=", "role_tour_jre")]), "the researcher left the import")

    def test_suite_admin_settings_and_past_products(self):
        new_test_user(self.env, login="role_tour_admin", password="role_tour_admin", name="Suite Admin",
                      groups="base.group_user,crm_event_products.group_crm_conf_admin")
        today = date.today()
        Product = self.env["event.event"]
        for name, start in (("Admin Tour Past", today - timedelta(days=200)),
                            ("Admin Tour Running", today - timedelta(days=5)),
                            ("Admin Tour Disabled", today - timedelta(days=5))):
            product = Product.create({
                "name": name, "crm_cycle_start": start,
                "date_begin": start + timedelta(days=80), "date_end": start + timedelta(days=81),
            })
        product.action_crm_disable()
        self.start_tour("/odoo", "crm_campaign_mgmt_suite_admin_tour", login="role_tour_admin")

    def test_producer_menus(self):
        self._user("role_tour_p", "group_production_p")
        self.start_tour("/odoo", "crm_campaign_mgmt_producer_tour", login="role_tour_p")
