from datetime import date, timedelta

from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestAdminMenusAndPastProducts(TransactionCase):
    """The suite administrator's screens: one settings app, no Apps menu for the roles,
    past products flagged for locking."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.crm_admin = new_test_user(
            cls.env, login="menu_crm_admin", groups="base.group_user,crm_event_products.group_crm_conf_admin")
        cls.system = new_test_user(
            cls.env, login="menu_system", groups="base.group_user,base.group_system")
        cls.roles = [
            new_test_user(cls.env, login=f"menu_{group}", groups=f"base.group_user,crm_event_products.group_{group}")
            for group in ("production_pd", "email_hm", "email_jre", "phone_sm", "phone_se")
        ]

    def _menus(self, user):
        menus = self.env["ir.ui.menu"].with_user(user).load_menus(debug=False)
        return {menu["xmlid"] for menu in menus.values() if isinstance(menu, dict) and menu.get("xmlid")}

    def test_apps_menu_for_administrators_only(self):
        for user in [*self.roles, self.crm_admin]:
            self.assertNotIn("base.menu_management", self._menus(user), user.login)
        self.assertIn("base.menu_management", self._menus(self.system))
        self.assertIn("base.menu_management", self._menus(self.env.ref("base.user_admin")))

    def test_one_settings_app_for_the_suite(self):
        menus = self._menus(self.crm_admin)
        root = self.env.ref("crm_event_products.menu_crm_conf_root")
        self.assertFalse(root.parent_id, "the suite's settings are an app of their own")
        self.assertIn("crm_event_products.menu_crm_conf_root", menus)
        self.assertIn("crm_event_products.menu_crm_conf_products", menus)
        self.assertIn("crm_event_products.menu_crm_conf_departments", menus)
        # the app opens its first item: the products
        first = root.child_id.sorted("sequence")[:1]
        self.assertEqual(first.action, self.env.ref("crm_event_products.action_crm_products"))
        # nothing of the suite is left in Odoo's CRM configuration
        crm_config = self.env.ref("crm.crm_menu_config")
        suite = self.env["ir.model.data"].search([
            ("model", "=", "ir.ui.menu"), ("res_id", "in", crm_config.child_id.ids),
            ("module", "=", "crm_event_products"),
        ])
        self.assertFalse(suite)
        for user in self.roles:
            self.assertNotIn("crm_event_products.menu_crm_conf_root", self._menus(user), user.login)

    def test_past_products_suggest_locking(self):
        today = date.today()
        Product = self.env["event.event"]

        def product(name, start):
            return Product.create({
                "name": name, "crm_cycle_start": start,
                "date_begin": start + timedelta(days=80), "date_end": start + timedelta(days=81),
            })

        running = product("Running", today - timedelta(days=10))
        past = product("Past", today - timedelta(days=200))
        past_locked = product("Past locked", today - timedelta(days=200))
        past_locked.action_crm_lock()
        past_disabled = product("Past disabled", today - timedelta(days=200))
        past_disabled.action_crm_disable()
        products = running | past | past_locked | past_disabled
        self.assertEqual(products.filtered("crm_lock_suggested"), past)
        self.assertEqual(Product.search([("id", "in", products.ids), ("crm_lock_suggested", "=", True)]), past)
        self.assertEqual(
            Product.search([("id", "in", products.ids), ("crm_lock_suggested", "=", False)]),
            products - past)
        self.assertEqual(
            Product.search([("id", "in", products.ids), ("crm_lock_suggested", "!=", True)]),
            products - past)
        past.action_crm_lock()
        self.assertFalse(past.crm_lock_suggested)

    def test_disabled_products_have_a_filter(self):
        view = self.env.ref("crm_event_products.view_event_event_crm_product_search")
        arch = self.env["event.event"].with_user(self.crm_admin).get_view(view.id, "search")["arch"]
        self.assertIn('name="filter_disabled"', arch)
        self.assertIn('name="filter_lock_suggested"', arch)
