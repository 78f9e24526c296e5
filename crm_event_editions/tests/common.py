from datetime import date, timedelta

from odoo.tests import TransactionCase, new_test_user


class EditionsCase(TransactionCase):
    """A series with a past edition (locked by the tests that need it) and a new one."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.production = cls.env.ref("crm_event_products.crm_department_production")
        cls.email_sales = cls.env.ref("crm_event_products.crm_department_email_sales")
        cls.series = cls.env["crm.event.series"].create({"name": "Test Summit"})
        today = date.today()
        cls.past = cls._create_edition("Test Summit (past)", today - timedelta(days=500), 2001)
        cls.new = cls._create_edition("Test Summit (new)", today - timedelta(days=10), 2002)
        cls.other = cls._create_edition("Other Forum", today - timedelta(days=10), None)
        cls.pm = cls._user("pm", "production_pm")
        cls.p = cls._user("p", "production_p")
        cls.p2 = cls._user("p2", "production_p")
        cls.jme = cls._user("jme", "email_jme")
        cls.pm_elsewhere = cls._user("pm_elsewhere", "production_pm")
        Assignment = cls.env["crm.product.assignment"]
        for edition in (cls.past, cls.new):
            Assignment.create([{"product_id": edition.id, "user_id": user.id}
                               for user in (cls.pm, cls.p, cls.p2, cls.jme)])
        Assignment.create({"product_id": cls.new.id, "user_id": cls.pm_elsewhere.id})
        cls.won_stage = cls.env["crm.stage"].search([("is_won", "=", True)], limit=1)

    @classmethod
    def _create_edition(cls, name, cycle_start, year):
        return cls.env["event.event"].create({
            "name": name,
            "crm_series_id": cls.series.id if year else False,
            "crm_edition_year": year or False,
            "crm_cycle_start": cycle_start,
            "date_begin": cycle_start + timedelta(days=80),
            "date_end": cycle_start + timedelta(days=82),
        })

    @classmethod
    def _user(cls, login, group):
        return new_test_user(
            cls.env, login=f"ed_{login}", name=f"Editions {login.upper()}",
            groups=f"base.group_user,crm_event_products.group_{group}",
        )

    @classmethod
    def _lead(cls, key, edition, owner, kind=False, department=None, **extra):
        return cls.env["crm.lead"].create({
            "name": f"Lead {key}",
            "type": "lead",
            "contact_name": f"First {key}",
            "partner_name": f"Company {key}",
            "email_from": f"{key}@example.com",
            "event_id": edition.id,
            "department_id": (department or cls.production).id,
            "user_id": owner.id,
            "team_id": False,
            "crm_contact_kind": kind,
            **extra,
        })
