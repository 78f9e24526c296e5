from odoo.tests import new_test_user, tagged

from odoo.addons.crm_event_products.tests.common import ConferenceCrmCase


@tagged("post_install", "-at_install")
class TestHomeAction(ConferenceCrmCase):
    def test_role_lands_on_its_dashboard(self):
        expected = {
            "p": "production", "pd": "production", "jre": "research", "sre": "research",
            "jme": "marketing", "hm": "marketing", "se": "phone_own", "sse": "phone_own",
            "stl": "phone_team", "sm": "phone_team",
        }
        for role, home in expected.items():
            action = self.env.ref(f"crm_dashboards.action_home_{home}")
            self.assertEqual(self.users[role].action_id.id, action.id, role)
            self.assertEqual(action.params, {"dashboard_id": self.env.ref(f"crm_dashboards.dashboard_{home}").id})
            # the role may open its dashboard
            dashboard = self.env.ref(f"crm_dashboards.dashboard_{home}").with_user(self.users[role])
            self.assertTrue(dashboard.get_readonly_dashboard()["snapshot"], role)

    def test_role_change_moves_home_custom_home_kept(self):
        user = new_test_user(self.env, login="home_test", groups="base.group_user")
        self.assertFalse(user.action_id)
        user.groups_id = [(4, self.env.ref("crm_event_products.group_phone_stl").id)]
        self.assertEqual(user.action_id.id, self.env.ref("crm_dashboards.action_home_phone_team").id)
        user.crm_role_id = self.env.ref("crm_event_products.group_production_p")
        self.assertEqual(user.action_id.id, self.env.ref("crm_dashboards.action_home_production").id)
        custom = self.env.ref("crm.crm_lead_action_pipeline")
        user.action_id = custom.id
        user.crm_role_id = self.env.ref("crm_event_products.group_phone_se")
        self.assertEqual(user.action_id.id, custom.id)

    def test_demo_users(self):
        demo = self.env.ref("crm_event_products.user_demo_se", raise_if_not_found=False)
        if not demo:
            self.skipTest("no demo data")
        self.assertEqual(demo.action_id.id, self.env.ref("crm_dashboards.action_home_phone_own").id)
        self.assertEqual(self.env.ref("crm_event_products.user_demo_mm").action_id.id,
                         self.env.ref("crm_dashboards.action_home_marketing").id)
