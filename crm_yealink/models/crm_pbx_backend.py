import json
import logging
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_datetime

from ..lib.yeastar import (
    EVENT_NEW_CDR,
    TokenState,
    YeastarClient,
    YeastarError,
    cdr_state,
    normalize_cdr,
    parse_webhook,
    verify_webhook,
)
from .crm_call import MATCH_WINDOW

_logger = logging.getLogger(__name__)
ADMIN_GROUPS = "base.group_system,crm_event_products.group_crm_conf_admin"


class PbxAdapter:
    """What the backend needs from a PBX: call records since a time, and its webhooks."""

    def __init__(self, backend):
        self.backend = backend

    def fetch_cdrs(self, since=None):  # pragma: no cover - interface
        """Iterate the PBX's call records (:class:`..lib.yeastar.Cdr`) started at or after ``since``."""
        raise NotImplementedError

    def verify_webhook(self, raw_body, headers):  # pragma: no cover - interface
        raise NotImplementedError

    def webhook_cdrs(self, raw_body):  # pragma: no cover - interface
        """The call records a verified webhook body carries (none for other events)."""
        raise NotImplementedError

    def save_state(self):
        """Persist what the adapter must keep between runs (tokens)."""


class YeastarPAdapter(PbxAdapter):
    """Yeastar P-Series Open API: tokens kept on the backend, paged CDR pulls, signed webhooks."""

    def __init__(self, backend):
        super().__init__(backend)
        self.tz = backend._pbx_tz()
        self.webhook_secret = backend.sudo().webhook_secret  # the adapter is the only reader of the secrets
        self._client = None

    @property
    def client(self):
        """The API client, made on first use (a webhook needs none)."""
        if self._client is None:
            secret_backend = self.backend.sudo()  # the adapter is the only reader of the secrets
            tokens = TokenState()
            if secret_backend.token_state:
                try:
                    tokens = TokenState(**json.loads(secret_backend.token_state))
                except (ValueError, TypeError):
                    tokens = TokenState()
            self._client = YeastarClient(
                secret_backend.base_url, secret_backend.client_id, secret_backend.client_secret, tokens=tokens,
                timeout=secret_backend.timeout or 15, verify=secret_backend.verify_tls)
        return self._client

    def fetch_cdrs(self, since=None):
        start_time = None
        if since:
            local = since.replace(tzinfo=UTC).astimezone(self.tz)
            start_time = local.strftime("%Y/%m/%d %H:%M:%S")
        for record in self.client.iter_cdr(page_size=self.backend.page_size or 100, start_time=start_time):
            yield normalize_cdr(record, self.tz)

    def verify_webhook(self, raw_body, headers):
        return verify_webhook(self.webhook_secret, raw_body, headers.get("X-Signature", ""))

    def webhook_cdrs(self, raw_body):
        event_type, msg = parse_webhook(raw_body)
        if event_type != EVENT_NEW_CDR:
            return []
        return [normalize_cdr(msg, self.tz)]

    def save_state(self):
        if self._client is not None:
            self.backend.sudo().token_state = json.dumps(self._client.tokens.as_dict())


ADAPTERS = {"yeastar_p": YeastarPAdapter}


