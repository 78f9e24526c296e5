"""Yealink demo (issue 11, part 8): a few weeks of calls of the Phone Sales users."""

from odoo import fields
from odoo.tests import tagged
from odoo.tests.common import TransactionCase


@tagged("post_install", "-at_install")
class TestYealinkDemo(TransactionCase):
    def test_calls_over_weeks_for_phone_sales(self):
        if not self.env.ref("crm_yealink.phone_demo_se", raise_if_not_found=False):
            self.skipTest("installed without demo data")
        calls = self.env["crm.call"].search([("call_key", "=like", "demo-%")])
        self.assertGreater(len(calls), 300)
        self.assertLess(len(calls), 2000)
        se = self.env.ref("crm_event_products.user_demo_se")
        mine = calls.filtered(lambda call: call.user_id == se)
        span = max(mine.mapped("ring_start")) - min(mine.mapped("ring_start"))
        self.assertGreaterEqual(span.days, 14)
        self.assertLess(max(calls.mapped("ring_start")), fields.Datetime.now())
        self.assertTrue(mine.filtered("is_answered"))
        self.assertTrue(mine.filtered("lead_id"))
