import base64
import csv
import io

from odoo.tests import new_test_user, tagged

from .common import EditionsCase


@tagged("post_install", "-at_install")
class TestKindInTeamExport(EditionsCase):
    def test_team_export_has_the_contact_kind(self):
        se = new_test_user(self.env, login="ed_se", name="Editions SE",
                           groups="base.group_user,crm_event_products.group_phone_se")
        team = self.env["crm.team"].create({
            "name": "Editions Team", "crm_product_id": self.new.id, "user_id": se.id})
        self.env["crm.product.assignment"].create({"product_id": self.new.id, "user_id": se.id})
        phone_sales = self.env.ref("crm_event_products.crm_department_phone_sales")
        self._lead("exp1", self.new, se, kind="sponsor", department=phone_sales,
                   team_id=team.id, contact_first_name="Asha")
        wizard = self.env["crm.team.export.wizard"].with_user(se).create(
            {"team_id": team.id, "file_format": "csv"})
        wizard.action_export()
        rows = list(csv.reader(io.StringIO(base64.b64decode(wizard.data).decode("utf-8-sig"))))
        self.assertEqual(rows[0][-1], "Contact kind")
        self.assertEqual(rows[1][0], "Asha")
        self.assertEqual(rows[1][-1], "Sponsor")
