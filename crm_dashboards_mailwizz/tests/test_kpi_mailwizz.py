from odoo import fields
from odoo.tests import tagged

from odoo.addons.crm_event_products.tests.common import ConferenceCrmCase


@tagged("post_install", "-at_install")
class TestKpiMailwizz(ConferenceCrmCase):
    def test_mailwizz_sends_in_rollup(self):
        mm = self.users["mm"]
        campaign = self.env["utm.campaign"].sudo().create({
            "title": "MailWizz campaign", "event_id": self.product_a.id, "audience_domain": "[]",
            "manager_id": mm.id,
        })
        campaign.write({"mailwizz_sent": 250, "date_sent": fields.Datetime.now()})
        Kpi = self.env["crm.kpi.daily"]
        Kpi._refresh(full=True)
        rows = Kpi.sudo().search([("user_id", "=", mm.id), ("kpi", "=", "emails_sent")])
        self.assertEqual(sum(rows.mapped("value")), 250)
        # incremental: the campaign's new statistics move its manager's figure
        campaign.write({"mailwizz_sent": 300})
        Kpi._refresh()
        rows = Kpi.sudo().search([("user_id", "=", mm.id), ("kpi", "=", "emails_sent")])
        self.assertEqual(sum(rows.mapped("value")), 300)
