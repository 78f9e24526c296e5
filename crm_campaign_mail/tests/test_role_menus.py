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


PHONE_FIGURES = {
    "crm_campaign_mail.menu_crm_campaign_metrics_phone",
    "crm_campaign_mail.menu_crm_campaign_responses_phone",
    "crm_campaign_mail.menu_crm_attribution_report_phone",
}
PRODUCTION_FIGURES = {
    "crm_campaign_mail.menu_crm_campaign_metrics_production",
    "crm_campaign_mail.menu_crm_attribution_report_production",
}


@tagged("post_install", "-at_install")
class TestPhoneProductionMenus(TransactionCase):
    """Campaign mail figures are for the roles that run campaigns (STL and above in Phone
    Sales, PM and above in Production, administrators), not for the reps and producers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {
            role: new_test_user(cls.env, login=f"menu_{department}_{role}",
                                groups=f"base.group_user,crm_event_products.group_{department}_{role}")
            for department, roles in (("phone", ("se", "sse", "stl", "sm")),
                                      ("production", ("p", "sp", "pm", "pd")))
            for role in roles
        }
        cls.users["admin"] = new_test_user(
            cls.env, login="menu_conf_admin",
            groups="base.group_user,crm_event_products.group_crm_conf_admin")

    _menus = TestRoleMenus._menus

    def test_reps_and_producers_do_not_see_campaign_figures(self):
        for role in ("se", "sse", "p", "sp"):
            menus = self._menus(self.users[role])
            self.assertFalse(menus & (PHONE_FIGURES | PRODUCTION_FIGURES), f"{role} sees {menus & PHONE_FIGURES}")
            # what they do stays: the queue, the campaigns list
            self.assertIn("crm_campaign_mgmt.menu_phone_sales_my_queue" if role in ("se", "sse")
                          else "crm_campaign_mgmt.menu_production_my_queue", menus)

    def test_campaign_runners_keep_their_figures(self):
        for role in ("stl", "sm"):
            self.assertEqual(self._menus(self.users[role]) & PHONE_FIGURES, PHONE_FIGURES, role)
        for role in ("pm", "pd"):
            self.assertEqual(self._menus(self.users[role]) & PRODUCTION_FIGURES, PRODUCTION_FIGURES, role)
        menus = self._menus(self.users["admin"])
        self.assertEqual(menus & (PHONE_FIGURES | PRODUCTION_FIGURES), PHONE_FIGURES | PRODUCTION_FIGURES)
