"""MailWizz REST API client (no Odoo imports).

Protocol facts this module relies on (sources in crm_mailwizz/readme/CONFIGURE.md):

* Base URL is the install's API root, e.g. ``https://mw.example.com/api`` (1.x SDKs
  use ``.../api``, 2.x installs often ``.../api/index.php``); endpoints are appended
  (``lists``, ``lists/{uid}/subscribers`` ...).
* Requests send form-encoded bodies (PHP ``http_build_query`` style) and receive JSON
  ``{"status": "success"|"error", ...}``. Collections are paginated with ``page`` and
  ``per_page`` and answer ``data: {count, total_pages, current_page, next_page,
  prev_page, records}``.
* PUT/DELETE also carry ``X-HTTP-Method-Override`` like the official SDKs.
* Authentication 1.x (``MailWizzApi_Http_Request::sign``): headers ``X-MW-PUBLIC-KEY``,
  ``X-MW-TIMESTAMP``, ``X-MW-REMOTE-ADDR`` and ``X-MW-SIGNATURE`` =
  hex HMAC-SHA1(private key, ``METHOD + " " + url + ("&" if url has a query else "?")
  + http_build_query(ksort(special headers + body params)))`` where ``url`` already
  holds the ksorted GET parameters.
* Authentication 2.x: a single ``X-API-KEY`` header (ems-api/php-client, api-docs).
* Authentication failures are HTTP **400** with the request-access filter's message
  (``Invalid API key``, ``Invalid API request signature``, ``Your request expired``),
  never 401; they raise :class:`MailWizzAuthError`. A **403** is a quota of the
  customer (MailWizz's JSON message) or a web server refusing PUT/DELETE (an HTML page):
  :class:`MailWizzForbidden`, not a credentials problem.
* Bulk create answers one item per subscriber, ``{"data": {...}, "errors": {TAG: msg}}``
  (``errors`` empty when created). Updating a uid the list no longer holds answers
  **409** ``The subscriber does not exist in this list.``: :class:`MailWizzNotFound`.
* PHP drops the body variables beyond ``max_input_vars`` (default 1000) without an
  error, so a bulk chunk is sized to keep its variables (one per field of each
  subscriber) under that limit.
"""

import hashlib
import hmac
import json
import logging
import random
import re
import time
from dataclasses import dataclass, field
from urllib.parse import quote

import requests

from .phpquery import http_build_query, ksort

_logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30
DEFAULT_BULK_CHUNK = 100
DEFAULT_PER_PAGE = 50
# campaign bounces/unsubscribes: MailWizz clamps per_page to 10..50 on these endpoints
CAMPAIGN_EVENTS_PER_PAGE = 50
# notes MailWizz puts on the unsubscribe record of a complaint: feedback-loop processing
# ("Unsubscribed via FBL Report!"), delivery-server web hooks ("Unsubscribed via Web Hook!")
COMPLAINT_MARKERS = ("fbl", "web hook", "webhook", "complain", "abuse")
# PHP's default max_input_vars, and the variables kept free for anything else in a body
DEFAULT_MAX_INPUT_VARS = 1000
INPUT_VARS_OVERHEAD = 10
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

SUBSCRIBER_STATUSES = (
    "unconfirmed",
    "confirmed",
    "blacklisted",
    "unsubscribed",
    "unapproved",
    "disabled",
    "moved",
)
CAMPAIGN_STATUSES = (
    "draft",
    "pending-sending",
    "sending",
    "sent",
    "processing",
    "paused",
    "pending-delete",
    "blocked",
    "pending-approve",
)


# --------------------------------------------------------------------------- errors
class MailWizzError(Exception):
    """Base class of every error raised by the client."""

    def __init__(self, message, *, method=None, url=None, status_code=None, payload=None):
        super().__init__(message)
        self.message = message
        self.method = method
        self.url = url
        self.status_code = status_code
        self.payload = payload

    def __str__(self):
        return self.message


class MailWizzAuthError(MailWizzError):
    """The request was refused by MailWizz's request-access filter (HTTP 400 with an
    auth message, or 401): wrong key, bad 1.x signature, or an expired 1.x request
    (``reason`` = "key" | "signature" | "expired")."""

    def __init__(self, message, *, reason="key", **kwargs):
        super().__init__(message, **kwargs)
        self.reason = reason


class MailWizzHTTPError(MailWizzError):
    """Any other HTTP error (4xx, or 5xx once retries are exhausted) or an error envelope."""


class MailWizzNotFound(MailWizzHTTPError):
    """404 from the API (unknown list, subscriber, campaign...), or the 409 MailWizz
    answers for an update of a subscriber uid the list no longer holds."""


