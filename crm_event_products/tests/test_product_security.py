"""Product assignments and disabled products (issue 7, items 3 and 13), as the roles that
would try to get around them."""

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import ConferenceCrmCase


@tagged("post_install", "-at_install", "crm_visibility")
class TestProductAssignmentSecurity(ConferenceCrmCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.p3 = cls._create_role_user("p3", "production", group="p")

    def _assign_as(self, role, product, user):
        return self.env["crm.product.assignment"].with_user(self.users[role]).create(
            {"product_id": product.id, "user_id": user.id})

    def test_manager_cannot_assign_himself_a_product_he_does_not_hold(self):
        Lead = self.env["crm.lead"].with_user(self.users["pm"])
        before = Lead.search_count([("event_id", "=", self.product_b.id)])
        with self.assertRaises(AccessError):
            self._assign_as("pm", self.product_b, self.users["pm"])
        self.assertEqual(Lead.search_count([("event_id", "=", self.product_b.id)]), before)

    def test_manager_assigns_his_products_within_his_department(self):
        assignment = self._assign_as("pm", self.product_a, self.p3)
        self.assertEqual(assignment.user_id, self.p3)
        with self.assertRaises(AccessError):
            self._assign_as("pm", self.product_a, self.users["se3"])  # Phone Sales
        with self.assertRaises(AccessError):
            self._assign_as("pm", self.product_b, self.p3)  # a product he does not work

    def test_assignment_cannot_be_moved_by_a_manager(self):
        assignment = self._assign_as("pm", self.product_a, self.p3)
        with self.assertRaises(AccessError):
            assignment.with_user(self.users["pm"]).write({"product_id": self.product_b.id})
        with self.assertRaises(AccessError):
            assignment.with_user(self.users["pm"]).write({"user_id": self.users["pm"].id})
        assignment.with_user(self.admin).write({"product_id": self.product_b.id})
        self.assertEqual(assignment.product_id, self.product_b)

    def test_disabled_product_and_its_assignments_are_the_administrators(self):
        for role in ("jre", "pm", "pd", "hm", "sm"):
            user = self.users[role]
            user.groups_id = [(4, self.env.ref("event.group_event_user").id)]
            Assignment = self.env["crm.product.assignment"].with_user(user)
            self.assertFalse(Assignment.search([("product_id", "=", self.product_disabled.id)]), role)
            self.assertFalse(
                self.env["event.event"].with_user(user).search([("id", "=", self.product_disabled.id)]),
                role)
        self.assertTrue(self.env["crm.product.assignment"].with_user(self.admin).search(
            [("product_id", "=", self.product_disabled.id)]))
