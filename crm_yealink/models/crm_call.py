import logging
import random
from datetime import datetime, time, timedelta

from markupsafe import Markup

from odoo import _, api, fields, models, tools
from odoo.exceptions import UserError
from odoo.tools import SQL, format_duration

from odoo.addons.bus.models.bus import channel_with_db, get_notify_payloads, json_dump
from odoo.addons.phone_validation.tools import phone_validation

from ..lib.callfold import CALLBACK_STATES, FINAL_STATES, fold
from .yealink_action_event import notify_after_commit

_logger = logging.getLogger(__name__)

# a phone's $call_id is reused after a reboot: events of the same id belong to one call
# only within this window
CALL_KEY_WINDOW = timedelta(hours=12)
# a call dialed from Odoo, or a PBX record, is the phone's call if they start this close
MATCH_WINDOW = timedelta(minutes=3)
DIRECTIONS = [("in", "Incoming"), ("out", "Outgoing")]
STATES = [
    ("dialing", "Dialing"),
    ("ringing", "Ringing"),
    ("talking", "In Progress"),
    ("answered", "Answered"),
    ("missed", "Missed"),
    ("rejected", "Rejected"),
    ("busy", "Busy"),
    ("cancelled", "Cancelled"),
    ("transferred", "Transferred"),
]
SOURCES = [("phone", "Phone (Action URL)"), ("pbx", "PBX call record"), ("both", "Phone and PBX")]


def _plain_domain(model, domain):
    """Whether ``domain`` on ``model`` translates to SQL that depends on no data: only stored
    fields along its paths and no hierarchy operator (``child_of``, ``parent_of``), which the
    ORM expands into ids when it translates them."""
    for leaf in domain:
        if not isinstance(leaf, (list, tuple)) or len(leaf) != 3:
            continue  # "&", "|", "!"
        path, operator, _value = leaf
        if operator in ("child_of", "parent_of") or not isinstance(path, str):
            return False
        current = model
        for name in path.split("."):
            field = current._fields.get(name)
            if field is None or not field.store:
                return False
            if field.relational:
                current = current.env[field.comodel_name]
    return True


