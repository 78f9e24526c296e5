from odoo.tests import TransactionCase, new_test_user, tagged

EMAIL_CAMPAIGN_MENUS = {
    "crm_campaign_mgmt.menu_email_sales_my_queue",
    "crm_campaign_mail.menu_crm_campaign_metrics_email",
    "crm_campaign_mail.menu_crm_campaign_responses_email",
    "crm_campaign_mail.menu_crm_mail_traces_email",
}


@tagged("post_install", "-at_install")
class TestRoleMenus(TransactionCase):
    """The menus each Email Sales role loads (ir.ui.menu.load_menus as the user)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {
            role: new_test_user(cls.env, login=f"menu_{role}",
                                groups=f"base.group_user,crm_event_products.group_email_{role}")
            for role in ("jre", "sre", "jme", "mm")
        }

    def _menus(self, user):
        menus = self.env["ir.ui.menu"].with_user(user).load_menus(debug=False)
        return {menu["xmlid"] for menu in menus.values() if isinstance(menu, dict) and menu.get("xmlid")}

    def test_researchers_see_their_items_only(self):
        for role in ("jre", "sre"):
            menus = self._menus(self.users[role])
            self.assertFalse(menus & EMAIL_CAMPAIGN_MENUS, f"{role} sees {menus & EMAIL_CAMPAIGN_MENUS}")
            # what a researcher does: his leads and his imports
            self.assertIn("crm_event_products.menu_email_sales_leads", menus)
            self.assertIn("crm_campaign_mgmt.menu_email_sales_import_leads", menus)
            self.assertNotIn("base.menu_management", menus)

    def test_marketing_roles_keep_campaign_figures(self):
        for role in ("jme", "mm"):
            menus = self._menus(self.users[role])
            self.assertEqual(menus & EMAIL_CAMPAIGN_MENUS, EMAIL_CAMPAIGN_MENUS, role)
