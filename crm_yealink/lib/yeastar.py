"""Yeastar P-Series Open API client and webhook verification (no Odoo imports).

Protocol facts (Yeastar P-Series developer guide, "API Request Overview", "Get Access
Token", "Refresh Access Token", "Query CDR List", "Search Specific CDR", "New CDR event"):

* Base ``{base_url}/openapi/v1.0/``; every request MUST carry a ``User-Agent`` header
  (``OpenAPI``). Answers are JSON with ``errcode`` (0 = success) and ``errmsg``.
* ``POST get_token`` ``{"username": client id, "password": client secret}`` answers
  ``access_token`` (valid ``access_token_expire_time`` = 1800 s) and ``refresh_token``
  (``refresh_token_expire_time`` = 86400 s); ``POST refresh_token`` ``{"refresh_token": ...}``
  answers a new pair. Other requests carry ``?access_token=...``.
* ``GET cdr/list?page=&page_size=&sort_by=&order_by=`` and ``GET cdr/search?start_time=
  &end_time=&page=&page_size=`` answer ``total_number`` and ``data`` (CDR_Details: ``id``,
  ``uid``, ``time``, ``timestamp``, ``call_from``, ``call_to``, ``duration``,
  ``ring_duration``, ``talk_duration``, ``disposition`` ANSWERED | NO ANSWER | BUSY |
  FAILED | VOICEMAIL, ``call_type`` Inbound | Outbound | Internal, ``record_file``).
* A rejected or expired access token answers a non-zero ``errcode`` (the guide's error
  code table; 10004 for an invalid/expired token); the client then gets a new token and
  retries the request once. HTTP 401 is treated the same way.
* Webhook: the PBX POSTs ``{"type": 30012, "sn": ..., "msg": "<JSON text>"}`` for a new
  call record, signed with header ``X-Signature`` = base64(HMAC-SHA256(secret, raw body)).
"""

import base64
import hashlib
import hmac
import json
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import requests

API_PATH = "openapi/v1.0"
USER_AGENT = "OpenAPI"
DEFAULT_TIMEOUT = 15
TOKEN_MARGIN = 60  # renew this many seconds before the PBX says a token expires
TOKEN_ERRCODES = frozenset({10004})
EVENT_NEW_CDR = 30012
DISPOSITIONS = ("ANSWERED", "NO ANSWER", "BUSY", "FAILED", "VOICEMAIL")
_NUMBER_IN_NAME_RE = re.compile(r"<([^<>]*)>\s*$")
_TIME_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%m/%d/%Y %H:%M:%S", "%d/%m/%Y %H:%M:%S",
                 "%Y/%m/%d %I:%M:%S %p", "%m/%d/%Y %I:%M:%S %p", "%d/%m/%Y %I:%M:%S %p")


class YeastarError(Exception):
    def __init__(self, message, errcode=None, status_code=None):
        super().__init__(message)
        self.errcode = errcode
        self.status_code = status_code


class YeastarAuthError(YeastarError):
    """The client id / secret were refused (get_token failed)."""


class YeastarUnreachable(YeastarError):
    """Connection refused, DNS, timeout."""


@dataclass
class TokenState:
    access_token: str = ""
    access_expires_at: float = 0.0
    refresh_token: str = ""
    refresh_expires_at: float = 0.0

    def as_dict(self):
        return dict(self.__dict__)