class MailWizzForbidden(MailWizzHTTPError):
    """403: a quota of the MailWizz customer (``reason`` "quota", the server's message),
    or the web server in front of MailWizz refusing the request, typically PUT/DELETE
    (``reason`` "web_server"). Not a credentials problem."""

    def __init__(self, message, *, reason="quota", **kwargs):
        super().__init__(message, **kwargs)
        self.reason = reason


class MailWizzTimeout(MailWizzError):
    """The server did not answer within the timeout (after retries where allowed)."""


class MailWizzConnectionError(MailWizzError):
    """Connection refused/reset, DNS failure... (after retries where allowed)."""


class MailWizzMalformedResponse(MailWizzError):
    """The answer is not the JSON envelope MailWizz documents."""


# messages of MailWizz's API request-access filter (HTTP 400) -> MailWizzAuthError.reason
_AUTH_MESSAGES = (
    (re.compile(r"request expired", re.I), "expired"),
    (re.compile(r"invalid api (request )?signature", re.I), "signature"),
    (re.compile(r"invalid api (public |private )?key", re.I), "key"),
    (re.compile(r"invalid api request params", re.I), "key"),
)
_STALE_SUBSCRIBER = re.compile(r"subscriber does not exist", re.I)
_DUPLICATE = re.compile(r"already (exists|subscribed|been taken)|duplicate", re.I)


def _error_text(payload):
    """Flatten MailWizz's ``error`` member (a string, or a dict of field errors), or
    the ``errors`` dict (field tag -> message) of a bulk item."""
    if not isinstance(payload, dict):
        return ""
    err = payload.get("error")
    if not err and "errors" in payload:
        err = payload.get("errors")
    if isinstance(err, dict):
        parts = []
        for key, value in err.items():
            if isinstance(value, (list, tuple)):
                value = "; ".join(str(v) for v in value)
            parts.append(f"{key}: {value}")
        return ", ".join(parts)
    if isinstance(err, (list, tuple)):
        return "; ".join(str(e) for e in err)
    return str(err) if err else ""


# --------------------------------------------------------------------------- auth
class ApiKeyAuth:
    """MailWizz 2.x: ``X-API-KEY`` header."""

    version = "2"

    def __init__(self, api_key):
        if not api_key:
            raise ValueError("MailWizz 2.x authentication needs an API key")
        self.api_key = api_key

    def headers(self, method, url, body_params):
        return {"X-API-KEY": self.api_key}


class SignatureAuth:
    """MailWizz 1.x: public key + HMAC-SHA1 signature made with the private key."""

    version = "1"

    def __init__(self, public_key, private_key, remote_addr="", clock=time.time):
        if not public_key or not private_key:
            raise ValueError("MailWizz 1.x authentication needs a public and a private key")
        self.public_key = public_key
        self.private_key = private_key
        self.remote_addr = remote_addr or ""
        self.clock = clock

    def headers(self, method, url, body_params):
        special = {
            "X-MW-PUBLIC-KEY": self.public_key,
            "X-MW-TIMESTAMP": str(int(self.clock())),
            "X-MW-REMOTE-ADDR": self.remote_addr,
        }
        special["X-MW-SIGNATURE"] = compute_v1_signature(
            self.private_key, method, url, {**special, **(body_params or {})}
        )
        return special


def compute_v1_signature(private_key, method, url_with_query, params):
    """HMAC-SHA1 hex digest exactly as ``MailWizzApi_Http_Request::sign()`` builds it.

    ``params`` = the three ``X-MW-*`` header values merged with the POST/PUT/DELETE
    params (top-level keys, ksorted). ``url_with_query`` is the request URL without a
    trailing slash, followed by ``?`` + the ksorted GET params when there are some.
    """
    separator = "&" if "?" in url_with_query else "?"
    signed = {k: v for k, v in params.items() if k != "X-MW-SIGNATURE"}
    signature_string = f"{method.upper()} {url_with_query}{separator}{http_build_query(ksort(signed))}"
    return hmac.new(
        private_key.encode("utf-8"), signature_string.encode("utf-8"), hashlib.sha1
    ).hexdigest()


def make_auth(api_version, *, public_key=None, private_key=None, api_key=None):
    """Build the auth strategy for a backend's configured API version ('1' or '2')."""
    if str(api_version) == "1":
        return SignatureAuth(public_key, private_key)
    if str(api_version) == "2":
        return ApiKeyAuth(api_key)
    raise ValueError(f"Unknown MailWizz API version {api_version!r} (expected '1' or '2')")


# --------------------------------------------------------------------------- bulk results
@dataclass
class ItemResult:
    """Outcome of one subscriber in a push. ``key`` is the caller's id (e.g. lead id)."""

    key: object
    email: str
    ok: bool
    action: str  # created | updated | exists | failed | unknown
    subscriber_uid: str = None
    error: str = None


