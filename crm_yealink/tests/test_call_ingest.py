import json
import select
import time
import uuid
from datetime import timedelta

import psycopg2
from psycopg2 import sql as pgsql

from odoo import fields, sql_db
from odoo.tests import tagged

from ..models.yealink_action_event import NOTIFIER
from .common import LEAD_E164, LEAD_NUMBER, YealinkCase, event


@tagged("post_install", "-at_install")
class TestCallIngest(YealinkCase):
    """Folding events into one call per (phone, call id), matching, chatter, activities, bus."""

    def ingest(self, *names, call_id="c1", remote="09694923749"):
        results = [self.Call._yealink_ingest(self.phone, event(n, call_id, remote=remote)) for n in names]
        return results

    def test_answered_incoming_call_on_the_lead(self):
        results = self.ingest("incoming_call", "call_established", "call_terminated")
        statuses = [status for status, _call in results]
        self.assertEqual(statuses, ["created", "updated", "updated"])
        call = results[-1][1]
        self.assertEqual(len({c for _s, c in results}), 1, "one call per call id")
        self.assertRecordValues(call, [{
            "direction": "in", "state": "answered", "lead_id": self.lead.id, "user_id": self.se.id,
            "remote_e164": LEAD_E164, "remote_number": "09694923749", "is_answered": True,
            "team_id": self.team_a.id, "event_id": self.product_a.id, "local_number": "1001",
        }])
        messages = self.lead.message_ids.filtered(lambda m: "Incoming call" in (m.body or ""))
        self.assertEqual(len(messages), 1, "the finished call is posted once on the lead")
        self.assertEqual(messages.author_id, self.se.partner_id)

    def test_duplicate_changes_nothing(self):
        self.ingest("incoming_call", "missed_call")
        status, call = self.ingest("missed_call")[0]
        self.assertEqual(status, "duplicate")
        self.assertEqual(len(call.event_ids), 2)
        self.assertEqual(self.Call.search_count([("phone_id", "=", self.phone.id)]), 1)

    def test_missed_call_gives_a_callback_activity_removed_if_answered_after_all(self):
        call = self.ingest("incoming_call", "call_terminated")[-1][1]
        self.assertEqual(call.state, "missed")
        activity = call.callback_activity_id
        self.assertTrue(activity)
        self.assertRecordValues(activity, [{"res_model": "crm.lead", "res_id": self.lead.id,
                                            "user_id": self.se.id}])
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_call"))
        # a late call_established (reordered in transit): it was answered after all
        self.ingest("call_established")
        self.assertEqual(call.state, "answered")
        self.assertFalse(activity.exists())

    def test_rejected_unknown_number_activity_on_the_call(self):
        call = self.ingest("incoming_call", "reject_incoming_call", remote="+442071234567")[-1][1]
        self.assertRecordValues(call, [{"state": "rejected", "lead_id": False, "partner_id": False,
                                        "remote_e164": "+442071234567"}])
        self.assertEqual(call.callback_activity_id.res_model, "crm.call")
        self.assertFalse(self.env["res.partner"].search([("phone_sanitized", "=", "+442071234567")]),
                         "no partner is created from a number")

    def test_incoming_call_pops_the_lead_on_the_bus(self):
        self.env["bus.bus"].sudo().search([]).unlink()
        self.ingest("incoming_call")
        self.env.cr.precommit.run()
        notifications = self.env["bus.bus"].sudo().search([("message", "like", "crm_yealink/incoming_call")])
        self.assertEqual(len(notifications), 1)
        payload = json.loads(notifications.message)["payload"]
        self.assertEqual((payload["lead_id"], payload["url"]), (self.lead.id, f"/odoo/crm.lead/{self.lead.id}"))
        self.assertEqual(json.loads(notifications.channel)[1:], ["res.partner", self.se.partner_id.id])
        self.ingest("incoming_call")  # duplicate: no second pop-up
        self.env.cr.precommit.run()
        self.assertEqual(self.env["bus.bus"].sudo().search_count(
            [("message", "like", "crm_yealink/incoming_call")]), 1)

    def test_matching_uses_the_users_rights(self):
        """A number of a lead the phone's user may not read does not link the call to it."""
        hidden = self.leads["prod_b"]
        hidden.sudo().phone = "+91 98123 45678"
        call = self.ingest("incoming_call", remote="9812345678")[0][1]
        self.assertEqual(call.remote_e164, "+919812345678")
        self.assertFalse(call.lead_id)

    def test_call_dialed_from_odoo_is_adopted_by_the_phone_events(self):
        dialed = self.Call.create({
            "phone_id": self.phone.id, "user_id": self.se.id, "lead_id": self.lead.id, "direction": "out",
            "state": "dialing", "remote_number": LEAD_NUMBER, "remote_e164": LEAD_E164,
            "ring_start": fields.Datetime.now()})
        call = self.ingest("outgoing_call", "remote_busy", "call_terminated", call_id="o7")[-1][1]
        self.assertEqual(call, dialed)
        self.assertRecordValues(call, [{"state": "busy", "direction": "out", "call_key": "o7"}])
        self.assertFalse(call.callback_activity_id, "no call-back for an outgoing call")

    def test_reused_call_id_after_a_day_is_a_new_call(self):
        first = self.ingest("incoming_call", "call_terminated", call_id="1")[-1][1]
        first.ring_start = fields.Datetime.now() - timedelta(days=1)
        second = self.ingest("incoming_call", call_id="1")[0][1]
        self.assertNotEqual(first, second)

    def test_request_transaction_commits_asynchronously_unless_turned_off(self):
        queue, params = self.env["yealink.action.event"], self.env["ir.config_parameter"].sudo()

        def synchronous_commit_after_enqueue(call_id):
            self.env.cr.execute("SET LOCAL synchronous_commit TO on")
            queue._yealink_enqueue(self.phone.id, event("hold", call_id), trigger=False)
            self.env.cr.execute("SHOW synchronous_commit")
            return self.env.cr.fetchone()[0]

        self.assertEqual(synchronous_commit_after_enqueue("sc1"), "off", "the default")
        params.set_param("crm_yealink.async_commit", "0")
        self.assertEqual(synchronous_commit_after_enqueue("sc2"), "on")
        params.set_param("crm_yealink.async_commit", "1")
        self.assertEqual(synchronous_commit_after_enqueue("sc3"), "off")

    def test_notifications_reach_the_listeners_of_the_postgres_database(self):
        """The cron and websocket workers LISTEN on the ``postgres`` database: the notifier's
        thread sends there what requests queued after their commit, a repeat once."""
        channel = f"crm_yealink_test_{uuid.uuid4().hex[:12]}"
        listener = psycopg2.connect(**sql_db.connection_info_for("postgres")[1])
        listener.autocommit = True
        try:
            with listener.cursor() as cr:
                cr.execute(pgsql.SQL("LISTEN {}").format(pgsql.Identifier(channel)))
            NOTIFIER.notify([(channel, "first"), (channel, "second"), (channel, "first")])
            received, deadline = [], time.monotonic() + 10
            while len(received) < 2 and time.monotonic() < deadline:
                if select.select([listener], [], [], 0.2)[0]:
                    listener.poll()
                    received += [notification.payload for notification in listener.notifies]
                    listener.notifies.clear()
            self.assertEqual(sorted(received), ["first", "second"])
        finally:
            listener.close()

    def test_figures(self):
        self.ingest("outgoing_call", "call_established", "call_terminated", call_id="a")
        self.ingest("incoming_call", "missed_call", call_id="b")
        groups = self.Call._read_group([("phone_id", "=", self.phone.id)], ["user_id"],
                                       ["__count", "answered_rate:avg", "lead_id:count_distinct"])
        self.assertEqual(groups, [(self.se, 2, 50.0, 1)])
        self.assertEqual(self.lead.with_user(self.se).yealink_call_count, 2)
