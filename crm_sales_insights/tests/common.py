from datetime import timedelta

from odoo import fields

from odoo.addons.crm_event_products.tests.common import ConferenceCrmCase


class InsightsCase(ConferenceCrmCase):
    """The suite's role fixture, plus opportunities with revenue."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.won_stage = cls.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        cls.open_stage = cls.env["crm.stage"].search([("is_won", "=", False)], limit=1)
        cls.now = fields.Datetime.now()
        cls.today = fields.Date.context_today(cls.env["crm.lead"])
        cls.opportunity = cls.leads["own_se"]
        cls.opportunity.write({
            "type": "opportunity", "expected_revenue": 1000.0, "probability": 40.0,
            "stage_id": cls.open_stage.id})

    @classmethod
    def _won_lead(cls, key, department, product, owner, revenue, days_ago, partner=None, team=None):
        lead = cls.env["crm.lead"].create(cls._lead_vals(
            key, department, product, owner, team, type="opportunity", expected_revenue=revenue,
            partner_id=partner.id if partner else False))
        lead.write({"stage_id": cls.won_stage.id, "probability": 100})
        lead.write({"date_closed": cls.now - timedelta(days=days_ago)})
        return lead
