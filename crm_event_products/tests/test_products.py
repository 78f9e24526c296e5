from datetime import date, timedelta

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import ConferenceCrmCase


@tagged("post_install", "-at_install")
class TestProducts(ConferenceCrmCase):
    def test_cycle_defaults_to_three_months(self):
        product = self._create_product("Cycle", date(2027, 1, 15))
        self.assertEqual(product.crm_cycle_end, date(2027, 4, 15))
        self.assertFalse(product.crm_cycle_over)
        self.assertTrue(self.product_locked.crm_cycle_over)
        self.assertIn(
            self.product_locked, self.env["event.event"].search([("crm_cycle_over", "=", True)])
        )

    def test_rename_only_while_active_and_unlocked(self):
        self.product_a.name = "Product A renamed"
        self.assertEqual(self.product_a.name, "Product A renamed")
        with self.assertRaisesRegex(UserError, "only be renamed while it is active"):
            self.product_locked.name = "New name"
        with self.assertRaises(UserError):
            self.product_disabled.name = "New name"

    def test_only_admin_locks_and_disables(self):
        past = self._create_product("Past", date.today() - timedelta(days=120))
        for role in ("pd", "hm", "sm"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                past.with_user(self.users[role]).action_crm_lock()
        past.with_user(self.admin).action_crm_lock()
        self.assertTrue(past.crm_locked)
        past.with_user(self.admin).action_crm_unlock()
        self.assertFalse(past.crm_locked)

    def test_running_product_cannot_be_locked(self):
        with self.assertRaisesRegex(UserError, "Only past products can be locked"):
            self.product_a.with_user(self.admin).action_crm_lock()

    def test_lead_requires_product(self):
        with self.assertRaisesRegex(ValidationError, "must belong to a conference product"):
            self.env["crm.lead"].create({"name": "No product"})
        lead = self.leads["prod_a"]
        with self.assertRaises(ValidationError):
            lead.event_id = False

    def test_no_lead_created_on_locked_product(self):
        with self.assertRaises(UserError):  # AccessError is a UserError
            self.env["crm.lead"].with_user(self.users["pd"]).create(
                {"name": "late", "event_id": self.product_locked.id}
            )

    def test_no_lead_moved_into_locked_product(self):
        lead = self.leads["own_pd"].with_user(self.users["pd"])
        with self.assertRaisesRegex(UserError, "read-only"):
            lead.event_id = self.product_locked

    def test_lead_defaults_department_from_role_and_product_from_team(self):
        lead = self.env["crm.lead"].with_user(self.users["se"]).create(
            {"name": "Phone lead", "team_id": self.team_a.id}
        )
        self.assertEqual(lead.event_id, self.product_a)
        self.assertEqual(lead.department_id, self.departments["phone_sales"])
        self.assertEqual(lead.create_uid, self.users["se"])

    def test_first_and_last_name_make_contact_name(self):
        lead = self.env["crm.lead"].create(
            {
                "name": "Names",
                "event_id": self.product_a.id,
                "contact_first_name": "Ada",
                "contact_last_name": "Lovelace",
            }
        )
        self.assertEqual(lead.contact_name, "Ada Lovelace")
        lead2 = self.env["crm.lead"].create(
            {"name": "Split", "event_id": self.product_a.id, "contact_name": "Grace Brewster Hopper"}
        )
        self.assertEqual((lead2.contact_first_name, lead2.contact_last_name),
                         ("Grace", "Brewster Hopper"))

    def test_form_first_last_name_onchange(self):
        with Form(self.env["crm.lead"].with_user(self.users["p"]).with_context(default_type="lead")) as form:
            form.name = "Form lead"
            form.event_id = self.product_a
            form.contact_first_name = "Alan"
            form.contact_last_name = "Turing"
            self.assertEqual(form.contact_name, "Alan Turing")
            self.assertEqual(form.department_id, self.departments["production"])

    def test_speaker_conversion_only_by_production(self):
        lead = self.leads["own_p"].with_user(self.users["p"])
        lead.action_convert_to_speaker()
        self.assertTrue(lead.is_speaker)
        lead.action_speaker_unlock()
        self.assertTrue(lead.speaker_unlocked)
        with self.assertRaises(AccessError):
            self.leads["own_jre"].with_user(self.users["jre"]).action_convert_to_speaker()
        with self.assertRaisesRegex(UserError, "Only speakers"):
            self.leads["own_pm"].with_user(self.users["pm"]).action_speaker_unlock()
