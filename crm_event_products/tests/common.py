from datetime import date, timedelta

from odoo.tests import TransactionCase, new_test_user

ROLES = {
    "production": ["p", "sp", "pm", "spm", "pd"],
    "email_sales": ["jre", "sre", "jme", "sme", "mm", "hm"],
    "phone_sales": ["se", "sse", "stl", "asm", "sm"],
}
ROLE_GROUP_PREFIX = {"production": "production", "email_sales": "email", "phone_sales": "phone"}
ALL_ROLES = [role for roles in ROLES.values() for role in roles]


class ConferenceCrmCase(TransactionCase):
    """A small conference company: four products, every role, two phone teams."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.departments = {
            code: cls.env.ref(f"crm_event_products.crm_department_{code}") for code in ROLES
        }
        today = date.today()
        cls.product_a = cls._create_product("Product A (running)", today - timedelta(days=10))
        cls.product_b = cls._create_product("Product B (other)", today - timedelta(days=10))
        cls.product_locked = cls._create_product("Product L (past)", today - timedelta(days=200))
        cls.product_locked.action_crm_lock()
        cls.product_disabled = cls._create_product("Product D (disabled)", today)
        cls.product_disabled.action_crm_disable()

        cls.users = {}
        for department, roles in ROLES.items():
            for role in roles:
                cls.users[role] = cls._create_role_user(role, department)
        # colleagues who own the leads that are not a tester's own
        cls.users["p2"] = cls._create_role_user("p2", "production", group="p")
        cls.users["jre2"] = cls._create_role_user("jre2", "email_sales", group="jre")
        cls.users["se2"] = cls._create_role_user("se2", "phone_sales", group="se")
        cls.users["se3"] = cls._create_role_user("se3", "phone_sales", group="se")
        cls.users["stl2"] = cls._create_role_user("stl2", "phone_sales", group="stl")
        cls.admin = new_test_user(
            cls.env, login="crm_admin_test", groups="base.group_user,crm_event_products.group_crm_conf_admin"
        )

        testers = [cls.users[r] for r in ALL_ROLES] + [cls.users[r] for r in ("p2", "jre2", "se2")]
        for product in (cls.product_a, cls.product_locked, cls.product_disabled):
            cls.env["crm.product.assignment"].create(
                [{"product_id": product.id, "user_id": user.id} for user in testers]
            )
        cls.env["crm.product.assignment"].create(
            [{"product_id": cls.product_b.id, "user_id": cls.users[r].id} for r in ("se3", "stl2")]
        )
        cls.env["ir.config_parameter"].sudo().set_param("sales_team.membership_multi", True)
        cls.team_a = cls._create_team(
            "Team A", cls.product_a, leader="stl", members=["se", "sse", "se2", "asm", "sm"]
        )
        cls.team_b = cls._create_team("Team B", cls.product_b, leader="stl2", members=["se3"])
        cls.leads = cls._create_lead_matrix()

    @classmethod
    def _create_product(cls, name, cycle_start):
        return cls.env["event.event"].create(
            {
                "name": name,
                "crm_cycle_start": cycle_start,
                "date_begin": cycle_start + timedelta(days=80),
                "date_end": cycle_start + timedelta(days=82),
            }
        )

    @classmethod
    def _create_role_user(cls, login, department, group=None):
        group_xmlid = f"crm_event_products.group_{ROLE_GROUP_PREFIX[department]}_{group or login}"
        return new_test_user(
            cls.env, login=f"{login}_test", name=f"Tester {login.upper()}",
            groups=f"base.group_user,{group_xmlid}",
        )

    @classmethod
    def _create_team(cls, name, product, leader, members):
        team = cls.env["crm.team"].create(
            {
                "name": name,
                "crm_department_id": cls.departments["phone_sales"].id,
                "crm_product_id": product.id,
                "user_id": cls.users[leader].id,
            }
        )
        cls.env["crm.team.member"].create(
            [{"crm_team_id": team.id, "user_id": cls.users[m].id} for m in members]
        )
        return team

    @classmethod
    def _lead_vals(cls, key, department, product, owner, team=None, **extra):
        first, _sep, last = key.partition("_")
        return {
            "name": f"Lead {key}",
            "type": "lead",
            "contact_first_name": f"First-{key}",
            "contact_last_name": f"Last-{key}",
            "function": f"Title {key}",
            "partner_name": f"Company {key}",
            "event_id": product.id,
            "department_id": cls.departments[department].id,
            "user_id": cls.users[owner].id,
            "team_id": team.id if team else False,
            **extra,
        }

    @classmethod
    def _create_lead_matrix(cls):
        specs = {
            "prod_a": ("production", cls.product_a, "p2"),
            "prod_b": ("production", cls.product_b, "p2"),
            "email_a_research": ("email_sales", cls.product_a, "jre2"),
            "email_b": ("email_sales", cls.product_b, "jre2"),
            "phone_a_team": ("phone_sales", cls.product_a, "se2", cls.team_a),
            "phone_b_team": ("phone_sales", cls.product_b, "se3", cls.team_b),
            "prod_locked": ("production", cls.product_locked, "p2"),
            "email_locked": ("email_sales", cls.product_locked, "jre2"),
            "phone_locked": ("phone_sales", cls.product_locked, "se2", cls.team_a),
            "disabled": ("production", cls.product_disabled, "p2"),
            "speaker_unlocked": ("production", cls.product_a, "p2"),
            "speaker_locked": ("production", cls.product_a, "p2"),
        }
        vals_list, keys = [], []
        for key, spec in specs.items():
            vals_list.append(cls._lead_vals(key, *spec))
            keys.append(key)
        for department, roles in ROLES.items():
            for role in roles:
                team = cls.team_a if department == "phone_sales" else None
                vals_list.append(cls._lead_vals(f"own_{role}", department, cls.product_a, role, team))
                keys.append(f"own_{role}")
        leads = cls.env["crm.lead"].sudo().create(vals_list)
        by_key = dict(zip(keys, leads, strict=True))
        by_key["speaker_unlocked"].write({"is_speaker": True, "speaker_unlocked": True})
        by_key["speaker_locked"].write({"is_speaker": True})
        return by_key
