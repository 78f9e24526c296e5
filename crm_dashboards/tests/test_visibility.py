from odoo.tests import tagged

from .common import DashboardCase


@tagged("post_install", "-at_install")
class TestKpiVisibility(DashboardCase):
    """Roll-up rows are seen like the leads they count (requirements.md role table)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Kpi = cls.env["crm.kpi.daily"].sudo()
        Kpi.search([]).unlink()
        cls.owners = {
            "p2": ("production", cls.product_a, None),
            "jre2": ("email_sales", cls.product_a, None),
            "se2": ("phone_sales", cls.product_a, cls.team_a),
            "se3": ("phone_sales", cls.product_b, cls.team_b),
        }
        Kpi.create([{
            "date": cls.today, "user_id": cls.users[owner].id, "department_id": cls.departments[dept].id,
            "event_id": product.id, "team_id": team.id if team else False, "kpi": "emails_sent", "value": 1,
        } for owner, (dept, product, team) in cls.owners.items()])

    def assertSees(self, role, expected):
        user = self.users[role] if role in self.users else self.admin
        rows = self.env["crm.kpi.daily"].with_user(user).search([])
        self.assertEqual(set(rows.user_id.mapped("login")), {f"{login}_test" for login in expected}, role)
        # aggregates are counted from the same rows
        total = self.env["crm.kpi.daily"].with_user(user).read_group([], ["value:sum"], [])
        self.assertEqual(total[0]["value"] or 0, len(expected), role)

    def test_own_rows(self):
        for role in ("p", "sp", "jre", "sre", "se", "sse"):
            self.assertSees(role, set())
        self.assertSees("p2", {"p2"})
        self.assertSees("jre2", {"jre2"})
        self.assertSees("se2", {"se2"})

    def test_production_managers(self):
        for role in ("pm", "spm", "pd"):
            self.assertSees(role, {"p2"})

    def test_email_sales(self):
        for role in ("jme", "sme", "mm"):
            self.assertSees(role, {"jre2"})
        self.assertSees("hm", {"p2", "jre2"})

    def test_phone_sales_managers(self):
        # team A on product A; se3 is in team B on product B
        for role in ("stl", "asm", "sm"):
            self.assertSees(role, {"se2"})

    def test_administrator(self):
        self.assertSees("crm_admin", {"p2", "jre2", "se2", "se3"})

    def test_dashboard_data_query_count(self):
        """What a dashboard pivot asks (read_group of the roll-up by user and KPI): a fixed
        number of queries, as a team leader (the most complex rules)."""
        Kpi = self.env["crm.kpi.daily"].with_user(self.users["stl"])
        Kpi.read_group([("kpi", "in", ["emails_sent"])], ["value:sum"], ["user_id", "kpi"], lazy=False)
        self.env.invalidate_all()
        with self.assertQueryCount(3):
            groups = Kpi.read_group([("kpi", "in", ["emails_sent", "calls"])], ["value:sum"],
                                    ["user_id", "kpi"], lazy=False)
        self.assertEqual([g["user_id"][0] for g in groups], [self.users["se2"].id])
