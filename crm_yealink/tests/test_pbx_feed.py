from datetime import UTC, datetime, timedelta

from odoo import fields
from odoo.tests import tagged

from .common import YealinkCase, event
from .fake_yeastar import FakeYeastar


def cdr_time(moment):
    return moment.strftime("%Y/%m/%d %H:%M:%S")


@tagged("post_install", "-at_install")
class TestPbxFeed(YealinkCase):
    """Yeastar P-Series feed against a local Yeastar-like server: tokens, paging, reconciliation."""

    def setUp(self):
        super().setUp()
        self.pbx = FakeYeastar().start()
        self.addCleanup(self.pbx.stop)
        self.backend = self.env["crm.pbx.backend"].create({
            "name": "Test PBX", "base_url": self.pbx.url, "client_id": self.pbx.client_id,
            "client_secret": self.pbx.client_secret, "webhook_secret": "whsec", "page_size": 2})
        self.phone.pbx_backend_id = self.backend

    def add_cdr(self, moment, **values):
        return self.pbx.add_cdr(time=cdr_time(moment), timestamp=int(moment.replace(tzinfo=UTC).timestamp()),
                                **values)

    def test_cdr_completes_the_phone_call_without_duplicate(self):
        status, call = self.Call._yealink_ingest(self.phone, event("outgoing_call", "x1"))
        self.Call._yealink_ingest(self.phone, event("call_established", "x1"))
        self.Call._yealink_ingest(self.phone, event("call_terminated", "x1"))
        start = call.ring_start.replace(microsecond=0) - timedelta(seconds=2)
        self.add_cdr(start, call_from="1001", call_to="09694923749", duration=100, ring_duration=12,
                     talk_duration=88, disposition="ANSWERED", call_type="Outbound", record_file="rec-x1.wav")
        self.add_cdr(start, call_from="1002", call_to="0987654321", call_type="Outbound")  # no such phone
        self.add_cdr(start, call_from="1001", call_to="1003", call_type="Internal")
        result = self.backend._sync_cdrs()
        self.assertEqual((result["reconciled"], result["created"], result["skipped"]), (1, 0, 2))
        self.assertRecordValues(call, [{"talk_seconds": 88, "ring_seconds": 12, "source": "both",
                                        "recording_url": "rec-x1.wav", "state": "answered"}])
        self.assertTrue(call.pbx_uid)
        # the next pull sees the same record again (overlap window): nothing changes
        self.pbx.expire_tokens()
        result = self.backend._sync_cdrs()
        self.assertEqual((result["duplicate"], result["created"], result["reconciled"]), (1, 0, 0))
        self.assertEqual(self.Call.search_count([("phone_id", "=", self.phone.id)]), 1)
        # late phone events do not overwrite the PBX's exact figures
        self.Call._yealink_ingest(self.phone, event("hold", "x1"))
        self.assertEqual(call.talk_seconds, 88)

    def test_records_without_phone_call_become_calls_page_by_page(self):
        base = datetime.now(UTC).replace(tzinfo=None, microsecond=0) - timedelta(hours=2)
        for i in range(5):
            self.add_cdr(base + timedelta(minutes=i), call_from="09694923749", call_to="1001",
                         call_type="Inbound", disposition="NO ANSWER" if i % 2 else "ANSWERED",
                         duration=30, talk_duration=0 if i % 2 else 20)
        result = self.backend._sync_cdrs()
        self.assertEqual(result["created"], 5)
        pages = [q["page"] for _m, path, q in self.pbx.calls if path.endswith(("cdr/list", "cdr/search"))]
        self.assertEqual(pages, ["1", "2", "3"])
        calls = self.Call.search([("phone_id", "=", self.phone.id)])
        self.assertEqual(sorted(calls.mapped("state")), ["answered"] * 3 + ["missed"] * 2)
        self.assertEqual(calls.lead_id, self.lead)
        self.assertEqual(len(calls.callback_activity_id), 2)
        self.assertEqual(self.pbx.token_calls, 1)
        self.assertTrue(self.backend.sudo().token_state)
        self.assertEqual(self.backend.last_cdr_start, base + timedelta(minutes=4))

    def test_unreachable_pbx_is_reported(self):
        self.pbx.stop()
        result = self.backend._sync_cdrs()
        self.assertIn("unreachable", result["error"])
        self.assertTrue(self.backend.last_result)

    def test_cron_runs(self):
        self.add_cdr(fields.Datetime.now().replace(microsecond=0), call_from="1001", call_to="09694923749")
        self.env["crm.pbx.backend"]._cron_sync_cdrs()
        self.assertEqual(self.Call.search_count([("pbx_backend_id", "=", self.backend.id)]), 1)