class YeastarClient:
    """One PBX. Keeps its tokens in :attr:`tokens` (a :class:`TokenState` the caller may
    persist and give back); renews them when they are about to expire or are refused."""

    def __init__(self, base_url, client_id, client_secret, *, tokens=None, timeout=DEFAULT_TIMEOUT,
                 clock=time.time, session=None, verify=True):
        if not base_url or not client_id or not client_secret:
            raise YeastarError("the PBX URL, client ID and client secret are required")
        self.root = f"{base_url.rstrip('/')}/{API_PATH}/"
        self.client_id = client_id
        self.client_secret = client_secret
        self.tokens = tokens or TokenState()
        self.timeout = timeout
        self.clock = clock
        self.http = session or requests.Session()
        self.verify = verify
        self.token_requests = 0  # get_token + refresh_token calls made (for tests and logs)

    # ------------------------------------------------------------------ transport
    def _send(self, method, endpoint, params=None, payload=None):
        try:
            response = self.http.request(
                method, self.root + endpoint, params=params, json=payload, timeout=self.timeout,
                headers={"User-Agent": USER_AGENT}, verify=self.verify)
        except requests.Timeout as exc:
            raise YeastarUnreachable(f"the PBX did not answer within {self.timeout} s") from exc
        except requests.RequestException as exc:
            raise YeastarUnreachable(f"the PBX is unreachable: {exc}") from exc
        if response.status_code == 401:
            return {"errcode": next(iter(TOKEN_ERRCODES)), "errmsg": "UNAUTHORIZED"}
        if response.status_code >= 400:
            raise YeastarError(f"the PBX answered HTTP {response.status_code}", status_code=response.status_code)
        try:
            data = response.json()
        except ValueError as exc:
            raise YeastarError("the PBX answered something that is not JSON") from exc
        if not isinstance(data, dict) or "errcode" not in data:
            raise YeastarError("the PBX answer has no errcode")
        return data

    # ------------------------------------------------------------------ tokens
    def _store_tokens(self, data):
        now = self.clock()
        self.tokens = TokenState(
            access_token=data["access_token"],
            access_expires_at=now + int(data.get("access_token_expire_time") or 1800),
            refresh_token=data.get("refresh_token") or "",
            refresh_expires_at=now + int(data.get("refresh_token_expire_time") or 86400),
        )

    def get_token(self):
        self.token_requests += 1
        data = self._send("POST", "get_token", payload={"username": self.client_id, "password": self.client_secret})
        if data.get("errcode") != 0 or not data.get("access_token"):
            raise YeastarAuthError(f"the PBX refused the client ID/secret: {data.get('errmsg')}",
                                   errcode=data.get("errcode"))
        self._store_tokens(data)
        return self.tokens

    def refresh(self):
        self.token_requests += 1
        data = self._send("POST", "refresh_token", payload={"refresh_token": self.tokens.refresh_token})
        if data.get("errcode") != 0 or not data.get("access_token"):
            return self.get_token()
        self._store_tokens(data)
        return self.tokens

    def ensure_token(self):
        now = self.clock()
        if self.tokens.access_token and now < self.tokens.access_expires_at - TOKEN_MARGIN:
            return self.tokens
        if self.tokens.refresh_token and now < self.tokens.refresh_expires_at - TOKEN_MARGIN:
            return self.refresh()
        return self.get_token()

    def call(self, method, endpoint, params=None, payload=None):
        """An authenticated request; a refused token is renewed and the request sent again once."""
        for attempt in (1, 2):
            self.ensure_token()
            query = dict(params or {}, access_token=self.tokens.access_token)
            data = self._send(method, endpoint, params=query, payload=payload)
            if data.get("errcode") in TOKEN_ERRCODES and attempt == 1:
                self.tokens.access_token = ""
                self.tokens.access_expires_at = 0.0
                continue
            if data.get("errcode") != 0:
                raise YeastarError(f"{endpoint}: {data.get('errmsg')} (errcode {data.get('errcode')})",
                                   errcode=data.get("errcode"))
            return data
        raise YeastarAuthError("the PBX refused a fresh access token")  # pragma: no cover

    # ------------------------------------------------------------------ CDR
    def cdr_page(self, page, page_size=100, start_time=None, end_time=None):
        if start_time or end_time:
            params = {"page": page, "page_size": page_size}
            if start_time:
                params["start_time"] = start_time
            if end_time:
                params["end_time"] = end_time
            return self.call("GET", "cdr/search", params=params)
        return self.call("GET", "cdr/list", params={"page": page, "page_size": page_size,
                                                    "sort_by": "id", "order_by": "asc"})

    def iter_cdr(self, page_size=100, start_time=None, end_time=None, max_pages=1000):
        """Every call record, page by page (``page`` from 1), until ``total_number`` is reached
        or a page comes back short."""
        seen = 0
        for page in range(1, max_pages + 1):
            data = self.cdr_page(page, page_size, start_time, end_time)
            records = data.get("data") or []
            yield from records
            seen += len(records)
            total = int(data.get("total_number") or 0)
            if len(records) < page_size or seen >= total:
                return


