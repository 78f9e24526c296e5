from odoo.tests import HttpCase, tagged

from .common import make_phone, standalone_sales_setup
from .fake_phone import FakePhone


@tagged("post_install", "-at_install")
class TestDialTour(HttpCase):
    """A Sales Executive opens his lead, dials it (a local fake phone answers) and sees the call."""

    def test_dial_from_lead_tour(self):
        se, lead = standalone_sales_setup(self.env, login="yl_tour_se")
        fake = FakePhone(username="admin", password="pw").start()
        self.addCleanup(fake.stop)
        make_phone(self.env, se, "00:15:65:cc:00:01", address=fake.address, web_username="admin",
                   web_password="pw", account="3001@pbx.example", dial_timeout=3)
        self.start_tour("/odoo", "crm_yealink_dial_tour", login="yl_tour_se")
        self.assertEqual(fake.dials, [("+919694923749", "3001@pbx.example")])
        self.assertEqual(lead.yealink_call_ids.state, "dialing")
