from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import LEAD_E164, YealinkCase, event
from .fake_phone import FakePhone


@tagged("post_install", "-at_install")
class TestClickToDial(YealinkCase):
    """Dial from a lead against a local server that behaves like a Yealink phone."""

    def setUp(self):
        super().setUp()
        self.fake = FakePhone(username="admin", password="pw").start()
        self.addCleanup(self.fake.stop)
        self.phone.write({"address": self.fake.address, "web_username": "admin", "web_password": "pw",
                          "account": "1001@pbx.example", "dial_timeout": 1})

    def dial(self, lead=None, user=None):
        lead = lead or self.lead
        return lead.with_user(user or self.se).action_yealink_dial("phone")

    def test_dial_opens_a_call_on_the_lead(self):
        result = self.dial()
        self.assertEqual(self.fake.dials, [("+919694923749", "1001@pbx.example")])
        call = self.env["crm.call"].browse(result["call_id"])
        self.assertRecordValues(call, [{"state": "dialing", "direction": "out", "lead_id": self.lead.id,
                                        "user_id": self.se.id, "remote_e164": LEAD_E164}])
        self.assertIn(call, self.lead.with_user(self.se).yealink_call_ids)
        # the phone then reports the call: same record
        status, same = self.Call._yealink_ingest(self.phone, event("outgoing_call", "d1"))
        self.assertEqual((status, same), ("created", call))

    def test_wrong_credentials(self):
        self.phone.web_password = "stale"
        with self.assertRaisesRegex(UserError, "refused the web user name or password"):
            self.dial()

    def test_no_credentials(self):
        self.phone.web_password = False
        with self.assertRaisesRegex(UserError, "no web address or credentials"):
            self.dial()

    def test_refused(self):
        self.fake.refuse = True
        with self.assertRaisesRegex(UserError, "action_uri_limit_ip"):
            self.dial()

    def test_timeout(self):
        self.fake.delay = 2
        with self.assertRaisesRegex(UserError, "did not answer in time"):
            self.dial()

    def test_unreachable(self):
        self.phone.address = "127.0.0.1:9"
        with self.assertRaisesRegex(UserError, "unreachable"):
            self.dial()

    def test_no_phone(self):
        lead = self.leads["own_sse"]
        lead.sudo().phone = "+91 98123 45678"
        with self.assertRaisesRegex(UserError, "You have no Yealink phone"):
            self.dial(user=self.users["sse"], lead=lead)

    def test_cannot_dial_a_lead_one_may_not_read(self):
        hidden = self.leads["phone_b_team"]
        hidden.sudo().phone = "+91 98123 45678"
        with self.assertRaises(AccessError):
            self.dial(lead=hidden)
        self.assertEqual(self.fake.dials, [])
