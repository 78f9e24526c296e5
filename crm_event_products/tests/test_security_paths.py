import json

from odoo import http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import ConferenceCrmCase


@tagged("post_install", "-at_install")
class TestSpeakerFlagsOnServer(ConferenceCrmCase):
    """Issue 7, item 8: the speaker flags decide who else reads a lead."""

    def test_sales_executive_cannot_share_own_lead_by_write(self):
        lead = self.leads["own_se"]
        jre_leads = self.env["crm.lead"].with_user(self.users["jre"])
        self.assertNotIn(lead, jre_leads.search([]))
        for vals in ({"is_speaker": True, "speaker_unlocked": True}, {"speaker_unlocked": True}):
            with self.subTest(vals=vals), self.assertRaisesRegex(AccessError, "Only Production"):
                lead.with_user(self.users["se"]).write(vals)
        self.assertFalse(lead.is_speaker or lead.speaker_unlocked)
        self.assertNotIn(lead, jre_leads.search([]))
        # what Production does with the buttons, it may also do directly
        own_p = self.leads["own_p"].with_user(self.users["p"])
        own_p.write({"is_speaker": True, "speaker_unlocked": True})
        self.assertIn(self.leads["own_p"], jre_leads.search([]))
        own_p.write({"speaker_unlocked": False})
        self.assertNotIn(self.leads["own_p"], jre_leads.search([]))

    def test_sales_executive_cannot_create_a_shared_speaker(self):
        vals = self._lead_vals("se_forged", "phone_sales", self.product_a, "se", self.team_a)
        Lead = self.env["crm.lead"].with_user(self.users["se"])
        with self.assertRaisesRegex(AccessError, "Only Production"):
            Lead.create({**vals, "is_speaker": True, "speaker_unlocked": True})
        # nor by an import
        result = Lead.load(
            ["name", "event_id/.id", "is_speaker", "speaker_unlocked"],
            [["Imported speaker", str(self.product_a.id), "1", "1"]],
        )
        self.assertFalse(result["ids"])
        self.assertTrue(any("Only Production" in m["message"] for m in result["messages"]))
        self.assertFalse(self.env["crm.lead"].search([("name", "=", "Imported speaker")]))
        # an unflagged lead is still created, and explicit False flags are harmless
        lead = Lead.create({**vals, "is_speaker": False})
        self.assertFalse(lead.is_speaker)

    def test_other_roles_cannot_flag_or_unflag(self):
        cases = [
            ("jre", "own_jre", {"is_speaker": True}),
            ("hm", "own_jme", {"is_speaker": True}),
            ("stl", "phone_a_team", {"speaker_unlocked": True}),
        ]
        for role, key, vals in cases:
            with self.subTest(role=role), self.assertRaises(AccessError):
                self.leads[key].with_user(self.users[role]).write(vals)
        # HM may write the Production speaker but not lock it again for Sales
        with self.assertRaises(AccessError):
            self.leads["speaker_unlocked"].with_user(self.users["hm"]).write(
                {"speaker_unlocked": False}
            )
        # administrators may
        self.leads["own_se"].with_user(self.admin).write({"is_speaker": True})
        self.assertTrue(self.leads["own_se"].is_speaker)


@tagged("post_install", "-at_install")
class TestExportRightFollowsRole(ConferenceCrmCase):
    """Issue 7, item 12c: base.group_allow_export only for roles with full export."""

    def setUp(self):
        super().setUp()
        self.allow_export = self.env.ref("base.group_allow_export")
        self.role_se = self.env.ref("crm_event_products.group_phone_se")

    def _assert_cannot_export(self, user):
        self.assertFalse(user.has_group("base.group_allow_export"))
        with self.assertRaises(UserError):
            self.env["res.partner"].with_user(user).search([], limit=1).export_data(["name"])

    def test_groups_written_on_the_user(self):
        se = self.users["se"]
        se.write({"groups_id": [(4, self.allow_export.id)]})
        self._assert_cannot_export(se)
        hm = self.users["hm"]
        hm.write({"groups_id": [(3, self.allow_export.id)]})
        self.assertTrue(hm.has_group("base.group_allow_export"), "implied by Full Lead Export")

    def test_members_written_on_the_group(self):
        se = self.users["se"]
        self.allow_export.write({"users": [(4, se.id)]})
        self._assert_cannot_export(se)

    def test_role_given_through_groups_to_a_default_user(self):
        # what the user form does: a new user gets the default groups (export included),
        # then the administrator ticks a role in the user's groups
        user = new_test_user(self.env, login="ui_user", groups="base.group_user,base.group_allow_export")
        user.write({"groups_id": [(4, self.role_se.id)]})
        self._assert_cannot_export(user)
        created = self.env["res.users"].create({
            "name": "Created SE", "login": "created_se",
            "groups_id": [(6, 0, [self.env.ref("base.group_user").id, self.role_se.id,
                                  self.allow_export.id])],
        })
        self._assert_cannot_export(created)
        # a role with full export gets (and keeps) it, whichever way it is given
        hm_role = self.env.ref("crm_event_products.group_email_hm")
        user.write({"groups_id": [(3, self.role_se.id), (4, hm_role.id)]})
        self.assertTrue(user.has_group("base.group_allow_export"))

    def test_implied_groups_cannot_grant_export(self):
        with self.assertRaises(ValidationError) as caught:
            self.role_se.write({"implied_ids": [(4, self.allow_export.id)]})
        self.assertIn("Full Lead Export", str(caught.exception))
        self.assertNotIn(self.allow_export, self.role_se.implied_ids)
        exporters = self.env["res.groups"].create(
            {"name": "Exporters", "implied_ids": [(4, self.allow_export.id)]}
        )
        with self.assertRaises(ValidationError) as caught:
            exporters.write({"users": [(4, self.users["sse"].id)]})
        self.assertIn("Exporters", str(caught.exception))
        self.assertNotIn(self.allow_export, self.users["sse"].groups_id)
        # users without a role keep Odoo's behaviour
        plain = new_test_user(self.env, login="plain_exporter", groups="base.group_user")
        exporters.write({"users": [(4, plain.id)]})
        self.assertTrue(plain.has_group("base.group_allow_export"))


