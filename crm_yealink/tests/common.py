from datetime import date, timedelta

from odoo.tests import new_test_user

from odoo.addons.crm_event_products.tests.common import ConferenceCrmCase

from ..lib.actionurl import parse_event

LEAD_NUMBER = "+91 96949 23749"
LEAD_E164 = "+919694923749"
LOCAL_NUMBER = "09694923749"  # the same number as an Indian phone shows it


def make_phone(env, user, mac, **extra):
    return env["yealink.phone"].sudo().create({
        "name": f"Phone {user.login}", "user_id": user.id, "mac": mac,
        "country_id": env.ref("base.in").id, **extra})


def event(name, call_id, remote=LOCAL_NUMBER, mac="001565aa0001", **params):
    return parse_event(name, {"mac": mac, "call_id": call_id, "remote": f"sip:{remote}@pbx.example",
                              "local": "sip:1001@pbx.example", **params})


class YealinkCase(ConferenceCrmCase):
    """The conference company of crm_event_products' tests, with phones and numbers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.country_id = cls.env.ref("base.in")
        cls.se = cls.users["se"]
        cls.phone = make_phone(cls.env, cls.se, "00:15:65:aa:00:01", extension="1001")
        cls.lead = cls.leads["own_se"]
        cls.lead.sudo().phone = LEAD_NUMBER
        cls.Call = cls.env["crm.call"].sudo()


def standalone_sales_setup(env, login="yl_se"):
    """A product, a Phone Sales team, an executive and his lead with a number (HttpCase data)."""
    env = env(context=dict(env.context, tracking_disable=True))
    env.company.country_id = env.ref("base.in")
    start = date.today() - timedelta(days=5)
    product = env["event.event"].create({
        "name": "Yealink Summit", "crm_cycle_start": start,
        "date_begin": start + timedelta(days=60), "date_end": start + timedelta(days=61)})
    se = new_test_user(env, login=login, groups="base.group_user,crm_event_products.group_phone_se")
    env["crm.product.assignment"].create({"product_id": product.id, "user_id": se.id})
    phone_sales = env.ref("crm_event_products.crm_department_phone_sales")
    team = env["crm.team"].create({"name": "Yealink Team", "crm_department_id": phone_sales.id,
                                   "crm_product_id": product.id, "member_ids": [(6, 0, se.ids)]})
    lead = env["crm.lead"].sudo().create({
        "name": "Yealink tour lead", "type": "lead", "event_id": product.id, "user_id": se.id,
        "team_id": team.id, "department_id": phone_sales.id, "phone": LEAD_NUMBER})
    return se, lead
