import base64
import csv
import io

from odoo.tests import new_test_user, tagged

from .common import EditionsCase


@tagged("post_install", "-at_install")
class TestKindInTeamExport(EditionsCase):
    def test_team_export_adds_the_contact_kind_on_request(self):
        se = new_test_user(self.env, login="ed_se", name="Editions SE",
                           groups="base.group_user,crm_event_products.group_phone_se")
        team = self.env["crm.team"].create({
            "name": "Editions Team", "crm_product_id": self.new.id, "user_id": se.id})
        self.env["crm.product.assignment"].create({"product_id": self.new.id, "user_id": se.id})
        phone_sales = self.env.ref("crm_event_products.crm_department_phone_sales")
        self._lead("exp1", self.new, se, kind="sponsor", department=phone_sales,
                   team_id=team.id, contact_first_name="Asha")
        plain = self._export(se, team, include_contact_kind=False)
        self.assertEqual(plain[0], ["First name", "Last name", "Job title", "Company"])
        rows = self._export(se, team, include_contact_kind=True)
        self.assertEqual(len(rows[0]), 5)
        self.assertEqual(rows[0][-1], "Contact kind")
        self.assertEqual(rows[1][0], "Asha")
        self.assertEqual(rows[1][-1], "Sponsor")

    def _export(self, user, team, **options):
        wizard = self.env["crm.team.export.wizard"].with_user(user).create(
            {"team_id": team.id, "file_format": "csv", **options})
        wizard.action_export()
        return list(csv.reader(io.StringIO(base64.b64decode(wizard.data).decode("utf-8-sig"))))
