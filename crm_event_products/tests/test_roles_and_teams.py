from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import ALL_ROLES, ConferenceCrmCase


@tagged("post_install", "-at_install")
class TestRolesAndTeams(ConferenceCrmCase):
    def test_sixteen_roles_in_three_linear_categories(self):
        roles = self.env["res.groups"].search([("crm_department_id", "!=", False)])
        self.assertEqual(len(roles), 5 + 6 + 5)
        for department in self.departments.values():
            dept_roles = roles.filtered(lambda g, d=department: g.crm_department_id == d)
            levels = sorted(dept_roles.mapped("crm_role_level"))
            self.assertEqual(levels, list(range(1, len(dept_roles) + 1)))
            top = dept_roles.sorted("crm_role_level")[-1]
            # the top role implies every role of its department (hierarchy by implied_ids)
            self.assertEqual(dept_roles - top, top.trans_implied_ids & dept_roles)
            self.assertEqual(department.member_group_id, dept_roles.sorted("crm_role_level")[0])

    def test_user_role_and_department(self):
        for role in ALL_ROLES:
            user = self.users[role]
            with self.subTest(role=role):
                self.assertIn(role.upper(), user.crm_role_id.name)
                self.assertTrue(user.crm_department_id)

    def test_setting_role_replaces_previous_role(self):
        user = new_test_user(self.env, login="switcher", groups="base.group_user,base.group_allow_export")
        user.crm_role_id = self.env.ref("crm_event_products.group_phone_stl")
        self.assertEqual(user.crm_department_id, self.departments["phone_sales"])
        self.assertFalse(user.has_group("base.group_allow_export"))
        user.crm_role_id = self.env.ref("crm_event_products.group_email_hm")
        self.assertEqual(user.crm_department_id, self.departments["email_sales"])
        self.assertFalse(user.has_group("crm_event_products.group_phone_se"))
        self.assertTrue(user.has_group("crm_event_products.group_crm_full_export"))

    def test_one_department_per_user(self):
        with self.assertRaises(ValidationError):
            self.users["p"].groups_id = [(4, self.env.ref("crm_event_products.group_phone_se").id)]

    def test_phone_team_at_most_four_executives(self):
        extra = [
            self._create_role_user(f"exec{i}", "phone_sales", group="se") for i in range(2)
        ]
        self.env["crm.team.member"].create({"crm_team_id": self.team_a.id, "user_id": extra[0].id})
        self.assertEqual(self.team_a.crm_executive_count, 4)
        with self.assertRaisesRegex(ValidationError, "at most 4"):
            self.env["crm.team.member"].create(
                {"crm_team_id": self.team_a.id, "user_id": extra[1].id}
            )

    def test_understaffed_team_is_flagged(self):
        self.assertTrue(self.team_b.crm_understaffed)
        self.assertFalse(self.team_a.crm_understaffed)

    def test_managers_assign_their_products_in_their_department(self):
        Assignment = self.env["crm.product.assignment"].with_user(self.users["pm"])
        new_producer = self._create_role_user("p9", "production", group="p")
        researcher = self._create_role_user("jre9", "email_sales", group="jre")
        Assignment.create({"product_id": self.product_a.id, "user_id": new_producer.id})
        with self.assertRaises(AccessError):  # not a product of the manager
            Assignment.create({"product_id": self.product_b.id, "user_id": new_producer.id})
        with self.assertRaises(AccessError):  # not a user of the manager's department
            Assignment.create({"product_id": self.product_a.id, "user_id": researcher.id})
        with self.assertRaises(AccessError):  # producers do not assign
            self.env["crm.product.assignment"].with_user(self.users["p"]).create(
                {"product_id": self.product_a.id, "user_id": new_producer.id}
            )

    def test_assignment_needs_a_role(self):
        plain = new_test_user(self.env, login="plainuser", groups="base.group_user")
        with self.assertRaisesRegex(ValidationError, "no department role"):
            self.env["crm.product.assignment"].create(
                {"product_id": self.product_a.id, "user_id": plain.id}
            )

    def test_user_form_role_selection(self):
        with Form(self.users["p"], view="base.view_users_form") as form:
            form.crm_role_id = self.env.ref("crm_event_products.group_production_pd")
        self.assertTrue(self.users["p"].has_group("crm_event_products.group_production_pm"))
        self.assertTrue(self.users["p"].has_group("crm_event_products.group_crm_full_export"))