@dataclass
class PushSummary:
    total: int = 0
    created: int = 0
    updated: int = 0
    failed: int = 0
    http_calls: int = 0
    failures: list = field(default_factory=list)  # ItemResult of failed items (bounded)
    uids: dict = field(default_factory=dict)  # key -> subscriber_uid (only if keep_uids)

    def add(self, item, keep_uids=True, max_failures=1000):
        self.total += 1
        if item.ok:
            if item.action == "created":
                self.created += 1
            else:
                self.updated += 1
            if keep_uids:
                self.uids[item.key] = item.subscriber_uid
        else:
            self.failed += 1
            if len(self.failures) < max_failures:
                self.failures.append(item)


# --------------------------------------------------------------------------- client
class MailWizzClient:
    """Small synchronous MailWizz API client.

    Retries (exponential backoff with jitter) happen only for GET requests and for
    POST/PUT calls explicitly passed ``safe=True``; they cover timeouts, connection
    errors, 429 and 5xx answers. Everything else raises at once.
    """

    def __init__(
        self,
        base_url,
        auth,
        *,
        timeout=DEFAULT_TIMEOUT,
        max_retries=3,
        backoff_base=0.5,
        backoff_max=30.0,
        bulk_chunk_size=DEFAULT_BULK_CHUNK,
        max_input_vars=DEFAULT_MAX_INPUT_VARS,
        session=None,
        sleep=time.sleep,
        user_agent="crm_mailwizz (Odoo) MailWizz client",
    ):
        if not base_url or not base_url.startswith(("http://", "https://")):
            raise ValueError(f"MailWizz API URL must start with http:// or https:// (got {base_url!r})")
        self.base_url = base_url.rstrip("/")
        self.auth = auth
        self.timeout = timeout
        self.max_retries = max(0, int(max_retries))
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.bulk_chunk_size = max(1, int(bulk_chunk_size))
        # PHP max_input_vars of the MailWizz server (0/None: no limit)
        self.max_input_vars = int(max_input_vars or 0)
        self.session = session or requests.Session()
        self.sleep = sleep
        self.user_agent = user_agent
        self.http_calls = 0
        self.retries = 0
        self.backoff_delays = []

    # ------------------------------------------------------------------ plumbing
    def close(self):
        self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _url(self, path, params):
        url = f"{self.base_url}/{path.strip('/')}".rstrip("/")
        if params:
            query = http_build_query(ksort(params))
            if query:
                url = f"{url}?{query}"
        return url

    def _backoff(self, attempt, retry_after=None):
        if retry_after is not None:
            delay = min(self.backoff_max, retry_after)
        else:
            delay = min(self.backoff_max, self.backoff_base * (2**attempt))
            delay = delay * (0.5 + random.random() / 2)  # jitter in [50%, 100%]
        self.backoff_delays.append(delay)
        self.retries += 1
        self.sleep(delay)

    def request(self, method, path, params=None, data=None, *, safe=None, expect_json=True):
        """Send one API call and return the decoded JSON envelope (a dict).

        ``params`` go to the query string, ``data`` is form-encoded in the body.
        ``safe`` defaults to True for GET only: set it for POST/PUT calls that are
        idempotent (e.g. a bulk create on a list where emails are unique).
        """
        method = method.upper()
        if safe is None:
            safe = method == "GET"
        url = self._url(path, params)
        body = http_build_query(data) if data else ""
        attempts = 1 + (self.max_retries if safe else 0)
        last_exc = None
        for attempt in range(attempts):
            headers = {
                "Accept": "application/json",
                "User-Agent": self.user_agent,
            }
            if method in ("POST", "PUT", "DELETE"):
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            if method in ("PUT", "DELETE"):
                headers["X-HTTP-Method-Override"] = method
            # signed per attempt: the 1.x timestamp must be fresh
            headers.update(self.auth.headers(method, url, data or {}))
            self.http_calls += 1
            try:
                response = self.session.request(
                    method, url, data=body.encode("utf-8") if body else None,
                    headers=headers, timeout=self.timeout,
                )
            except requests.Timeout as exc:
                last_exc = MailWizzTimeout(
                    f"MailWizz did not answer {method} {path} within {self.timeout}s"
                    + (f" ({attempt + 1} attempts)" if attempt else ""),
                    method=method, url=url,
                )
                last_exc.__cause__ = exc
            except requests.ConnectionError as exc:
                last_exc = MailWizzConnectionError(
                    f"Cannot reach MailWizz at {self.base_url}: {exc.__class__.__name__}",
                    method=method, url=url,
                )
                last_exc.__cause__ = exc
            else:
                status = response.status_code
                if status in RETRY_STATUSES and attempt + 1 < attempts:
                    retry_after = None
                    if status == 429:
                        try:
                            retry_after = float(response.headers.get("Retry-After", ""))
                        except ValueError:
                            retry_after = None
                    _logger.info("MailWizz %s %s answered %s, retrying", method, path, status)
                    self._backoff(attempt, retry_after)
                    continue
                return self._decode(method, path, url, response, expect_json)
            if attempt + 1 < attempts:
                _logger.info("MailWizz %s %s failed (%s), retrying", method, path, last_exc)
                self._backoff(attempt)
        raise last_exc

    def _decode(self, method, path, url, response, expect_json):
        status = response.status_code
        payload = None
        text = response.text
        if text:
            try:
                payload = json.loads(text)
            except ValueError:
                payload = None
        if status >= 400:
            detail = _error_text(payload) or (text[:200] if text else response.reason)
            is_envelope = isinstance(payload, dict) and "status" in payload
            auth_reason = _auth_reason(status, detail)
            if auth_reason == "expired":
                raise MailWizzAuthError(
                    f"MailWizz refused the request as expired (HTTP {status}: {detail}). "
                    f"Check the server clock: 1.x requests are signed with the current time, so the "
                    f"clocks of Odoo and MailWizz must agree (NTP).",
                    reason=auth_reason, method=method, url=url, status_code=status, payload=payload,
                )
            if auth_reason:
                hint = (
                    " If small requests pass and bulk pushes fail, PHP's max_input_vars of the MailWizz "
                    "server is lower than the backend's setting (the server dropped part of the request)."
                    if auth_reason == "signature" else ""
                )
                raise MailWizzAuthError(
                    f"MailWizz refused the credentials (HTTP {status}: {detail}). "
                    f"Check the API version and the key(s) of the MailWizz backend.{hint}",
                    reason=auth_reason, method=method, url=url, status_code=status, payload=payload,
                )
            if status == 403:
                if is_envelope:
                    raise MailWizzForbidden(
                        f"MailWizz refused {method} {path} (HTTP 403): {detail}",
                        reason="quota", method=method, url=url, status_code=status, payload=payload,
                    )
                what = (
                    "the web server refuses PUT/DELETE: allow these methods for the API "
                    "(web server, mod_security or proxy rules) or ask the MailWizz host to"
                    if method in ("PUT", "DELETE")
                    else "the web server in front of MailWizz refused the request (not MailWizz itself)"
                )
                raise MailWizzForbidden(
                    f"MailWizz {method} {path} failed with HTTP 403: {what}.",
                    reason="web_server", method=method, url=url, status_code=status, payload=text,
                )
            stale = status == 409 and _STALE_SUBSCRIBER.search(detail or "")
            cls = MailWizzNotFound if (status == 404 or stale) else MailWizzHTTPError
            raise cls(
                f"MailWizz {method} {path} failed with HTTP {status}: {detail}",
                method=method, url=url, status_code=status, payload=payload,
            )
        if not expect_json:
            return payload
        if not isinstance(payload, dict) or payload.get("status") not in ("success", "error"):
            snippet = (text or "")[:120].replace("\n", " ")
            raise MailWizzMalformedResponse(
                f"MailWizz {method} {path} returned an unexpected answer "
                f"(HTTP {status}, not a JSON status envelope): {snippet!r}",
                method=method, url=url, status_code=status, payload=text,
            )
        if payload["status"] == "error":
            raise MailWizzHTTPError(
                f"MailWizz {method} {path} reported an error: {_error_text(payload)}",
                method=method, url=url, status_code=status, payload=payload,
            )
        return payload

    def get(self, path, params=None):
        return self.request("GET", path, params=params)

    def paginate(self, path, params=None, per_page=DEFAULT_PER_PAGE, max_pages=100000):
        """Yield the records of every page of a collection endpoint."""
        for _page, records in self.iter_pages(path, params, per_page=per_page, max_pages=max_pages):
            yield from records

    def iter_pages(self, path, params=None, per_page=DEFAULT_PER_PAGE, max_pages=100000, start_page=1):
        """Yield ``(page number, records)`` of each page of a collection endpoint, so that a
        caller can save (and commit) page by page, or stop early."""
        page = max(1, int(start_page or 1))
        while page and page <= max_pages:
            query = dict(params or {}, page=page, per_page=per_page)
            payload = self.get(path, query)
            data = payload.get("data")
            if not isinstance(data, dict) or not isinstance(data.get("records") or [], list):
                raise MailWizzMalformedResponse(
                    f"MailWizz GET {path} returned no paginated 'data.records'",
                    method="GET", url=self._url(path, query), payload=payload,
                )
            records = data.get("records") or []
            if records:
                yield page, records
            next_page = _to_int(data.get("next_page"))
            total_pages = _to_int(data.get("total_pages"))
            if not records or not next_page or next_page <= page:
                break
            if total_pages and page >= total_pages:
                break
            page = next_page

    # ------------------------------------------------------------------ endpoints
    def ping(self):
        """Cheapest authenticated call; used by the backend's Test connection button."""
        payload = self.get("lists", {"page": 1, "per_page": 1})
        data = payload.get("data") or {}
        return {"lists": _to_int(data.get("count")) or 0}

    # lists
    def iter_lists(self, per_page=DEFAULT_PER_PAGE):
        return self.paginate("lists", per_page=per_page)

    def get_list(self, list_uid):
        return (self.get(f"lists/{_seg(list_uid)}").get("data") or {}).get("record")

    def create_list(self, general, defaults, notifications=None, company=None):
        data = {"general": general, "defaults": defaults}
        if notifications:
            data["notifications"] = notifications
        if company:
            data["company"] = company
        payload = self.request("POST", "lists", data=data)
        return payload.get("list_uid") or (payload.get("data") or {}).get("list_uid")

    def delete_list(self, list_uid):
        return self.request("DELETE", f"lists/{_seg(list_uid)}", safe=True)

    def list_fields(self, list_uid):
        payload = self.get(f"lists/{_seg(list_uid)}/fields")
        return (payload.get("data") or {}).get("records") or []

    def iter_segments(self, list_uid, per_page=DEFAULT_PER_PAGE):
        return self.paginate(f"lists/{_seg(list_uid)}/segments", per_page=per_page)

    # subscribers
    def iter_subscribers(self, list_uid, status=None, per_page=DEFAULT_PER_PAGE):
        params = {"status": status} if status else None
        return self.paginate(f"lists/{_seg(list_uid)}/subscribers", params, per_page=per_page)

    def get_subscriber(self, list_uid, subscriber_uid):
        payload = self.get(f"lists/{_seg(list_uid)}/subscribers/{_seg(subscriber_uid)}")
        return (payload.get("data") or {}).get("record")

    def search_subscriber(self, list_uid, email):
        """Return ``{'subscriber_uid', 'status', ...}`` or None when the email is not in the list."""
        try:
            payload = self.get(
                f"lists/{_seg(list_uid)}/subscribers/search-by-email", {"EMAIL": email}
            )
        except MailWizzNotFound:
            return None
        data = payload.get("data") or {}
        return data if data.get("subscriber_uid") else None

    def create_subscriber(self, list_uid, fields):
        """Single create (not retried: POST). Returns the subscriber uid."""
        payload = self.request("POST", f"lists/{_seg(list_uid)}/subscribers", data=fields)
        return _subscriber_uid(payload)

    def update_subscriber(self, list_uid, subscriber_uid, fields):
        # PUT with the full field set is idempotent: safe to retry.
        payload = self.request(
            "PUT", f"lists/{_seg(list_uid)}/subscribers/{_seg(subscriber_uid)}",
            data=fields, safe=True,
        )
        return _subscriber_uid(payload) or subscriber_uid

    def unsubscribe(self, list_uid, subscriber_uid):
        return self.request(
            "PUT", f"lists/{_seg(list_uid)}/subscribers/{_seg(subscriber_uid)}/unsubscribe",
            safe=True,
        )

    def delete_subscriber(self, list_uid, subscriber_uid):
        return self.request(
            "DELETE", f"lists/{_seg(list_uid)}/subscribers/{_seg(subscriber_uid)}", safe=True
        )

    def bulk_create_subscribers(self, list_uid, subscribers):
        """One ``POST lists/{uid}/subscribers/bulk`` call (MailWizz >= 1.8.1).

        Marked safe to retry: a list holds an email once, so re-sending a chunk that
        was (partly) applied yields per-item "already exists" errors, never duplicates;
        ``push_subscribers`` reconciles those by email.
        """
        if len(subscribers) > self.bulk_chunk_size:
            raise ValueError(
                f"{len(subscribers)} subscribers in one bulk call exceeds the chunk size "
                f"{self.bulk_chunk_size}"
            )
        input_vars = sum(count_input_vars(fields) for fields in subscribers)
        if self.max_input_vars and input_vars > self.input_vars_budget:
            raise ValueError(
                f"{input_vars} form variables in one bulk call exceed the server's max_input_vars "
                f"{self.max_input_vars} (PHP would silently drop the rest)"
            )
        return self.request(
            "POST", f"lists/{_seg(list_uid)}/subscribers/bulk",
            data={"subscribers": list(subscribers)}, safe=True,
        )

    def iter_push(self, list_uid, items, chunk_size=None):
        """Push subscribers; yield a list of :class:`ItemResult` per chunk.

        ``items`` is an iterable of ``(key, fields, subscriber_uid_or_None)`` where
        ``fields`` holds list field tags (``EMAIL``, ``FNAME``...). Items with a known
        uid are updated (idempotent PUT); the others are bulk-created in chunks. A
        bulk item refused because the email already exists is resolved by a
        search-by-email and updated, so a re-push or a retried half-applied chunk
        never creates duplicates and every item ends with a definite outcome; an item
        refused for another reason fails with MailWizz's message. A chunk also stays
        under the server's ``max_input_vars`` (one form variable per field sent), which
        PHP would otherwise truncate silently. Authentication errors and 403s stop the
        push (they would repeat for every item).
        Callers should persist each yielded chunk (commit) before asking for the next.
        """
        chunk_size = min(chunk_size or self.bulk_chunk_size, self.bulk_chunk_size)
        budget = self.input_vars_budget if self.max_input_vars else None
        pending = []
        pending_vars = 0
        for item in items:
            key, fields, uid = item
            if uid:
                yield [self._push_update(list_uid, key, fields, uid)]
                continue
            item_vars = count_input_vars(fields)
            if budget is not None and item_vars > budget:
                yield [self._push_single(list_uid, key, fields)]
                continue
            # a chunk holds at most chunk_size subscribers and, with PHP's
            # max_input_vars, at most budget form variables (one per field sent)
            if pending and budget is not None and pending_vars + item_vars > budget:
                yield self._push_chunk(list_uid, pending)
                pending, pending_vars = [], 0
            pending.append((key, fields))
            pending_vars += item_vars
            if len(pending) >= chunk_size:
                yield self._push_chunk(list_uid, pending)
                pending, pending_vars = [], 0
        if pending:
            yield self._push_chunk(list_uid, pending)

    @property
    def input_vars_budget(self):
        """Form variables one request may carry below the server's ``max_input_vars``."""
        if not self.max_input_vars:
            return None
        return max(1, self.max_input_vars - INPUT_VARS_OVERHEAD)

    def bulk_chunk_for(self, fields_per_subscriber):
        """Subscribers per bulk call for subscribers of ``fields_per_subscriber`` fields."""
        budget = self.input_vars_budget
        if not budget:
            return self.bulk_chunk_size
        return max(1, min(self.bulk_chunk_size, budget // max(1, fields_per_subscriber)))

    def push_subscribers(self, list_uid, items, chunk_size=None, on_chunk=None, keep_uids=True):
        """Run :meth:`iter_push` to completion and return a :class:`PushSummary`."""
        calls_before = self.http_calls
        summary = PushSummary()
        for results in self.iter_push(list_uid, items, chunk_size):
            if on_chunk:
                on_chunk(results)
            for result in results:
                summary.add(result, keep_uids=keep_uids)
        summary.http_calls = self.http_calls - calls_before
        return summary

    def _push_single(self, list_uid, key, fields):
        """A subscriber with more fields than one request may carry: one create call
        (its variables beyond max_input_vars would be dropped by PHP anyway)."""
        email = fields.get("EMAIL", "")
        try:
            return ItemResult(key, email, True, "created", self.create_subscriber(list_uid, fields))
        except (MailWizzAuthError, MailWizzForbidden):
            raise
        except (MailWizzHTTPError, MailWizzMalformedResponse) as exc:
            return ItemResult(key, email, False, "failed", None, str(exc))

    def _push_update(self, list_uid, key, fields, uid):
        email = fields.get("EMAIL", "")
        try:
            new_uid = self.update_subscriber(list_uid, uid, fields)
            return ItemResult(key, email, True, "updated", new_uid)
        except MailWizzNotFound:
            # deleted on the MailWizz side (404, or MailWizz's 409 "The subscriber does
            # not exist in this list."): create it again (by email, so no duplicate)
            found = self.search_subscriber(list_uid, email)
            try:
                if found:
                    new_uid = self.update_subscriber(list_uid, found["subscriber_uid"], fields)
                    return ItemResult(key, email, True, "updated", new_uid)
                new_uid = self.create_subscriber(list_uid, fields)
                return ItemResult(key, email, True, "created", new_uid)
            except (MailWizzAuthError, MailWizzForbidden):
                raise
            except MailWizzError as exc:
                return ItemResult(key, email, False, "failed", None, str(exc))
        except (MailWizzAuthError, MailWizzForbidden):
            # the account or the web server refuses every such call: stop the push
            raise
        except (MailWizzHTTPError, MailWizzMalformedResponse) as exc:
            return ItemResult(key, email, False, "failed", uid, str(exc))

    def _push_chunk(self, list_uid, chunk):
        # Timeouts/connection errors/5xx that outlive the retries propagate: the
        # caller has persisted every previous chunk and can resume from this one.
        payload = self.bulk_create_subscribers(list_uid, [fields for _key, fields in chunk])
        records = _bulk_records(payload)
        results = []
        by_email = {}
        if records is not None and len(records) != len(chunk):
            for rec in records:
                email = _record_email(rec)
                if email:
                    by_email[email.lower()] = rec
        for index, (key, fields) in enumerate(chunk):
            email = fields.get("EMAIL", "")
            if records is not None and len(records) == len(chunk):
                rec = records[index]
            else:
                rec = by_email.get(email.lower())
            results.append(self._bulk_item_result(list_uid, key, fields, rec))
        return results

    def _bulk_item_result(self, list_uid, key, fields, rec):
        """Outcome of one bulk item ``rec`` (``{"data": {...}, "errors": {TAG: message}}``,
        or None when the answer holds no item for this subscriber)."""
        email = fields.get("EMAIL", "")
        if rec is not None and _record_ok(rec):
            uid = _subscriber_uid(rec)
            if uid:
                return ItemResult(key, email, True, "created", uid)
        error = _error_text(rec) if isinstance(rec, dict) else ""
        if rec is not None and not _record_ok(rec) and not _looks_duplicate(error):
            # a definite refusal (invalid email, required field...): report it as is
            return ItemResult(key, email, False, "failed", None, error or "refused by MailWizz")
        # Unknown outcome or "already exists": ask MailWizz what it holds for this email.
        try:
            found = self.search_subscriber(list_uid, email) if email else None
        except (MailWizzAuthError, MailWizzForbidden):
            raise
        except MailWizzError as exc:
            return ItemResult(key, email, False, "unknown", None, f"{error or 'no result'}; {exc}")
        if found:
            uid = found["subscriber_uid"]
            if rec is not None and _record_ok(rec):
                return ItemResult(key, email, True, "created", uid)
            try:
                uid = self.update_subscriber(list_uid, uid, fields)
            except (MailWizzAuthError, MailWizzForbidden):
                raise
            except MailWizzError as exc:
                return ItemResult(key, email, False, "failed", uid, str(exc))
            return ItemResult(key, email, True, "updated", uid)
        return ItemResult(key, email, False, "failed", None, error or "not created by MailWizz")

    # campaigns
    def iter_campaigns(self, per_page=DEFAULT_PER_PAGE):
        return self.paginate("campaigns", per_page=per_page)

    def get_campaign(self, campaign_uid):
        return (self.get(f"campaigns/{_seg(campaign_uid)}").get("data") or {}).get("record")

    def create_campaign(self, campaign):
        """``campaign``: name, from_name, from_email, subject, reply_to, send_at
        ('Y-m-d H:i:s' in the customer's timezone), list_uid, segment_uid, options,
        template {content (raw HTML, base64-encoded here like the SDK) | template_uid}.
        Not retried (POST): on a timeout, look the campaign up by name before re-creating.
        """
        campaign = dict(campaign)
        template = dict(campaign.get("template") or {})
        for key in ("content", "archive", "plain_text"):
            if template.get(key):
                template[key] = _b64(template[key])
        if template:
            campaign["template"] = template
        payload = self.request("POST", "campaigns", data={"campaign": campaign})
        uid = payload.get("campaign_uid") or (payload.get("data") or {}).get("campaign_uid")
        if not uid:
            raise MailWizzMalformedResponse(
                "MailWizz created a campaign but returned no campaign_uid", payload=payload
            )
        return uid

    def update_campaign(self, campaign_uid, campaign):
        return self.request("PUT", f"campaigns/{_seg(campaign_uid)}", data={"campaign": campaign}, safe=True)

    def copy_campaign(self, campaign_uid):
        payload = self.request("POST", f"campaigns/{_seg(campaign_uid)}/copy")
        return payload.get("campaign_uid") or (payload.get("data") or {}).get("campaign_uid")

    def pause_unpause_campaign(self, campaign_uid):
        """Toggle (so never retried blindly). Returns the new campaign status."""
        payload = self.request("PUT", f"campaigns/{_seg(campaign_uid)}/pause-unpause", safe=False)
        return (payload.get("campaign") or {}).get("status")

    def mark_campaign_sent(self, campaign_uid):
        payload = self.request("PUT", f"campaigns/{_seg(campaign_uid)}/mark-sent", safe=True)
        return (payload.get("campaign") or {}).get("status")

    def delete_campaign(self, campaign_uid):
        return self.request("DELETE", f"campaigns/{_seg(campaign_uid)}", safe=True)

    def campaign_stats(self, campaign_uid):
        """Counters of ``GET campaigns/{uid}/stats`` normalised to ints/floats."""
        data = self.get(f"campaigns/{_seg(campaign_uid)}/stats").get("data") or {}
        out = {}
        for key, value in data.items():
            if key.endswith("_count"):
                out[key] = _to_int(value) or 0
            elif key.endswith("_rate"):
                out[key] = _to_float(value)
            else:
                out[key] = value
        return out

    # per-subscriber campaign events (MailWizz >= 1.4.4 bounces, >= 1.9.15 unsubscribes)
    def iter_campaign_bounce_pages(self, campaign_uid, per_page=CAMPAIGN_EVENTS_PER_PAGE):
        """Pages of ``GET campaigns/{uid}/bounces``, newest first: records
        ``{message, processed, bounce_type (hard|soft|internal), subscriber: {subscriber_uid, email}}``."""
        return self.iter_pages(f"campaigns/{_seg(campaign_uid)}/bounces", per_page=per_page)

    def iter_campaign_unsubscribe_pages(self, campaign_uid, per_page=CAMPAIGN_EVENTS_PER_PAGE):
        """Pages of ``GET campaigns/{uid}/unsubscribes``, newest first: records
        ``{ip_address, user_agent, reason, note, date_added, subscriber: {subscriber_uid, email}}``.
        Complaints have no endpoint: MailWizz records them as unsubscribes whose note
        names the feedback loop or web hook (see :func:`is_complaint`)."""
        return self.iter_pages(f"campaigns/{_seg(campaign_uid)}/unsubscribes", per_page=per_page)

    # templates
    def iter_templates(self, per_page=DEFAULT_PER_PAGE):
        return self.paginate("templates", per_page=per_page)


# --------------------------------------------------------------------------- helpers
def is_complaint(unsubscribe_record):
    """Whether a record of ``campaigns/{uid}/unsubscribes`` is a complaint (abuse report)
    rather than the subscriber's own unsubscribe: MailWizz writes no reason but a note
    naming the feedback loop or the delivery server's web hook for those."""
    note = str((unsubscribe_record or {}).get("note") or "").lower()
    return any(marker in note for marker in COMPLAINT_MARKERS)


def _seg(value):
    if not value:
        raise ValueError("empty MailWizz uid")
    return quote(str(value), safe="")


def _to_int(value):
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def _to_float(value):
    try:
        return float(str(value).rstrip("%"))
    except (TypeError, ValueError):
        return None


def _b64(value):
    import base64

    if isinstance(value, str):
        value = value.encode("utf-8")
    return base64.b64encode(value).decode("ascii")


def _subscriber_uid(payload):
    if not isinstance(payload, dict):
        return None
    if payload.get("subscriber_uid"):
        return payload["subscriber_uid"]
    data = payload.get("data")
    if isinstance(data, dict):
        if data.get("subscriber_uid"):
            return data["subscriber_uid"]
        record = data.get("record")
        if isinstance(record, dict) and record.get("subscriber_uid"):
            return record["subscriber_uid"]
    return None


def _bulk_records(payload):
    data = payload.get("data") if isinstance(payload, dict) else None
    if isinstance(data, dict) and isinstance(data.get("records"), list):
        return data["records"]
    if isinstance(data, list):
        return data
    return None


def _record_ok(rec):
    """A bulk item without errors (MailWizz: ``errors`` empty; older shapes: ``status``)."""
    return (
        isinstance(rec, dict)
        and rec.get("status", "success") == "success"
        and not rec.get("error")
        and not rec.get("errors")
    )


def _looks_duplicate(error):
    """The item was refused because the email already is in the list."""
    return bool(_DUPLICATE.search(error or ""))


def _auth_reason(status, detail):
    """``"key"``/``"signature"``/``"expired"`` when an HTTP error is an authentication
    refusal (MailWizz answers those with 400 and a fixed message), else None."""
    if status not in (400, 401, 403):
        return None
    for pattern, reason in _AUTH_MESSAGES:
        if pattern.search(detail or ""):
            return reason
    return "key" if status == 401 else None


def count_input_vars(value):
    """Form variables PHP counts for ``value`` once form-encoded (one per leaf)."""
    if isinstance(value, dict):
        return sum(count_input_vars(v) for v in value.values()) if value else 0
    if isinstance(value, (list, tuple)):
        return sum(count_input_vars(v) for v in value)
    return 1


def _record_email(rec):
    if not isinstance(rec, dict):
        return None
    for source in (rec, rec.get("data") if isinstance(rec.get("data"), dict) else {}):
        for key in ("email", "EMAIL"):
            if source.get(key):
                return source[key]
    return None
