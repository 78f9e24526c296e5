import json
from datetime import timedelta
from urllib.parse import urlencode

from odoo import fields
from odoo.tests import HttpCase, tagged

from ..controllers.main import LIMITER
from .common import LEAD_E164, make_phone, standalone_sales_setup
from .fake_yeastar import signed_webhook

MAC = "00:15:65:bb:00:01"


@tagged("post_install", "-at_install")
class TestActionUrlHttp(HttpCase):
    """A simulated phone sends real HTTP requests to the running Odoo."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.se, cls.lead = standalone_sales_setup(cls.env, login="yl_http_se")
        cls.phone = make_phone(cls.env, cls.se, MAC, extension="2001")
        cls.secret = cls.phone.sudo().secret

    def setUp(self):
        super().setUp()
        LIMITER.reset()

    def send(self, event, call_id, *args, **kwargs):
        """One Action URL request; by default the request folds its event itself."""
        return self.send_unfolded(event, call_id, *args, **kwargs)

    def fold_in_background(self):
        self.env["ir.config_parameter"].sudo().set_param("crm_yealink.fold_in_background", "1")

    def send_unfolded(self, event, call_id, remote="09694923749", secret=None, mac=MAC, **extra):
        params = {"mac": mac, "call_id": call_id, "local": "sip:2001@pbx.example",
                  "remote": f"sip:{remote}@pbx.example", "display_remote": "Carla", "ip": "10.0.0.9",
                  "model": "T54W", **extra}
        url = f"/yealink/action/{secret or self.secret}/{event}?{urlencode(params)}"
        return self.url_open(url)

    def sequence(self, call_id, *events, **kwargs):
        responses = [self.send(e, call_id, **kwargs) for e in events]
        self.assertEqual([r.status_code for r in responses], [200] * len(events), [r.text for r in responses])
        return self.env["crm.call"].search([("phone_id", "=", self.phone.id), ("call_key", "=", call_id)])

    def assertCall(self, call, **values):  # noqa: N802 - unittest style
        self.assertEqual(len(call), 1, "one call record per call")
        self.assertRecordValues(call, [values])

    def test_answered(self):
        call = self.sequence("a1", "incoming_call", "call_established", "call_terminated")
        self.assertCall(call, state="answered", direction="in", lead_id=self.lead.id, remote_e164=LEAD_E164,
                        user_id=self.se.id, display_remote="Carla")
        self.assertTrue(call.message_id, "posted on the lead")
        self.assertEqual(call.message_id.res_id, self.lead.id)

    def test_missed(self):
        call = self.sequence("m1", "incoming_call", "missed_call")
        self.assertCall(call, state="missed", direction="in")
        self.assertEqual(call.callback_activity_id.res_id, self.lead.id)

    def test_rejected(self):
        call = self.sequence("r1", "incoming_call", "reject_incoming_call", "call_terminated")
        self.assertCall(call, state="rejected")
        self.assertTrue(call.callback_activity_id)

    def test_transferred(self):
        call = self.sequence("t1", "incoming_call", "call_established", "blind_transfer_call", "call_terminated")
        self.assertCall(call, state="transferred")
        self.assertFalse(call.callback_activity_id)

    def test_busy(self):
        self.assertCall(self.sequence("b1", "outgoing_call", "remote_busy", "call_terminated"),
                        state="busy", direction="out", lead_id=self.lead.id)

    def test_cancelled(self):
        self.assertCall(self.sequence("c1", "outgoing_call", "cancel_callout"), state="cancelled", direction="out")

    def test_out_of_order(self):
        call = self.sequence("o1", "call_terminated", "call_established", "incoming_call")
        self.assertCall(call, state="answered", direction="in", talk_seconds=0, lead_id=self.lead.id)
        self.assertFalse(call.callback_activity_id)

    def test_duplicated(self):
        call = self.sequence("d1", "incoming_call", "incoming_call", "missed_call", "missed_call")
        self.assertCall(call, state="missed")
        self.assertEqual(len(call.sudo().event_ids), 2)
        self.assertEqual(self.send("missed_call", "d1").text, "ok", "taken again once folded")
        self.assertEqual(len(call.sudo().event_ids), 2, "the repeated event changed nothing")
        self.assertFalse(self.env["yealink.action.event"].search_count([]), "the queue is folded")
        self.assertEqual(self.env["mail.activity"].search_count(
            [("res_model", "=", "crm.lead"), ("res_id", "=", self.lead.id)]), 1)

    def test_request_folds_its_event_by_default(self):
        cron = self.env.ref("crm_yealink.ir_cron_yealink_fold_events")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        self.assertEqual(self.send("incoming_call", "i1").text, "ok")
        self.assertCall(self.env["crm.call"].search([("call_key", "=", "i1")]), state="ringing",
                        lead_id=self.lead.id)
        self.assertFalse(self.env["yealink.action.event"].search_count([]), "nothing left queued")
        self.assertEqual(self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers,
                         "no scheduled action needed")

    def test_queue_drops_a_repeat_and_keeps_reception_times(self):
        self.fold_in_background()
        queue = self.env["yealink.action.event"]
        cron = self.env.ref("crm_yealink.ir_cron_yealink_fold_events")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        self.assertEqual(self.send_unfolded("incoming_call", "q1").text, "queued")
        self.assertEqual(self.send_unfolded("incoming_call", "q1").text, "duplicate")
        self.assertEqual(self.send_unfolded("call_established", "q1").text, "queued")
        self.assertEqual(self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers + 2,
                         "each queued event triggers the fold")
        self.assertEqual(queue.search_count([]), 2)
        self.assertFalse(self.env["crm.call"].search([("call_key", "=", "q1")]), "not folded yet")
        # folded later: times are those of the requests, not of the fold
        received = fields.Datetime.now() - timedelta(seconds=90)
        queue.search([("event", "=", "incoming_call")]).received_at = received
        self.assertEqual(self.send_unfolded("call_terminated", "q1").text, "queued")
        self.assertEqual(queue._yealink_fold_pending(), 3)
        self.assertFalse(queue.search_count([]))
        call = self.env["crm.call"].search([("call_key", "=", "q1")])
        self.assertCall(call, state="answered", direction="in", ring_start=received, lead_id=self.lead.id)
        self.assertGreaterEqual(call.ring_seconds, 89)

    def test_incoming_call_pops_up_from_the_request_once(self):
        self.fold_in_background()
        bus = self.env["bus.bus"].sudo()
        domain = [("message", "like", "crm_yealink/incoming_call")]
        bus.search(domain).unlink()
        self.send_unfolded("incoming_call", "p1")
        self.send_unfolded("incoming_call", "p1")  # repeated while queued
        notes = bus.search(domain)
        self.assertEqual(len(notes), 1, "popped from the request, before the fold")
        payload = json.loads(notes.message)["payload"]
        self.assertEqual((payload["lead_id"], payload["url"]), (self.lead.id, f"/odoo/crm.lead/{self.lead.id}"))
        self.env["yealink.action.event"]._yealink_fold_pending()
        self.assertCall(self.env["crm.call"].search([("call_key", "=", "p1")]), notified=True, state="ringing")
        self.send("incoming_call", "p1")  # repeated after the fold
        self.send("call_terminated", "p1")
        self.assertEqual(bus.search_count(domain), 1, "no second pop-up")

    def test_wrong_secret_or_mac_changes_nothing(self):
        before = self.env["crm.call"].search_count([])
        self.assertEqual(self.send("incoming_call", "w1", secret="x" * 43).status_code, 403)
        other = make_phone(self.env, self.env.ref("base.user_admin"), "00:15:65:bb:00:02")
        self.assertEqual(self.send("incoming_call", "w1", secret=other.sudo().secret).status_code, 403,
                         "another phone's secret is not this MAC's")
        self.assertEqual(self.send("incoming_call", "w1", mac="00:15:65:bb:00:99").status_code, 403)
        self.assertEqual(self.send("incoming_call", "w1", mac="nonsense").status_code, 400)
        self.assertEqual(self.send("format_flash", "w1").status_code, 400)
        self.assertEqual(self.env["crm.call"].search_count([]), before)
        self.assertFalse(self.env["yealink.action.event"].search_count([]), "nothing queued")

    def test_new_secret_and_archiving_revoke_at_once(self):
        """The phone's authentication is cached per worker: a change clears the cache."""
        self.assertEqual(self.send("hold", "s1").status_code, 200)
        self.phone.action_regenerate_secret()
        self.assertEqual(self.send("hold", "s2").status_code, 403, "the old secret")
        new_secret = self.phone.sudo().secret
        self.assertEqual(self.send("hold", "s3", secret=new_secret).status_code, 200)
        self.phone.active = False
        self.assertEqual(self.send("hold", "s4", secret=new_secret).status_code, 403, "an archived phone")

    def test_unknown_number(self):
        call = self.sequence("u1", "incoming_call", "missed_call", remote="+14155550100")
        self.assertCall(call, state="missed", lead_id=False, partner_id=False, remote_e164="+14155550100")
        self.assertEqual(call.callback_activity_id.res_model, "crm.call")

    def test_local_format(self):
        for call_id, number in (("l1", "9694923749"), ("l2", "09694923749"), ("l3", "+919694923749"),
                                ("l4", "00919694923749")):
            call = self.sequence(call_id, "outgoing_call", remote=number)
            self.assertCall(call, remote_e164=LEAD_E164, lead_id=self.lead.id)

    def test_rate_limit_per_phone(self):
        self.env["ir.config_parameter"].sudo().set_param("crm_yealink.rate_limit", 3)
        codes = [self.send("hold", f"rl{i}").status_code for i in range(5)]
        self.assertEqual(codes, [200, 200, 200, 429, 429])
        LIMITER.reset()
        self.assertEqual(self.send("hold", "rl9").status_code, 200)

    def test_signed_pbx_webhook(self):
        backend = self.env["crm.pbx.backend"].create({"name": "Hook PBX", "base_url": "http://127.0.0.1:9",
                                                      "webhook_secret": "whsec"})
        self.phone.pbx_backend_id = backend
        msg = {"call_id": "1700000000.42", "time_start": "2026/11/23 10:00:00", "call_from": "09694923749",
               "call_to": "2001", "call_duration": 75, "talk_duration": 60, "status": "ANSWERED",
               "type": "Inbound", "recording": "rec42.wav"}
        body, headers = signed_webhook("whsec", msg)
        url = f"/yealink/pbx/{backend.id}/webhook"
        forged = dict(headers, **{"X-Signature": signed_webhook("guess", msg)[1]["X-Signature"]})
        self.assertEqual(self.url_open(url, data=body, headers=forged).status_code, 403)
        self.assertFalse(self.env["crm.call"].search([("pbx_uid", "=", "1700000000.42")]))
        response = self.url_open(url, data=body, headers=headers)
        self.assertEqual((response.status_code, response.text), (200, "created"))
        call = self.env["crm.call"].search([("pbx_uid", "=", "1700000000.42")])
        self.assertCall(call, talk_seconds=60, ring_seconds=15, lead_id=self.lead.id, state="answered",
                        direction="in", source="pbx")
        replay = self.url_open(url, data=body, headers=headers)
        self.assertEqual(replay.text, "duplicate")
        self.assertEqual(self.env["crm.call"].search_count([("pbx_uid", "=", "1700000000.42")]), 1)
