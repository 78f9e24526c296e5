from datetime import date, timedelta

from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestDepartmentScreens(HttpCase):
    """Log in as a Phone Sales executive and as the Head of Marketing in a real browser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        start = date.today() - timedelta(days=5)
        product = env["event.event"].create({
            "name": "Tour Summit", "crm_cycle_start": start,
            "date_begin": start + timedelta(days=60), "date_end": start + timedelta(days=61),
        })
        past = env["event.event"].create({
            "name": "Tour Past Summit", "crm_cycle_start": start - timedelta(days=200),
            "date_begin": start - timedelta(days=120), "date_end": start - timedelta(days=119),
        })
        past.action_crm_lock()
        se = new_test_user(env, login="tour_se", groups="base.group_user,crm_event_products.group_phone_se")
        colleague = new_test_user(env, login="tour_se2", groups="base.group_user,crm_event_products.group_phone_se")
        new_test_user(env, login="tour_hm", groups="base.group_user,crm_event_products.group_email_hm")
        producer = new_test_user(env, login="tour_p", groups="base.group_user,crm_event_products.group_production_p")
        dept = {code: env.ref(f"crm_event_products.crm_department_{code}").id
                for code in ("production", "phone_sales")}
        team = env["crm.team"].create({
            "name": "Tour Team", "crm_department_id": dept["phone_sales"], "crm_product_id": product.id,
            "member_ids": [(6, 0, (se | colleague).ids)],
        })
        lead = {"type": "lead", "event_id": product.id}
        env["crm.lead"].sudo().create([
            {**lead, "name": "Tour SE own lead", "user_id": se.id, "team_id": team.id,
             "department_id": dept["phone_sales"]},
            {**lead, "name": "Tour colleague lead", "user_id": colleague.id, "team_id": team.id,
             "department_id": dept["phone_sales"]},
            {**lead, "name": "Tour production lead", "user_id": producer.id,
             "department_id": dept["production"]},
            {**lead, "name": "Tour locked phone lead", "user_id": colleague.id, "event_id": past.id,
             "team_id": team.id, "department_id": dept["phone_sales"]},
        ])

    def test_phone_sales_executive_screens(self):
        self.start_tour("/odoo", "crm_event_products_phone_sales_tour", login="tour_se")

    def test_head_of_marketing_screens(self):
        self.start_tour("/odoo", "crm_event_products_head_of_marketing_tour", login="tour_hm")

    def test_production_director_makes_and_shares_a_speaker(self):
        pd = new_test_user(self.env, login="tour_pd", groups="base.group_user,crm_event_products.group_production_pd")
        product = self.env["event.event"].search([("name", "=", "Tour Summit")])
        self.env["crm.product.assignment"].create({"product_id": product.id, "user_id": pd.id})
        self.start_tour("/odoo", "crm_event_products_production_director_tour", login="tour_pd")
        lead = self.env["crm.lead"].search([("name", "=", "Tour production lead")])
        self.assertTrue(lead.is_speaker)
        self.assertTrue(lead.speaker_unlocked)