class CrmCall(models.Model):
    """One phone call, folded from the phone's Action URL events and/or the PBX's call record.

    Visibility follows the lead (``crm.lead.scoped.mixin``); calls without a lead are their
    user's and, for Phone Sales team leaders and managers, their teams'."""

    _name = "crm.call"
    _description = "Phone Call"
    _inherit = ["mail.thread", "mail.activity.mixin", "crm.lead.scoped.mixin"]
    _order = "ring_start desc, id desc"
    _rec_name = "name"
    _lead_scope_field = "lead_id"

    name = fields.Char(compute="_compute_name", store=True)
    phone_id = fields.Many2one("yealink.phone", string="Phone", index=True, ondelete="set null", readonly=True)
    call_key = fields.Char(string="Phone Call ID", index=True, readonly=True, copy=False,
                           help="$call_id reported by the phone.")
    user_id = fields.Many2one("res.users", string="User", index=True, readonly=True, ondelete="set null")
    lead_id = fields.Many2one("crm.lead", string="Lead", index=True, ondelete="set null", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Contact", index=True, ondelete="set null", readonly=True)
    team_id = fields.Many2one("crm.team", string="Team", compute="_compute_team_product", store=True, index=True)
    event_id = fields.Many2one("event.event", string="Product", compute="_compute_team_product", store=True,
                               index=True)
    direction = fields.Selection(DIRECTIONS, index=True, readonly=True)
    state = fields.Selection(STATES, default="ringing", required=True, index=True, readonly=True)
    source = fields.Selection(SOURCES, default="phone", required=True, readonly=True)
    ring_start = fields.Datetime(string="Start", index=True, readonly=True, default=fields.Datetime.now)
    answer_time = fields.Datetime(readonly=True)
    end_time = fields.Datetime(readonly=True)
    ring_seconds = fields.Integer(string="Ring Time (s)", aggregator="sum", readonly=True)
    talk_seconds = fields.Integer(string="Talk Time (s)", aggregator="sum", readonly=True)
    talk_minutes = fields.Float(string="Talk Time (min)", compute="_compute_figures", store=True, aggregator="sum",
                                digits=(16, 1))
    answered_rate = fields.Float(string="Answer Rate (%)", compute="_compute_figures", store=True, aggregator="avg",
                                 digits=(16, 1),
                                 help="100 for an answered call, 0 otherwise: averaged, the answer rate.")
    is_answered = fields.Boolean(string="Answered", compute="_compute_figures", store=True)
    local_number = fields.Char(readonly=True)
    remote_number = fields.Char(string="Number", readonly=True)
    remote_e164 = fields.Char(string="Number (E.164)", index=True, readonly=True)
    display_remote = fields.Char(string="Caller Name", readonly=True)
    pbx_backend_id = fields.Many2one("crm.pbx.backend", string="PBX", readonly=True, ondelete="set null")
    pbx_uid = fields.Char(string="PBX Call Record", readonly=True, copy=False, index=True)
    recording_url = fields.Char(string="Recording File", readonly=True,
                                help="The PBX's recording of the call (file name on the PBX).")
    note = fields.Text()
    event_ids = fields.One2many("crm.call.event", "crm_call_id", string="Events",
                                groups="base.group_system,crm_event_products.group_crm_conf_admin")
    posted = fields.Boolean(readonly=True, copy=False)
    notified = fields.Boolean(readonly=True, copy=False)
    message_id = fields.Many2one("mail.message", readonly=True, copy=False, ondelete="set null")
    callback_activity_id = fields.Many2one("mail.activity", readonly=True, copy=False, ondelete="set null")

    _sql_constraints = [
        ("pbx_uid_unique", "unique(pbx_backend_id, pbx_uid)", "This PBX call record is already a call."),
    ]

    def init(self):
        # the phone's requests look a call up by (phone, call id) among recent calls
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS crm_call_phone_key_idx ON crm_call (phone_id, call_key, ring_start)"
        )
        # a caller's number is matched to contacts too (crm.lead has this index, res.partner not)
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS res_partner_phone_sanitized_yealink_idx ON res_partner (phone_sanitized)
                WHERE phone_sanitized IS NOT NULL"""
        )

    @api.depends("direction", "remote_number", "display_remote")
    def _compute_name(self):
        labels = dict(DIRECTIONS)
        for call in self:
            who = call.remote_number or call.display_remote or _("unknown number")
            call.name = f"{labels.get(call.direction) or _('Call')} {who}"

    @api.depends("lead_id", "user_id")
    def _compute_team_product(self):
        Member = self.env["crm.team.member"].sudo()
        members = Member.search([
            ("user_id", "in", self.user_id.ids),
            ("crm_team_id.crm_department_id.code", "=", "phone_sales"),
        ])
        team_of_user = {}
        for member in members:
            team_of_user.setdefault(member.user_id.id, member.crm_team_id)
        for call in self:
            lead = call.lead_id.sudo()
            team = lead.team_id if lead.team_id.crm_department_id.code == "phone_sales" else None
            team = team or team_of_user.get(call.user_id.id) or lead.team_id
            call.team_id = team
            call.event_id = lead.event_id or team.crm_product_id

    @api.depends("state", "talk_seconds")
    def _compute_figures(self):
        for call in self:
            answered = call.state == "answered" or (call.state == "transferred" and call.talk_seconds > 0)
            call.is_answered = answered
            call.answered_rate = 100.0 if answered else 0.0
            call.talk_minutes = call.talk_seconds / 60.0

    # ------------------------------------------------------------------ matching
    @api.model
    def _yealink_e164(self, number, country):
        """E.164 form of a number in any format (local numbers in ``country``), or False."""
        return self._yealink_e164_in(number, country.code, country.phone_code)

    @api.model
    def _yealink_e164_in(self, number, country_code, country_phone_code):
        """``_yealink_e164`` with the country as its ISO code and calling code (what
        ``_phone_format_number`` reads of it): a number given as ``+cc...`` keeps its own."""
        if not number or len(number.lstrip("+")) < 6:
            return False  # an internal extension
        try:
            return phone_validation.phone_format(number, country_code or None, country_phone_code or None,
                                                 force_format="E164", raise_exception=True)
        except UserError:
            return False

    @api.model
    def _yealink_match(self, e164, user):
        """(lead, partner) of ``e164`` that ``user`` may read, through the sanitized-phone index
        (``_yealink_match_row``), as superuser records."""
        lead_id, partner_id, _name = self._yealink_match_row(e164, user.id)
        return self.env["crm.lead"].sudo().browse(lead_id), self.env["res.partner"].sudo().browse(partner_id)

    @api.model
    def _yealink_match_row(self, e164, user_id):
        """``(lead id, partner id, lead name)`` of the lead and contact of ``e164`` that user
        ``user_id`` may read (ids False and name "" for none): his own lead of that number
        first, else the latest he may read, and its contact, else the latest contact he may
        read of that number.

        The index is probed first (one query, no rules: the ids of every lead and contact of
        that number); the user's record rules then filter those few ids only, and not at all
        for an unknown number. Same result as searching ``phone_sanitized = e164`` as the user.
        Memoised until the transaction ends (the pop-up and the fold of an ``incoming_call``
        match the same number in one request; the transaction's snapshot does not change, and
        ingesting does not write numbers or rights)."""
        if not e164:
            return False, False, ""
        # postcommit data: dropped at commit and rollback (precommit data is at every flush)
        memo = self.env.cr.postcommit.data.setdefault("crm_yealink.match", {})
        key = (e164, user_id)
        if key not in memo:
            lead_ids, partner_ids = self._yealink_number_candidates(e164)
            rows = self._yealink_readable_leads(lead_ids, user_id) if lead_ids else []
            lead_id, _owner, partner_id, name = next(
                (row for row in rows if row[1] == user_id), rows[0] if rows else (False, False, False, ""))
            if not partner_id and partner_ids:
                partner_id = self.env["res.partner"].with_user(user_id).search(
                    [("id", "in", partner_ids)], order="id desc", limit=1).id
            memo[key] = (lead_id, partner_id or False, name or "")
        return memo[key]

    @api.model
    def _yealink_readable_leads(self, lead_ids, user_id):
        """``[(id, user_id, partner_id, name)]`` of the leads of ``lead_ids`` that user
        ``user_id`` may read, latest written first, at most 20: his search of
        ``[("id", "in", lead_ids)]``, with the condition of his rules translated once
        (``_yealink_readable_leads_condition``)."""
        condition = self._yealink_readable_leads_condition(user_id)
        if condition is None:
            leads = self.env["crm.lead"].with_user(user_id).search_fetch(
                [("id", "in", lead_ids)], ["user_id", "partner_id", "name"], order="write_date desc, id desc", limit=20)
            return [(lead.id, lead.user_id.id, lead.partner_id.id, lead.name) for lead in leads]
        return self.env.execute_query(SQL(
            """SELECT "crm_lead"."id", "crm_lead"."user_id", "crm_lead"."partner_id", "crm_lead"."name"
                 FROM "crm_lead"
                WHERE "crm_lead"."id" = ANY(%s) AND %s
                ORDER BY "crm_lead"."write_date" DESC, "crm_lead"."id" DESC
                LIMIT 20""",
            list(lead_ids), condition,
        ))

    @api.model
    @tools.ormcache("user_id", "tuple(self.env.context.get('allowed_company_ids') or ())")
    def _yealink_readable_leads_condition(self, user_id):
        """The condition (``SQL``, on table ``crm_lead``) with which a search of leads by user
        ``user_id`` keeps those he may read (his record rules and the active test), or None
        when that search needs more than the table (the caller then searches).

        Translating the rules' domain is most of the CPU of a match (about 1.5 ms a call
        for a Phone Sales user's rules); it depends only on that domain, which Odoo caches
        per user in the same registry cache (``ir.rule._compute_domain``): both are cleared
        together when rules, groups, users' companies or access rights change. The SQL keeps
        the fields to flush before it runs (``env.execute_query`` flushes them).

        Only rules made of stored fields and plain operators are translated once: a
        ``child_of`` or a computed field's search is expanded into ids when translated, from
        data no cache follows (then None: the caller searches each time)."""
        Lead = self.env["crm.lead"].with_user(user_id).with_context(active_test=True)
        rules_domain = self.env["ir.rule"].with_user(user_id)._compute_domain(Lead._name, "read") or []
        if not _plain_domain(Lead, rules_domain):
            return None
        query = Lead._search([])
        if query.is_empty():
            return SQL("FALSE")
        if query._joins or query._ids is not None or list(query._tables) != ["crm_lead"]:
            return None
        return query.where_clause or SQL("TRUE")

    @api.model
    def _yealink_number_candidates(self, e164):
        """``(lead ids, partner ids)`` of every lead and contact whose sanitized number is
        ``e164``, archived ones included, no rule applied: a probe of the ``phone_sanitized``
        indexes of both tables in one query, for ``_yealink_match`` to filter."""
        self.env["crm.lead"].flush_model(["phone_sanitized"])
        self.env["res.partner"].flush_model(["phone_sanitized"])
        self.env.cr.execute(
            """SELECT 'crm.lead', id FROM crm_lead WHERE phone_sanitized = %(number)s
               UNION ALL
               SELECT 'res.partner', id FROM res_partner WHERE phone_sanitized = %(number)s""",
            {"number": e164},
        )
        ids = {"crm.lead": [], "res.partner": []}
        for model, record_id in self.env.cr.fetchall():
            ids[model].append(record_id)
        return ids["crm.lead"], ids["res.partner"]

    # ------------------------------------------------------------------ Action URL ingestion
    @api.model
    def _yealink_ingest(self, phone, event, received_at=None, notified=False):
        """Record one Action URL event of ``phone`` (already authenticated); fold it into its call.

        Runs as superuser on behalf of the phone (the controller authenticated it by its secret):
        the call is the phone user's, leads and contacts are matched with the user's rights.
        ``received_at``: when the request came in (default now); ``notified``: the endpoint
        already sent the incoming-call pop-up for this event.
        Returns ``(status, call)``, status "created" | "updated" | "duplicate"."""
        cr = self.env.cr
        now = received_at or fields.Datetime.now()
        # one transaction at a time per (phone, call id): concurrent events of a call fold in turn
        cr.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (phone.id, event.call_id))
        call = self.search([
            ("phone_id", "=", phone.id), ("call_key", "=", event.call_id),
            ("ring_start", ">=", now - CALL_KEY_WINDOW),
        ], limit=1, order="id desc")
        status = "updated"
        if not call:
            call = self._yealink_adopt_or_create(phone, event, now)
            status = "created"
        cr.execute(
            """INSERT INTO crm_call_event (crm_call_id, phone_id, call_key, event, received_at, remote,
                                           create_uid, write_uid, create_date, write_date)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s, now() at time zone 'UTC', now() at time zone 'UTC')
               ON CONFLICT (crm_call_id, event) DO NOTHING RETURNING id""",
            (call.id, phone.id, event.call_id, event.event, now, event.remote or None, self.env.uid, self.env.uid),
        )
        if not cr.fetchone():
            return "duplicate", call
        cr.execute("SELECT event, received_at FROM crm_call_event WHERE crm_call_id = %s", (call.id,))
        summary = fold(cr.fetchall(), direction_hint=call.direction or "")
        vals = {
            "state": summary.state,
            "direction": summary.direction or call.direction or "in",
            "ring_start": summary.ring_start or call.ring_start,
            "answer_time": summary.answer_time,
            "end_time": summary.end_time,
        }
        if call.source == "pbx":
            vals["source"] = "both"
        if call.pbx_uid:  # the PBX's figures are exact: keep them
            for key in ("ring_start", "answer_time", "end_time", "state"):
                vals.pop(key)
        else:
            vals.update(ring_seconds=summary.ring_seconds, talk_seconds=summary.talk_seconds)
        if event.local and not call.local_number:
            vals["local_number"] = event.local
        if event.display_remote and not call.display_remote:
            vals["display_remote"] = event.display_remote
        if event.remote and not call.remote_number:
            vals.update(self._yealink_number_vals(phone, event.remote))
        if notified:
            vals["notified"] = True
        if not phone.last_event_date or now - phone.last_event_date > timedelta(minutes=1):
            phone.sudo().last_event_date = now  # at most a write a minute: no lock on the phone per event
        previous_state = call.state
        # no tracked field, followers set at creation: skip mail.thread's tracking and auto-subscription
        call.with_context(**self._yealink_create_context()).write(call._yealink_changed(vals))
        call._yealink_after_update(previous_state, event.event)
        return status, call

    def _yealink_changed(self, vals):
        """The part of ``vals`` that changes this call (no write, no recompute for the rest)."""
        self.ensure_one()
        changed = {}
        for name, value in vals.items():
            current = self[name]
            if self._fields[name].type == "many2one":
                current = current.id
            if current != value:
                changed[name] = value
        return changed

    @api.model
    def _yealink_number_vals(self, phone, remote):
        e164 = self._yealink_e164(remote, phone._phone_country())
        lead, partner = self._yealink_match(e164, phone.user_id)
        return {"remote_number": remote, "remote_e164": e164 or False, "lead_id": lead.id, "partner_id": partner.id}

    @api.model
    def _yealink_adopt_or_create(self, phone, event, now):
        """The call this first event of a new $call_id belongs to: a call dialed from Odoo or
        a PBX record of the same number at about the same time, else a new call."""
        e164 = event.remote and self._yealink_e164(event.remote, phone._phone_country())
        if e164:
            candidate = self.search([
                ("phone_id", "=", phone.id), ("call_key", "=", False), ("remote_e164", "=", e164),
                ("ring_start", ">=", now - MATCH_WINDOW), ("ring_start", "<=", now + MATCH_WINDOW),
            ], order="ring_start desc", limit=1)
            if candidate:
                candidate.call_key = event.call_id
                return candidate
        return self.with_context(**self._yealink_create_context()).create({
            "phone_id": phone.id,
            "call_key": event.call_id,
            "user_id": phone.user_id.id,
            "ring_start": now,
            "state": "ringing",
        })

    @api.model
    def _yealink_create_context(self):
        return {"tracking_disable": True, "mail_create_nolog": True, "mail_create_nosubscribe": True,
                "mail_notrack": True}

    # ------------------------------------------------------------------ side effects
    def _yealink_after_update(self, previous_state, event_name=None):
        """Pop the lead of a ringing incoming call, post a finished call on its lead, give the
        user a call-back activity for a missed or rejected incoming call (removed again if a
        late event shows it was answered after all)."""
        for call in self:
            if call.direction == "in" and not call.notified and call.state in ("ringing", "talking") \
                    and event_name in ("incoming_call", None):
                call._yealink_notify_incoming()
            if call.state in FINAL_STATES:
                call._yealink_post_on_lead(update=call.state != previous_state)
            wants_callback = call.direction == "in" and call.state in CALLBACK_STATES
            if wants_callback and not call.callback_activity_id:
                call._yealink_schedule_callback()
            elif not wants_callback and call.callback_activity_id:
                call.callback_activity_id.sudo().unlink()

    def _yealink_notify_incoming(self):
        self.ensure_one()
        self.notified = True
        if not self.user_id:
            return
        payload = self._yealink_popup_payload(self.id, self.remote_number, self.display_remote, self.lead_id,
                                              self.partner_id)
        self._yealink_send_popup(self.user_id, payload)

    @api.model
    def _yealink_send_popup(self, user, payload):
        """Send the incoming-call pop-up ``payload`` to ``user``'s browser tabs: what
        ``user._bus_send`` does, but the websocket workers are notified after the commit over
        the kept connection of ``yealink_action_event.NOTIFIER``, with the transaction's wake of
        the cron workers (``bus.bus`` opens a new PostgreSQL connection for it)."""
        channel, message, notification = self._yealink_popup_message(user, payload)
        self.env["bus.bus"].sudo().create({"channel": channel, "message": message})
        notify_after_commit(self.env.cr, "imbus", notification)

    @api.model
    def _yealink_popup_message(self, user, payload, partner=None):
        """``(channel, message, imbus notification)`` of the pop-up ``payload`` for ``user`` (or
        his ``partner``, the channel of his browser tabs, when the caller has it), as
        ``bus.bus._sendone`` writes and notifies them (JSON texts)."""
        channel = channel_with_db(self.env.cr.dbname, partner or user._bus_channel())
        message = json_dump({"type": "crm_yealink/incoming_call", "payload": payload})
        # a notification of one channel fits in one payload (get_notify_payloads splits lists)
        return json_dump(channel), message, get_notify_payloads([channel])[0]

    @api.model
    def _yealink_popup_payload(self, call_id, number, caller, lead, partner, lead_name=None):
        return {
            "call_id": call_id or False,
            "title": _("Incoming call"),
            "number": number or "",
            "caller": caller or "",
            "lead_id": lead.id or False,
            "lead_name": (lead.name if lead_name is None else lead_name) or "",
            "partner_id": partner.id or False,
            "url": f"/odoo/crm.lead/{lead.id}" if lead else "",
        }

    @api.model
    def _yealink_incoming_popup(self, phone, event):
        """The pop-up payload of an ``incoming_call`` event, prepared by the endpoint before the
        event is folded (the caller's lead matched with the phone user's rights), or None when
        the phone has no user or the call was already announced or is over."""
        prepared = self._yealink_prepare_popup(phone.id, event)
        return prepared and prepared[0]

    @api.model
    def _yealink_incoming_popup_message(self, phone, event):
        """``_yealink_incoming_popup`` as ``_yealink_popup_message`` gives it to the bus, or None."""
        prepared = self._yealink_prepare_popup(phone.id, event)
        if not prepared:
            return None
        payload, partner = prepared
        return self._yealink_popup_message(None, payload, partner=partner)

    @api.model
    def _yealink_prepare_popup(self, phone_id, event):
        """``(payload, the user's partner)`` of the pop-up of ``event``, or None.

        The endpoint's hot path: the phone's user and country come from the worker's cache and
        the call from one index probe (``_yealink_ringing_context``); the number is matched
        only for a call not announced yet."""
        if event.event != "incoming_call":
            return None
        ringing = self._yealink_ringing_context(phone_id, event.call_id)
        if not ringing or not ringing["user_id"]:
            return None
        call = ringing["call"]
        if call and (call["notified"] or call["state"] not in ("ringing", "talking")):
            return None
        Lead, Partner = self.env["crm.lead"].sudo(), self.env["res.partner"].sudo()
        if call and call["remote_number"]:
            number, lead_name = call["remote_number"], None
            lead, partner = Lead.browse(call["lead_id"]), Partner.browse(call["partner_id"])
        else:
            number = event.remote
            e164 = self._yealink_e164_in(number, ringing["country_code"], ringing["country_phone_code"])
            lead_id, partner_id, lead_name = self._yealink_match_row(e164, ringing["user_id"])
            lead, partner = Lead.browse(lead_id), Partner.browse(partner_id)
        caller = (call and call["display_remote"]) or event.display_remote
        payload = self._yealink_popup_payload(call and call["id"], number, caller, lead, partner, lead_name)
        return payload, Partner.browse(ringing["partner_id"])

    @api.model
    def _yealink_ringing_context(self, phone_id, call_key):
        """What the pop-up of a call of phone ``phone_id`` needs: ``user_id`` and ``partner_id``
        of the phone's user, ``country_code`` and ``country_phone_code`` of its local numbers
        (``yealink.phone._yealink_ring_row``, cached), and ``call`` (dict), the call
        ``call_key`` of the phone if an earlier event made it (as ``_yealink_ingest`` finds it,
        one index probe); None for no such phone."""
        ring = self.env["yealink.phone"]._yealink_ring_row(phone_id)
        if not ring:
            return None
        self.flush_model(["phone_id", "call_key", "ring_start", "notified", "state", "remote_number",
                          "display_remote", "lead_id", "partner_id"])
        self.env.cr.execute(
            """SELECT id, notified, state, remote_number, display_remote, lead_id, partner_id
                 FROM crm_call
                WHERE phone_id = %s AND call_key = %s AND ring_start >= %s
                ORDER BY id DESC LIMIT 1""",
            (phone_id, call_key, fields.Datetime.now() - CALL_KEY_WINDOW),
        )
        row = self.env.cr.fetchone()
        call = dict(zip(("id", "notified", "state", "remote_number", "display_remote", "lead_id", "partner_id"),
                        row)) if row else None
        user_id, partner_id, code, phone_code = ring
        return {"user_id": user_id, "partner_id": partner_id, "country_code": code,
                "country_phone_code": phone_code, "call": call}

    def _yealink_summary(self):
        self.ensure_one()
        labels = dict(self._fields["state"]._description_selection(self.env))
        direction = _("Incoming call") if self.direction == "in" else _("Outgoing call")
        parts = [f"{direction}: {labels.get(self.state)}"]
        if self.talk_seconds:
            parts.append(_("talk time %s", format_duration(self.talk_seconds / 3600.0)))
        if self.remote_number:
            parts.append(self.remote_number)
        return " - ".join(parts)

    def _yealink_post_on_lead(self, update=False):
        self.ensure_one()
        if not self.lead_id:
            return
        body = Markup("<p>%s</p>") % self._yealink_summary()
        if self.recording_url:
            body += Markup("<p>%s</p>") % _("Recording: %s", self.recording_url)
        if self.message_id:
            if update:
                self.message_id.sudo().body = body
            return
        # posted by the call's user on a lead the user may read (matched with his rights)
        message = self.lead_id.sudo().with_context(mail_post_autofollow=False).message_post(
            body=body, message_type="comment", subtype_xmlid="mail.mt_note",
            author_id=self.user_id.partner_id.id or None)
        self.write({"message_id": message.id, "posted": True})

    def _yealink_schedule_callback(self):
        self.ensure_one()
        if not self.user_id:
            return
        summary = _("Call back %s", self.remote_number or self.display_remote or _("the caller"))
        record = self.lead_id.sudo() or self.sudo()
        activity = record.activity_schedule(
            "mail.mail_activity_data_call", user_id=self.user_id.id, summary=summary,
            note=self._yealink_summary(), date_deadline=fields.Date.context_today(self))
        self.callback_activity_id = activity.id

    # ------------------------------------------------------------------ click-to-dial
    @api.model
    def _yealink_dial_record(self, record, field_name):
        record.ensure_one()
        if field_name not in record._phone_get_number_fields() and field_name not in ("phone", "mobile"):
            raise UserError(_("%s is not a phone number field.", field_name))
        record.check_access("read")
        number = record[field_name]
        if not number:
            raise UserError(_("There is no number to dial."))
        phone = self.env["yealink.phone"]._current_user_phone()
        phone._dial(number)
        lead = record if record._name == "crm.lead" else self.env["crm.lead"]
        partner = record if record._name == "res.partner" else record.partner_id
        e164 = self._yealink_e164(number, phone._phone_country())
        # calls are written by the phone feed only; this one is the user's own, on a record he can read
        call = self.sudo().with_context(**self._yealink_create_context()).create({
            "phone_id": phone.id,
            "user_id": self.env.uid,
            "lead_id": lead.id,
            "partner_id": partner.id,
            "direction": "out",
            "state": "dialing",
            "remote_number": number,
            "remote_e164": e164 or False,
            "ring_start": fields.Datetime.now(),
        })
        return {"call_id": call.id, "message": _("Your phone is dialing %s.", number)}

    # ------------------------------------------------------------------ UI
    def action_open_lead(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "crm.lead", "res_id": self.lead_id.id,
                "view_mode": "form", "views": [(False, "form")]}

    # ------------------------------------------------------------------ demo data
    @api.model
    def _yealink_demo_generate(self, phone_ids, days=7, seed=18):
        """A week of calls of the demo phones' users on their own leads (and a few unknown
        numbers), spread over days and outcomes, so that the call figures show something."""
        rnd = random.Random(seed)
        phones = self.env["yealink.phone"].sudo().browse(phone_ids).exists()
        leads = self.env["crm.lead"].sudo().search(
            [("user_id", "in", phones.user_id.ids), ("phone_sanitized", "!=", False)])
        leads_of = {}
        for lead in leads:
            leads_of.setdefault(lead.user_id.id, []).append(lead)
        outcomes = {
            "out": [("answered", 55), ("cancelled", 25), ("busy", 12), ("transferred", 8)],
            "in": [("answered", 60), ("missed", 25), ("rejected", 10), ("transferred", 5)],
        }
        today = fields.Date.context_today(self)
        vals_list = []
        for phone in phones:
            user_leads = leads_of.get(phone.user_id.id, [])
            for day in range(days, 0, -1):
                date = today - timedelta(days=day)
                if date.weekday() == 6:
                    continue
                for _i in range(rnd.randint(4, 11)):
                    direction = "out" if rnd.random() < 0.7 else "in"
                    states, weights = zip(*outcomes[direction])
                    state = rnd.choices(states, weights)[0]
                    start = datetime.combine(date, time(4, 0)) + timedelta(minutes=rnd.randint(0, 540))
                    ring = rnd.randint(3, 30)
                    talk = rnd.randint(40, 900) if state in ("answered", "transferred") else 0
                    lead = rnd.choice(user_leads) if user_leads and rnd.random() < 0.85 else None
                    number = lead.phone if lead else f"+91 98{rnd.randint(10000000, 99999999)}"
                    vals_list.append({
                        "phone_id": phone.id, "user_id": phone.user_id.id, "call_key": f"demo-{len(vals_list)}",
                        "direction": direction, "state": state, "source": "phone",
                        "ring_start": start, "answer_time": start + timedelta(seconds=ring) if talk else False,
                        "end_time": start + timedelta(seconds=ring + talk), "ring_seconds": ring,
                        "talk_seconds": talk, "remote_number": number,
                        "remote_e164": lead.phone_sanitized if lead else self._yealink_e164(number, phone.country_id),
                        "lead_id": lead.id if lead else False, "partner_id": lead.partner_id.id if lead else False,
                        "notified": True, "posted": True,
                    })
        return self.sudo().with_context(**self._yealink_create_context()).create(vals_list)