class CrmPbxBackend(models.Model):
    """A PBX whose call records (CDR) complete and reconcile with the phones' calls."""

    _name = "crm.pbx.backend"
    _description = "PBX Call Record Feed"

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    kind = fields.Selection([("yeastar_p", "Yeastar P-Series")], default="yeastar_p", required=True)
    base_url = fields.Char(string="PBX URL", required=True, help="e.g. https://pbx.example.com:8088")
    client_id = fields.Char(string="Client ID", groups=ADMIN_GROUPS)
    client_secret = fields.Char(string="Client Secret", groups=ADMIN_GROUPS)
    webhook_secret = fields.Char(groups=ADMIN_GROUPS, help="Secret of the PBX's webhook signature (X-Signature).")
    token_state = fields.Text(groups=ADMIN_GROUPS, copy=False)
    verify_tls = fields.Boolean(string="Verify TLS Certificate", default=True)
    timeout = fields.Integer(default=15)
    page_size = fields.Integer(default=100)
    timezone = fields.Selection("_tz_get", default="UTC", required=True,
                                help="Timezone of the times the PBX writes in its call records.")
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    country_id = fields.Many2one("res.country", help="Country of local numbers; default: the company's.")
    last_sync = fields.Datetime(readonly=True, copy=False)
    last_cdr_start = fields.Datetime(string="Last Call Record", readonly=True, copy=False)
    last_result = fields.Text(readonly=True, copy=False)
    phone_ids = fields.One2many("yealink.phone", "pbx_backend_id", string="Phones")
    webhook_url = fields.Char(compute="_compute_webhook_url")

    @api.model
    def _tz_get(self):
        return self.env["res.partner"]._fields["tz"].selection(self.env["res.partner"])

    def _compute_webhook_url(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        for backend in self:
            backend.webhook_url = f"{base}/yealink/pbx/{backend.id}/webhook" if backend.id else ""

    def _pbx_tz(self):
        try:
            return ZoneInfo(self.timezone or "UTC")
        except ZoneInfoNotFoundError:
            return UTC

    def _adapter(self):
        self.ensure_one()
        return ADAPTERS[self.kind](self)

    # ------------------------------------------------------------------ pulls
    def action_sync(self):
        for backend in self:
            result = backend._sync_cdrs()
            if result.get("error"):
                raise UserError(result["error"])
        return True

    @api.model
    def _cron_sync_cdrs(self):
        for backend in self.search([]):
            backend._sync_cdrs()

    def _sync_cdrs(self):
        """Pull call records since the last one seen (with a margin) and reconcile them."""
        self.ensure_one()
        adapter = self._adapter()
        since = self.last_cdr_start and self.last_cdr_start - timedelta(hours=1)
        counts = {"created": 0, "reconciled": 0, "duplicate": 0, "skipped": 0}
        result = {}
        try:
            cdrs = list(adapter.fetch_cdrs(since))
        except YeastarError as exc:
            _logger.warning("PBX %s: call records not pulled: %s", self.name, exc)
            result["error"] = _("PBX %(name)s: %(error)s", name=self.name, error=str(exc))
            cdrs = []
        finally:
            adapter.save_state()
        for status in self._ingest_cdrs(cdrs):
            counts[status] += 1
        starts = [cdr.start for cdr in cdrs if cdr.start]
        vals = {"last_sync": fields.Datetime.now(), "last_result": result.get("error") or json.dumps(counts)}
        if starts and (not self.last_cdr_start or max(starts) > self.last_cdr_start):
            vals["last_cdr_start"] = max(starts)
        self.write(vals)
        result.update(counts)
        return result

    # ------------------------------------------------------------------ reconciliation
    def _ingest_cdrs(self, cdrs):
        """Turn call records into calls: a record already seen changes nothing, a record of a
        call the phone reported completes it (exact times, recording), any other record of a
        known extension becomes a call. Yields a status per record."""
        self.ensure_one()
        Call = self.env["crm.call"].sudo()
        uids = [cdr.uid for cdr in cdrs]
        known = set(Call.with_context(active_test=False).search(
            [("pbx_backend_id", "=", self.id), ("pbx_uid", "in", uids)]).mapped("pbx_uid"))
        extensions = {cdr.call_from for cdr in cdrs} | {cdr.call_to for cdr in cdrs}
        phones = {phone.extension: phone for phone in self.env["yealink.phone"].sudo().search(
            [("pbx_backend_id", "=", self.id), ("extension", "in", list(extensions))])}
        for cdr in cdrs:
            if cdr.uid in known:
                yield "duplicate"
                continue
            if cdr.call_type == "Inbound" or (cdr.call_type != "Outbound" and cdr.call_to in phones):
                extension, remote, direction = cdr.call_to, cdr.call_from, "in"
            else:
                extension, remote, direction = cdr.call_from, cdr.call_to, "out"
            phone = phones.get(extension)
            if not phone or cdr.call_type == "Internal":
                yield "skipped"
                continue
            known.add(cdr.uid)
            yield self._ingest_cdr(phone, cdr, remote, direction)

    def _ingest_cdr(self, phone, cdr, remote, direction):
        Call = self.env["crm.call"].sudo()
        country = self.country_id or phone._phone_country()
        e164 = Call._yealink_e164(remote, country)
        values = {
            "pbx_backend_id": self.id,
            "pbx_uid": cdr.uid,
            "ring_seconds": cdr.ring_duration,
            "talk_seconds": cdr.talk_duration,
            "recording_url": cdr.record_file or False,
            "ring_start": cdr.start,
            "answer_time": cdr.start + timedelta(seconds=cdr.ring_duration) if cdr.start and cdr.talk_duration
            else False,
            "end_time": cdr.start + timedelta(seconds=cdr.duration) if cdr.start else False,
            "state": cdr_state(cdr),
        }
        match = Call.browse()
        if e164 and cdr.start:
            candidates = Call.search([
                ("phone_id", "=", phone.id), ("pbx_uid", "=", False), ("remote_e164", "=", e164),
                ("direction", "=", direction),
                ("ring_start", ">=", cdr.start - MATCH_WINDOW), ("ring_start", "<=", cdr.start + MATCH_WINDOW),
            ])
            match = min(candidates, key=lambda c: abs((c.ring_start - cdr.start).total_seconds()), default=match)
        if match:
            previous = match.state
            if match.state in ("answered", "transferred") and values["state"] != "answered":
                values.pop("state")  # the phone saw a transfer the PBX reports otherwise
            values["source"] = "both"
            match.write(values)
            match._yealink_after_update(previous)
            return "reconciled"
        values.update(Call._yealink_number_vals(phone, remote) if remote else {})
        values.update({"phone_id": phone.id, "user_id": phone.user_id.id, "direction": direction, "source": "pbx",
                       "remote_e164": e164 or False})
        call = Call.with_context(**Call._yealink_create_context()).create(values)
        call._yealink_after_update("dialing")
        return "created"

    def action_test_connection(self):
        self.ensure_one()
        adapter = self._adapter()
        try:
            adapter.client.ensure_token()
        except YeastarError as exc:
            raise UserError(_("Connection failed: %s", str(exc))) from exc
        finally:
            adapter.save_state()
        return {"type": "ir.actions.client", "tag": "display_notification",
                "params": {"type": "success", "message": _("Connected to %s", self.name),
                           "title": format_datetime(self.env, datetime.now(UTC).replace(tzinfo=None))}}