PIVOT_DATA = {
    "title": "Leads",
    "model": "crm.lead",
    "measure_count": 1,
    "origin_count": 1,
    "col_group_headers": [[{"title": "Total", "width": 1, "height": 1}]],
    "measure_headers": [{"title": "Count", "is_bold": False}],
    "origin_headers": [],
    "rows": [{"title": "Secret Company", "indent": 0, "values": [{"value": 3, "is_bold": False}]}],
}


@tagged("post_install", "-at_install")
class TestPivotExportController(HttpCase):
    """Issue 7, item 12b: /web/pivot/export_xlsx under the export rights."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for login, group in (("pivot_se", "phone_se"), ("pivot_jre", "email_jre"),
                             ("pivot_hm", "email_hm")):
            new_test_user(cls.env, login=login,
                          groups=f"base.group_user,crm_event_products.group_{group}")

    def _post_pivot(self, login, model="crm.lead"):
        self.authenticate(login, login)
        return self.url_open("/web/pivot/export_xlsx", data={
            "data": json.dumps({**PIVOT_DATA, "model": model}),
            "csrf_token": http.Request.csrf_token(self),
        })

    @mute_logger("odoo.http")
    def test_pivot_export_refused_without_export_right(self):
        for login in ("pivot_se", "pivot_jre"):
            with self.subTest(login=login):
                response = self._post_pivot(login)
                self.assertEqual(response.status_code, 403)
                self.assertNotIn("spreadsheetml", response.headers.get("Content-Type", ""))
                self.assertEqual(self._post_pivot(login, "res.partner").status_code, 403)
        response = self._post_pivot("pivot_hm")
        self.assertEqual(response.status_code, 200)
        self.assertIn("spreadsheetml", response.headers["Content-Type"])


@tagged("post_install", "-at_install")
class TestJsonRouteOnLeads(HttpCase):
    """Odoo's /json/1/<action> route dumps an action's records to users with the export
    feature: a Sales Executive created as the user form does (default groups, export
    included) and given his role in the groups must not get it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("web.json.enabled", True)
        product = cls.env["event.event"].create(
            {"name": "Json Fair", "date_begin": "2030-01-10 08:00:00",
             "date_end": "2030-01-11 18:00:00"}
        )
        cls.se = new_test_user(cls.env, login="json_se",
                               groups="base.group_user,base.group_allow_export")
        cls.se.write({"groups_id": [(4, cls.env.ref("crm_event_products.group_phone_se").id)]})
        cls.env["crm.lead"].create({
            "name": "Json lead of SE", "event_id": product.id, "user_id": cls.se.id,
            "department_id": cls.env.ref("crm_event_products.crm_department_phone_sales").id,
        })
        # a user outside the roles with Odoo's export feature: still no lead export
        cls.plain = new_test_user(
            cls.env, login="json_plain",
            groups="base.group_user,base.group_allow_export,sales_team.group_sale_salesman")
        new_test_user(cls.env, login="json_hm",
                      groups="base.group_user,crm_event_products.group_email_hm")

    def _get_json(self, login):
        self.authenticate(login, login)
        # the headers of a browser opening the URL (what /json/1 takes with a session)
        return self.url_open(
            "/json/1/action-crm.crm_lead_all_leads?view_type=list&limit=80&offset=0&domain=[]",
            headers={"Sec-Fetch-Dest": "document", "Sec-Fetch-Mode": "navigate",
                     "Sec-Fetch-Site": "same-origin", "Sec-Fetch-User": "?1"},
        )

    @mute_logger("odoo.http")
    def test_json_route_refused_without_lead_export(self):
        for login in ("json_se", "json_plain"):
            with self.subTest(login=login):
                response = self._get_json(login)
                self.assertEqual(response.status_code, 403)
                self.assertNotIn("Json lead of SE", response.text)
        response = self._get_json("json_hm")
        self.assertEqual(response.status_code, 200, response.text[:500])