# ---------------------------------------------------------------------- webhook
def sign_webhook(secret, raw_body):
    """``X-Signature`` of a webhook body: base64(HMAC-SHA256(secret, raw body))."""
    if isinstance(secret, str):
        secret = secret.encode()
    return base64.b64encode(hmac.new(secret, raw_body, hashlib.sha256).digest()).decode()


def verify_webhook(secret, raw_body, signature):
    """Constant-time check of a webhook's ``X-Signature``."""
    if not secret or not signature:
        return False
    return hmac.compare_digest(sign_webhook(secret, raw_body), signature.strip())


def parse_webhook(raw_body):
    """``(event type, message dict)`` of a webhook body; raise YeastarError if malformed."""
    try:
        envelope = json.loads(raw_body)
        event_type = int(envelope["type"])
        msg = envelope.get("msg") or {}
        if isinstance(msg, str):
            msg = json.loads(msg)
    except (ValueError, KeyError, TypeError) as exc:
        raise YeastarError("malformed webhook body") from exc
    if not isinstance(msg, dict):
        raise YeastarError("malformed webhook message")
    return event_type, msg


# ---------------------------------------------------------------------- CDR records
def party_number(value):
    """``"Leo<1001>"`` / ``"1001"`` -> ``"1001"``."""
    value = str(value or "").strip()
    match = _NUMBER_IN_NAME_RE.search(value)
    return (match.group(1) if match else value).strip()


def parse_time(value, tz=UTC):
    """A PBX time string (its display format) in ``tz`` -> naive UTC datetime, or None."""
    value = str(value or "").strip()
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=tz).astimezone(UTC).replace(tzinfo=None)
        except ValueError:
            continue
    return None


@dataclass(frozen=True)
class Cdr:
    uid: str
    start: object  # naive UTC datetime
    call_from: str
    call_to: str
    call_type: str  # Inbound | Outbound | Internal
    disposition: str
    duration: int
    ring_duration: int
    talk_duration: int
    record_file: str


def _int(value):
    try:
        return max(0, int(float(value or 0)))
    except (TypeError, ValueError):
        return 0


def normalize_cdr(record, tz=UTC):
    """A CDR from ``cdr/list``/``cdr/search`` or from a 30012 webhook message -> :class:`Cdr`."""
    uid = str(record.get("uid") or record.get("call_id") or record.get("id") or "").strip()
    if not uid:
        raise YeastarError("call record without uid")
    if record.get("timestamp"):
        start = datetime.fromtimestamp(int(record["timestamp"]), UTC).replace(tzinfo=None)
    else:
        start = parse_time(record.get("time") or record.get("time_start"), tz)
    duration = _int(record.get("duration", record.get("call_duration")))
    talk = _int(record.get("talk_duration"))
    ring = _int(record.get("ring_duration")) if "ring_duration" in record else max(0, duration - talk)
    disposition = str(record.get("disposition") or record.get("status") or "").upper()
    return Cdr(
        uid=uid,
        start=start,
        call_from=party_number(record.get("call_from")),
        call_to=party_number(record.get("call_to")),
        call_type=str(record.get("call_type") or record.get("type") or ""),
        disposition=disposition,
        duration=duration,
        ring_duration=ring,
        talk_duration=talk,
        record_file=str(record.get("record_file") or record.get("recording") or ""),
    )


def cdr_state(cdr):
    """The call state a CDR's disposition means."""
    if cdr.disposition == "ANSWERED":
        return "answered"
    if cdr.disposition == "BUSY":
        return "busy"
    if cdr.call_type == "Inbound":
        return "missed"
    return "cancelled"
