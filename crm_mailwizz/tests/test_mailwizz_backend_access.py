from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged

from .fake_mailwizz import FakeMailWizz


@tagged("post_install", "-at_install")
class TestMailwizzBackendAccess(TransactionCase):
    """The marketing manager and the head of marketing reach the backends: they read them,
    test them and import their lists; configuring them stays the administrators'."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = FakeMailWizz(api_version="both").start()
        cls.addClassCleanup(cls.server.stop)
        cls.server.add_list("Delegates 2027", fields=[("COMPANY", "Company", "no")], segments=["EU"])
        cls.backend = cls.env["mailwizz.backend"].create({
            "name": "MW access",
            "base_url": cls.server.url,
            "api_version": "2",
            "api_key": cls.server.api_key,
            "timeout": 5,
        })
        cls.users = {
            role: new_test_user(cls.env, login=f"mw_access_{role}",
                                groups=f"base.group_user,crm_event_products.group_email_{role}")
            for role in ("sme", "mm", "hm", "jre")
        }

    def _menus(self, user):
        menus = self.env["ir.ui.menu"].with_user(user).load_menus(debug=False)
        return {menu["xmlid"] for menu in menus.values() if isinstance(menu, dict) and menu.get("xmlid")}

    def test_backends_menu_for_marketing_managers(self):
        for role in ("mm", "hm"):
            self.assertIn("crm_mailwizz.menu_mailwizz_backends", self._menus(self.users[role]), role)
        for role in ("sme", "jre"):
            self.assertNotIn("crm_mailwizz.menu_mailwizz_backends", self._menus(self.users[role]), role)

    def test_marketing_manager_connects_and_imports_lists(self):
        for role in ("mm", "hm"):
            backend = self.backend.with_user(self.users[role])
            self.assertEqual(backend.name, "MW access")
            action = backend.action_test_connection()
            self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
            action = backend.action_import_lists()
            self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
            self.assertEqual(backend.list_ids.mapped("name"), ["Delegates 2027"])
            # configuration stays the administrators'
            with self.assertRaises(AccessError):
                backend.write({"base_url": "https://elsewhere.example.com/api"})
            with self.assertRaises(AccessError):
                backend.read(["api_key"])
            # the form is read-only for them: no create, no edit
            arch = backend.get_view(self.env.ref("crm_mailwizz.mailwizz_backend_view_form").id, "form")["arch"]
            self.assertIn('edit="False"', arch)
            self.assertIn('name="action_import_lists"', arch)

    def test_other_roles_cannot_import_lists(self):
        backend = self.backend.with_user(self.users["sme"])
        self.assertEqual(backend.name, "MW access")
        with self.assertRaises(AccessError):
            backend.action_import_lists()
        with self.assertRaises(AccessError):
            backend.action_test_connection()
