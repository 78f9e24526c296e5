"""A local, in-memory MailWizz API server for tests and benchmarks (no Odoo imports).

Test code, not shipped behaviour: used by ``tests/test_mailwizz_client.py`` (Odoo-free,
imported as ``crm_mailwizz.tests.fake_mailwizz``; ``tests/conftest.py`` registers
``crm_mailwizz.tests`` as a bare package), by the Odoo tests of this folder and by
``bench/mailwizz_push_bench.py``. It imports only ``..lib`` (relative), never ``odoo``.

It listens on 127.0.0.1 (port chosen by the OS) and follows what a real MailWizz
(1.x and 2.x application source, PHP SDKs) answers:

* authentication 1.x (``X-MW-PUBLIC-KEY`` / ``X-MW-TIMESTAMP`` / ``X-MW-REMOTE-ADDR`` /
  ``X-MW-SIGNATURE``; the HMAC-SHA1 signature is recomputed and checked) and/or 2.x
  (``X-API-KEY``), chosen with ``api_version`` = "1", "2" or "both";
* form-encoded request bodies parsed the PHP way (``a[b][0]=...``), JSON answers in the
  ``{"status": "success"|"error", ...}`` envelope;
* paginated collections (``page``/``per_page`` -> ``data.count/total_pages/current_page/
  next_page/prev_page/records``);
* lists, list fields, segments, subscribers (create, bulk create with a per-request
  limit, update, search by email, unsubscribe, delete, filter by status), campaigns
  (create, get, update, copy, pause-unpause, mark-sent, delete, stats), templates.

Real-server behaviours the client must cope with:

* authentication failures are **HTTP 400** (the API's request-access filter):
  ``Invalid API key``, ``Invalid API request signature``, ``Your request expired``
  (1.x timestamp older than ``max_clock_skew``), ``Invalid API request params`` (no keys);
* bulk answers hold one item per subscriber, ``{"data": {...}, "errors": {TAG: message}}``
  (``errors`` is ``[]`` when the item was created; no per-item ``status``);
* ``PUT lists/{uid}/subscribers/{uid}`` for a uid the list no longer has answers **409**
  ``The subscriber does not exist in this list.`` (other 409s: duplicate email);
* PHP's ``max_input_vars`` (default 1000): the body's variables beyond the limit are
  silently dropped before MailWizz sees them; on 1.x the signature then no longer
  matches (400 ``Invalid API request signature``), on 2.x the last subscribers of a
  bulk call are silently not created (``max_input_vars=None`` turns it off);
* **403** for quotas (``max_campaigns``: ``You have reached the maximum number of
  allowed campaigns.``) and, with ``blocked_methods={"PUT", "DELETE"}``, an HTML 403
  page from the web server in front of MailWizz for those methods.
* per-subscriber campaign events (``Campaign_bouncesController``, since 1.4.4, and
  ``Campaign_unsubscribesController``, since 1.9.15, of the API app):
  ``GET campaigns/{uid}/bounces`` and ``GET campaigns/{uid}/unsubscribes``, newest first
  (``ORDER BY log_id/id DESC``), ``per_page`` clamped to 10..50, ``count`` a string,
  ``total_pages`` a float (PHP ``ceil``), every ``data`` key ``null`` and no records when
  there are none; ``POST campaigns/{uid}/bounces`` (one bounce per subscriber and
  campaign, else 422). There is no complaints endpoint: a complaint (feedback loop,
  delivery-server web hook) unsubscribes the subscriber with an unsubscribe record whose
  note is ``Unsubscribed via FBL Report!`` / ``Unsubscribed via Web Hook!`` and writes a
  complaint log the API does not serve; a hard bounce blacklists the subscriber.
  Feed them with :meth:`FakeMailWizz.add_campaign_bounce`, :meth:`add_campaign_unsubscribe`
  and :meth:`add_campaign_complaint`.

Fault injection for outage tests: :meth:`FakeMailWizz.add_fault` (N x HTTP 500 then
normal answers, delays that trip client timeouts, malformed bodies, "apply then fail"),
``bulk_reject`` (make chosen bulk items fail).

Usage::

    with FakeMailWizz(api_version="1") as server:
        client = MailWizzClient(server.url, SignatureAuth(server.public_key, server.private_key))
"""

import base64
import contextlib
import hmac
import itertools
import json
import re
import secrets
import sys
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from ..lib.client import compute_v1_signature
from ..lib.phpquery import http_build_query, ksort, parse_php_query

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# messages of MailWizz's API request-access filter (answered with HTTP 400)
MSG_INVALID_PARAMS = "Invalid API request params. Please refer to the documentation."
MSG_INVALID_KEY = "Invalid API key. Please refer to the documentation."
MSG_INVALID_SIGNATURE = "Invalid API request signature. Please refer to the documentation."
MSG_EXPIRED = "Your request expired. Please refer to the documentation."
MSG_SUBSCRIBER_MISSING = "The subscriber does not exist in this list."
MSG_SUBSCRIBER_EXISTS = "The subscriber already exists in this list."
MSG_CAMPAIGN_QUOTA = "You have reached the maximum number of allowed campaigns."
# notes of the unsubscribe records MailWizz writes for complaints (feedback-loop processing,
# delivery-server web hooks) and the message of its complaint log
NOTE_FBL = "Unsubscribed via FBL Report!"
NOTE_WEB_HOOK = "Unsubscribed via Web Hook!"
MSG_COMPLAINT = "Abuse complaint via FBL Report!"
BOUNCE_TYPES = ("hard", "soft", "internal")
HTML_403 = (
    "<html><head><title>403 Forbidden</title></head><body><h1>Forbidden</h1>"
    "<p>You don't have permission to access this resource.</p></body></html>"
)

STAT_KEYS = (
    "subscribers_count",
    "processed_count",
    "delivery_success_count",
    "delivery_error_count",
    "opens_count",
    "unique_opens_count",
    "clicks_count",
    "unique_clicks_count",
    "unsubscribes_count",
    "complaints_count",
    "bounces_count",
    "hard_bounces_count",
    "soft_bounces_count",
    "internal_bounces_count",
)


class ApiError(Exception):
    def __init__(self, status, error):
        super().__init__(error)
        self.status = status
        self.error = error


class Fault:
    """One injected fault. ``kind``: status | delay | malformed | apply_then_fail."""

    def __init__(self, kind, method=None, path=None, times=1, status=500, delay=0.0, body=None, after=0):
        self.kind = kind
        self.after = after  # matching requests answered normally before the fault starts
        self.method = method.upper() if method else None
        self.path = re.compile(path) if path else None
        self.remaining = times
        self.status = status
        self.delay = delay
        self.body = body
        self.hits = 0

    def matches(self, method, path):
        if self.remaining == 0:
            return False
        if self.method and self.method != method:
            return False
        if self.path and not self.path.search(path):
            return False
        if self.after > 0:
            self.after -= 1
            return False
        return True


def _now():
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _uid():
    # MailWizz uids are 13 lowercase alphanumerics
    return secrets.token_hex(7)[:13]


def truncate_input_vars(body, max_input_vars):
    """What PHP keeps of a form body: its first ``max_input_vars`` variables (each
    ``name=value`` pair, nested ``a[b][c]`` included, counts as one)."""
    if not body or not max_input_vars:
        return body
    pairs = [pair for pair in body.split("&") if pair]
    return "&".join(pairs[:max_input_vars])


def _as_list(value):
    if value is None:
        return []
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, list):
        return value
    return [value]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeMailWizz/1.0"
    disable_nagle_algorithm = True  # headers and body are two writes: avoid 40 ms stalls

    def log_message(self, fmt, *args):  # keep test output quiet
        pass

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8") if length else ""
        method = self.command
        override = self.headers.get("X-HTTP-Method-Override")
        if method == "POST" and override:
            method = override.upper()
        status, payload, raw = self.server.fake.dispatch(method, self.path, dict(self.headers.items()), body)
        if raw is not None:
            data = raw.encode("utf-8")
            ctype = "text/html; charset=utf-8"
        else:
            data = json.dumps(payload).encode("utf-8")
            ctype = "application/json; charset=utf-8"
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            # the client gave up (timeout test); nothing to answer to
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True


class FakeMailWizz:
    """In-memory MailWizz; see the module docstring."""

    def __init__(
        self,
        api_version="both",
        public_key="fake-public-key",
        private_key="fake-private-key",
        api_key="fake-api-key",
        bulk_limit=100,
        max_per_page=None,
        max_clock_skew=None,
        prefix="/api",
        max_input_vars=1000,
        max_campaigns=None,
        blocked_methods=(),
    ):
        if str(api_version) not in ("1", "2", "both"):
            raise ValueError("api_version must be '1', '2' or 'both'")
        self.api_version = str(api_version)
        self.public_key = public_key
        self.private_key = private_key
        self.api_key = api_key
        self.bulk_limit = bulk_limit
        self.max_per_page = max_per_page
        self.max_clock_skew = max_clock_skew
        self.prefix = prefix.rstrip("/")
        self.max_input_vars = max_input_vars
        self.max_campaigns = max_campaigns
        self.blocked_methods = {m.upper() for m in blocked_methods}
        self.truncated_requests = 0  # requests whose body lost variables to max_input_vars
        self.lists = {}
        self.campaigns = {}
        self.templates = {}
        self.faults = []
        self.bulk_reject = None  # callable(email) -> error string or None
        self.requests = []  # (method, path, status)
        self.lock = threading.RLock()
        self._ids = itertools.count(1)
        self._httpd = None
        self._thread = None

    # ------------------------------------------------------------------ lifecycle
    def start(self):
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.fake = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-mailwizz",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self):
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def port(self):
        return self._httpd.server_address[1]

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}{self.prefix}"

    # ------------------------------------------------------------------ test helpers
    def add_fault(self, kind, method=None, path=None, times=1, status=500, delay=0.0, body=None, after=0):
        fault = Fault(kind, method, path, times, status, delay, body, after)
        with self.lock:
            self.faults.append(fault)
        return fault

    def clear_faults(self):
        with self.lock:
            self.faults = []

    def calls(self, method=None, path=None):
        pattern = re.compile(path) if path else None
        return [
            r for r in self.requests if (not method or r[0] == method.upper()) and (not pattern or pattern.search(r[1]))
        ]

    def reset_calls(self):
        self.requests = []

    def add_list(self, name, fields=None, segments=None, list_uid=None):
        uid = list_uid or _uid()
        base_fields = [("EMAIL", "Email", "yes"), ("FNAME", "First name", "no"), ("LNAME", "Last name", "no")]
        field_defs = base_fields + [tuple(f) for f in (fields or [])]
        with self.lock:
            self.lists[uid] = {
                "general": {"list_uid": uid, "name": name, "display_name": name, "description": name},
                "defaults": {"from_name": "", "from_email": "", "reply_to": "", "subject": ""},
                "notifications": {"subscribe": "no", "unsubscribe": "no"},
                "company": {},
                "fields": [
                    {
                        "field_id": str(next(self._ids)),
                        "label": label,
                        "tag": tag,
                        "help_text": None,
                        "default_value": None,
                        "required": required,
                        "visibility": "visible",
                        "sort_order": str(i),
                        "type": {"name": "Text", "identifier": "text", "description": "Text"},
                        "list": {"list_uid": uid, "display_name": name},
                    }
                    for i, (tag, label, required) in enumerate(field_defs)
                ],
                "segments": [{"segment_uid": _uid(), "name": seg, "subscribers_count": 0} for seg in (segments or [])],
                "subscribers": {},
                "by_email": {},
            }
        return uid

    def add_subscriber(self, list_uid, email, status="confirmed", **fields):
        with self.lock:
            return self._create_subscriber(self._list(list_uid), dict(fields, EMAIL=email), status=status)[
                "subscriber_uid"
            ]

    def add_subscribers(self, list_uid, rows, status="confirmed"):
        """Seed many subscribers at once (``rows``: dicts of tags, ``EMAIL`` required, and
        optionally ``status``), without the API's email check: a real list can hold
        addresses MailWizz took in before it validated them (imports, old versions).
        Returns their uids, in order."""
        with self.lock:
            lst = self._list(list_uid)
            return [
                self._create_subscriber(lst, row, status=row.get("status") or status, source="import")[
                    "subscriber_uid"
                ]
                for row in rows
            ]

    def set_subscriber_status(self, list_uid, email, status):
        with self.lock:
            lst = self._list(list_uid)
            lst["subscribers"][lst["by_email"][email.lower()]]["status"] = status

    def subscribers(self, list_uid):
        return list(self._list(list_uid)["subscribers"].values())

    def add_template(self, name, content="<html><body>[UNSUBSCRIBE_URL]</body></html>"):
        uid = _uid()
        with self.lock:
            self.templates[uid] = {"template_uid": uid, "name": name, "content": content, "screenshot": None}
        return uid

    def set_campaign_stats(self, campaign_uid, **counts):
        with self.lock:
            self.campaigns[campaign_uid]["stats"].update(counts)

    # campaign events, as MailWizz's bounce/feedback-loop processing records them
    def _campaign_subscriber(self, camp, email):
        lst = self._list(camp["list_uid"])
        uid = lst["by_email"].get(email.strip().lower())
        if uid is None:
            raise KeyError(f"{email} is not a subscriber of the campaign's list")
        return lst["subscribers"][uid]

    def _bump(self, camp, *keys):
        for key in keys:
            camp["stats"][key] = (camp["stats"].get(key) or 0) + 1

    def add_campaign_bounce(self, campaign_uid, email, bounce_type="hard", message="550 5.1.1 User unknown"):
        """A bounce of ``email`` for the campaign (one per subscriber and campaign, as
        MailWizz keeps it); a hard bounce puts the subscriber on the blacklist.
        Returns False when the subscriber had already bounced."""
        if bounce_type not in BOUNCE_TYPES:
            raise ValueError(bounce_type)
        with self.lock:
            camp = self._campaign(campaign_uid)
            sub = self._campaign_subscriber(camp, email)
            if any(b["subscriber_uid"] == sub["subscriber_uid"] for b in camp["bounce_log"]):
                return False
            camp["bounce_log"].append({
                "log_id": next(self._ids), "subscriber_uid": sub["subscriber_uid"], "message": message,
                "bounce_type": bounce_type, "processed": "no", "date_added": _now(),
            })
            if bounce_type == "hard":
                sub["status"] = "blacklisted"
            self._bump(camp, "bounces_count", f"{bounce_type}_bounces_count")
            return True

    def add_campaign_unsubscribe(self, campaign_uid, email, reason="", note=None):
        """``email`` unsubscribed from the campaign (its unsubscribe link): status
        unsubscribed and one unsubscribe record per subscriber and campaign."""
        with self.lock:
            camp = self._campaign(campaign_uid)
            sub = self._campaign_subscriber(camp, email)
            sub["status"] = "unsubscribed"
            if any(u["subscriber_uid"] == sub["subscriber_uid"] for u in camp["unsubscribe_log"]):
                return False
            camp["unsubscribe_log"].append({
                "id": next(self._ids), "subscriber_uid": sub["subscriber_uid"], "reason": reason or None,
                "note": note, "ip_address": "203.0.113.7" if note is None else None,
                "user_agent": "Mozilla/5.0" if note is None else None, "date_added": _now(),
            })
            self._bump(camp, "unsubscribes_count")
            return True

    def add_campaign_complaint(self, campaign_uid, email, note=NOTE_FBL):
        """An abuse complaint about the campaign (feedback loop or delivery-server web hook):
        MailWizz unsubscribes the subscriber with an unsubscribe record carrying ``note``
        and logs the complaint (not served by the API)."""
        with self.lock:
            camp = self._campaign(campaign_uid)
            sub = self._campaign_subscriber(camp, email)
            self.add_campaign_unsubscribe(campaign_uid, email, note=note)
            if not any(c["subscriber_uid"] == sub["subscriber_uid"] for c in camp["complaint_log"]):
                camp["complaint_log"].append({
                    "log_id": next(self._ids), "subscriber_uid": sub["subscriber_uid"],
                    "message": MSG_COMPLAINT, "date_added": _now(),
                })
                self._bump(camp, "complaints_count")

    # ------------------------------------------------------------------ dispatch
    def dispatch(self, method, raw_path, headers, body):
        split = urlsplit(raw_path)
        path = split.path
        query = parse_php_query(split.query)
        delay = 0.0
        apply_then_fail = None
        early = None
        with self.lock:
            for fault in self.faults:
                if fault.matches(method, path):
                    fault.remaining -= 1
                    fault.hits += 1
                    if fault.kind == "delay":
                        delay = max(delay, fault.delay)
                    elif fault.kind == "apply_then_fail":
                        apply_then_fail = fault
                    elif fault.kind == "malformed":
                        early = (200, None, fault.body or "<html><body>PHP Fatal error</body></html>")
                    elif fault.kind == "status":
                        early = (
                            fault.status,
                            fault.body or {"status": "error", "error": "Internal server error (injected)"},
                            None,
                        )
                    break
        if delay:
            time.sleep(delay)
        if early is None and method in self.blocked_methods:
            # the web server (not MailWizz) refuses the method: an HTML page, no JSON
            early = (403, None, HTML_403)
        if early is not None:
            self.requests.append((method, path, early[0]))
            return early
        try:
            norm = {k.lower(): v for k, v in headers.items()}
            kept = truncate_input_vars(body, self.max_input_vars)
            if kept != body:
                self.truncated_requests += 1
            form = parse_php_query(kept) if kept else {}
            self._check_auth(method, path, query, form, norm)
            with self.lock:
                status, payload = self._route(method, path, query, form)
        except ApiError as exc:
            status, payload = exc.status, {"status": "error", "error": exc.error}
        if apply_then_fail is not None:
            status = apply_then_fail.status
            payload = {"status": "error", "error": "Internal server error after commit (injected)"}
        self.requests.append((method, path, status))
        return status, payload, None

    def _check_auth(self, method, path, query, form, headers):
        """MailWizz's request-access filter: every refusal is HTTP 400."""
        api_key = headers.get("x-api-key")
        public_key = headers.get("x-mw-public-key")
        if api_key is not None and self.api_version in ("2", "both"):
            if not hmac.compare_digest(api_key, self.api_key):
                raise ApiError(400, MSG_INVALID_KEY)
            return
        if public_key is not None and self.api_version in ("1", "both"):
            signature = headers.get("x-mw-signature")
            timestamp = headers.get("x-mw-timestamp")
            if not signature or not timestamp:
                raise ApiError(400, MSG_INVALID_PARAMS)
            if not hmac.compare_digest(public_key, self.public_key):
                raise ApiError(400, MSG_INVALID_KEY)
            if self.max_clock_skew is not None:
                try:
                    skew = abs(time.time() - int(timestamp))
                except ValueError:
                    raise ApiError(400, MSG_INVALID_PARAMS) from None
                if skew > self.max_clock_skew:
                    raise ApiError(400, MSG_EXPIRED)
            url = f"http://{headers.get('host', '127.0.0.1')}{path}".rstrip("/")
            if query:
                url = f"{url}?{http_build_query(ksort(query))}"
            params = {
                "X-MW-PUBLIC-KEY": public_key,
                "X-MW-TIMESTAMP": timestamp,
                "X-MW-REMOTE-ADDR": headers.get("x-mw-remote-addr", ""),
            }
            # the signature is checked against the POST variables PHP kept
            params.update(form)
            expected = compute_v1_signature(self.private_key, method, url, params)
            if not hmac.compare_digest(expected, signature):
                raise ApiError(400, MSG_INVALID_SIGNATURE)
            return
        raise ApiError(400, MSG_INVALID_PARAMS)

    # ------------------------------------------------------------------ routing
    def _route(self, method, path, query, form):
        if not path.startswith(self.prefix + "/"):
            raise ApiError(404, "Page not found.")
        parts = [p for p in path[len(self.prefix) :].split("/") if p]
        key = (method, *self._shape(parts))
        handler = _ROUTES.get(key)
        if handler is None:
            raise ApiError(404 if method == "GET" else 405, f"Unknown endpoint {method} {path}.")
        args = [p for p, s in zip(parts, self._shape(parts)) if s == "*"]
        return handler(self, *args, query=query, form=form)

    @staticmethod
    def _shape(parts):
        literals = {
            "lists",
            "fields",
            "segments",
            "subscribers",
            "bulk",
            "search-by-email",
            "unsubscribe",
            "campaigns",
            "copy",
            "pause-unpause",
            "mark-sent",
            "stats",
            "bounces",
            "unsubscribes",
            "templates",
        }
        return tuple(p if p in literals else "*" for p in parts)

    def _page(self, records, query, default_per_page=10):
        try:
            page = max(1, int(query.get("page") or 1))
            per_page = max(1, int(query.get("per_page") or default_per_page))
        except ValueError:
            raise ApiError(400, "Invalid pagination parameters.") from None
        if self.max_per_page:
            per_page = min(per_page, self.max_per_page)
        total = len(records)
        total_pages = max(1, -(-total // per_page))
        chunk = records[(page - 1) * per_page : page * per_page]
        return 200, {
            "status": "success",
            "data": {
                "count": str(total),
                "total_pages": total_pages,
                "current_page": page,
                "next_page": page + 1 if page < total_pages else None,
                "prev_page": page - 1 if page > 1 else None,
                "records": chunk,
            },
        }

    def _list(self, list_uid):
        lst = self.lists.get(list_uid)
        if lst is None:
            raise ApiError(404, "The subscribers list does not exist.")
        return lst

    @staticmethod
    def _public_list(lst):
        return {k: lst[k] for k in ("general", "defaults", "notifications", "company")}

    # lists
    def r_lists(self, query, form):
        return self._page([self._public_list(lst) for lst in self.lists.values()], query)

    def r_list_create(self, query, form):
        general = form.get("general") or {}
        defaults = form.get("defaults") or {}
        errors = {}
        for key in ("name", "description"):
            if not general.get(key):
                errors[f"general[{key}]"] = f"{key} cannot be blank."
        for key in ("from_name", "from_email", "reply_to"):
            if not defaults.get(key):
                errors[f"defaults[{key}]"] = f"{key} cannot be blank."
        if errors:
            raise ApiError(422, errors)
        uid = self.add_list(general["name"])
        lst = self.lists[uid]
        lst["general"].update(
            {"description": general.get("description"), "display_name": general.get("display_name") or general["name"]}
        )
        lst["defaults"].update(defaults)
        if isinstance(form.get("notifications"), dict):
            lst["notifications"].update(form["notifications"])
        if isinstance(form.get("company"), dict):
            lst["company"].update(form["company"])
        return 201, {"status": "success", "list_uid": uid}

    def r_list_get(self, list_uid, query, form):
        return 200, {"status": "success", "data": {"record": self._public_list(self._list(list_uid))}}

    def r_list_delete(self, list_uid, query, form):
        self._list(list_uid)
        del self.lists[list_uid]
        return 200, {"status": "success"}

    def r_fields(self, list_uid, query, form):
        return 200, {"status": "success", "data": {"records": self._list(list_uid)["fields"]}}

    def r_segments(self, list_uid, query, form):
        return self._page(self._list(list_uid)["segments"], query)

    # subscribers
    def _validate(self, lst, fields):
        errors = {}
        email = (fields.get("EMAIL") or "").strip()
        if not email:
            errors["EMAIL"] = "Email cannot be blank."
        elif not EMAIL_RE.match(email):
            errors["EMAIL"] = "Email is not a valid email address."
        for fdef in lst["fields"]:
            if fdef["required"] == "yes" and fdef["tag"] != "EMAIL" and not fields.get(fdef["tag"]):
                errors[fdef["tag"]] = f"{fdef['label']} cannot be blank."
        return errors

    def _create_subscriber(self, lst, fields, status="confirmed", source="api"):
        uid = _uid()
        tags = {f["tag"] for f in lst["fields"]}
        sub = {tag: fields.get(tag, "") for tag in tags}
        sub.update(
            {
                "subscriber_uid": uid,
                "EMAIL": fields["EMAIL"].strip(),
                "status": status,
                "source": source,
                "ip_address": "127.0.0.1",
                "date_added": _now(),
            }
        )
        lst["subscribers"][uid] = sub
        lst["by_email"][sub["EMAIL"].lower()] = uid
        return sub

    def r_subscribers(self, list_uid, query, form):
        subs = list(self._list(list_uid)["subscribers"].values())
        if query.get("status"):
            subs = [s for s in subs if s["status"] == query["status"]]
        return self._page(subs, query)

    def r_subscriber_create(self, list_uid, query, form):
        lst = self._list(list_uid)
        errors = self._validate(lst, form)
        if errors:
            raise ApiError(422, errors)
        if form["EMAIL"].strip().lower() in lst["by_email"]:
            raise ApiError(409, MSG_SUBSCRIBER_EXISTS)
        details = form.get("details") if isinstance(form.get("details"), dict) else {}
        sub = self._create_subscriber(lst, form, status=details.get("status") or "confirmed")
        record = {k: sub[k] for k in ("subscriber_uid", "ip_address", "source", "date_added")}
        record["email"] = sub["EMAIL"]
        return 201, {"status": "success", "data": {"record": record}}

    def r_bulk(self, list_uid, query, form):
        lst = self._list(list_uid)
        items = _as_list(form.get("subscribers"))
        if not items:
            raise ApiError(400, "Please provide the subscribers to add.")
        if self.bulk_limit and len(items) > self.bulk_limit:
            raise ApiError(
                400, f"You can add at most {self.bulk_limit} subscribers in one request, {len(items)} given."
            )
        records = []
        for item in items:
            item = item if isinstance(item, dict) else {}
            email = (item.get("EMAIL") or "").strip()
            errors = self._validate(lst, item)
            if not errors and self.bulk_reject:
                reason = self.bulk_reject(email)
                if reason:
                    errors = {"EMAIL": reason}
            if not errors and email.lower() in lst["by_email"]:
                errors = {"EMAIL": MSG_SUBSCRIBER_EXISTS}
            if errors:
                # MailWizz: the submitted data back, the model's errors by field tag
                records.append({"data": dict(item), "errors": errors})
                continue
            sub = self._create_subscriber(lst, item)
            records.append(
                {
                    "data": {"subscriber_uid": sub["subscriber_uid"], "email": sub["EMAIL"], "status": sub["status"]},
                    "errors": [],  # PHP's empty array
                }
            )
        return 200, {"status": "success", "data": {"records": records}}

    def r_search(self, list_uid, query, form):
        lst = self._list(list_uid)
        email = (query.get("EMAIL") or "").strip().lower()
        uid = lst["by_email"].get(email)
        if not uid:
            raise ApiError(404, MSG_SUBSCRIBER_MISSING)
        sub = lst["subscribers"][uid]
        return 200, {
            "status": "success",
            "data": {"subscriber_uid": uid, "status": sub["status"], "date_added": sub["date_added"]},
        }

    def _subscriber(self, lst, subscriber_uid, status=404):
        sub = lst["subscribers"].get(subscriber_uid)
        if sub is None:
            raise ApiError(status, MSG_SUBSCRIBER_MISSING)
        return sub

    def r_subscriber_get(self, list_uid, subscriber_uid, query, form):
        sub = self._subscriber(self._list(list_uid), subscriber_uid)
        return 200, {"status": "success", "data": {"record": dict(sub)}}

    def r_subscriber_update(self, list_uid, subscriber_uid, query, form):
        lst = self._list(list_uid)
        # MailWizz 1.x and 2.x answer 409 (not 404) for an update of a uid the list lacks
        sub = self._subscriber(lst, subscriber_uid, status=409)
        new_email = (form.get("EMAIL") or sub["EMAIL"]).strip()
        if not EMAIL_RE.match(new_email):
            raise ApiError(422, {"EMAIL": "Email is not a valid email address."})
        other = lst["by_email"].get(new_email.lower())
        if other and other != subscriber_uid:
            raise ApiError(409, "Another subscriber with this email address already exists in this list.")
        del lst["by_email"][sub["EMAIL"].lower()]
        for field_def in lst["fields"]:
            if field_def["tag"] in form:
                sub[field_def["tag"]] = form[field_def["tag"]]
        sub["EMAIL"] = new_email
        lst["by_email"][new_email.lower()] = subscriber_uid
        details = form.get("details") if isinstance(form.get("details"), dict) else {}
        if details.get("status"):
            sub["status"] = details["status"]
        record = {"subscriber_uid": subscriber_uid, "email": new_email, "status": sub["status"]}
        return 200, {"status": "success", "data": {"record": record}}

    def r_unsubscribe(self, list_uid, subscriber_uid, query, form):
        sub = self._subscriber(self._list(list_uid), subscriber_uid)
        sub["status"] = "unsubscribed"
        return 200, {"status": "success"}

    def r_subscriber_delete(self, list_uid, subscriber_uid, query, form):
        lst = self._list(list_uid)
        sub = self._subscriber(lst, subscriber_uid)
        del lst["subscribers"][subscriber_uid]
        del lst["by_email"][sub["EMAIL"].lower()]
        return 200, {"status": "success"}

    # campaigns
    def _campaign(self, campaign_uid):
        camp = self.campaigns.get(campaign_uid)
        if camp is None:
            raise ApiError(404, "The campaign does not exist.")
        return camp

    def _campaign_record(self, camp, detail=False):
        rec = {k: camp[k] for k in ("campaign_uid", "campaign_id", "type", "name", "status")}
        rec["group"] = []
        if detail:
            lst = self.lists.get(camp["list_uid"])
            rec.update(
                {
                    k: camp[k]
                    for k in ("from_name", "from_email", "to_name", "reply_to", "subject", "date_added", "send_at")
                }
            )
            rec["list"] = {
                "list_uid": camp["list_uid"],
                "name": lst["general"]["name"] if lst else "",
                "subscribers_count": str(len(lst["subscribers"])) if lst else "0",
            }
            if camp.get("segment_uid"):
                rec["segment"] = {"segment_uid": camp["segment_uid"], "name": "", "subscribers_count": 0}
        return rec

    def r_campaigns(self, query, form):
        return self._page([self._campaign_record(c) for c in self.campaigns.values()], query)

    def r_campaign_create(self, query, form):
        data = form.get("campaign") if isinstance(form.get("campaign"), dict) else {}
        errors = {}
        for key in ("name", "from_name", "from_email", "subject", "reply_to", "send_at", "list_uid"):
            if not data.get(key):
                errors[key] = f"{key} cannot be blank."
        if data.get("list_uid") and data["list_uid"] not in self.lists:
            errors["list_uid"] = "Provided list does not exist."
        template = data.get("template") if isinstance(data.get("template"), dict) else {}
        content = None
        if template.get("content"):
            try:
                content = base64.b64decode(template["content"]).decode("utf-8")
            except ValueError:
                errors["template"] = "The template content must be base64 encoded."
        elif template.get("template_uid"):
            tpl = self.templates.get(template["template_uid"])
            if tpl is None:
                errors["template"] = "Provided template does not exist."
            else:
                content = tpl["content"]
        else:
            errors["template"] = "Please provide a template for your campaign."
        if errors:
            raise ApiError(422, errors)
        if self.max_campaigns is not None and len(self.campaigns) >= self.max_campaigns:
            raise ApiError(403, MSG_CAMPAIGN_QUOTA)
        uid = _uid()
        status = data.get("status") or "pending-sending"
        self.campaigns[uid] = {
            "campaign_uid": uid,
            "campaign_id": str(next(self._ids)),
            "type": data.get("type") or "regular",
            "name": data["name"],
            "status": status,
            "from_name": data["from_name"],
            "from_email": data["from_email"],
            "to_name": data.get("to_name") or "[EMAIL]",
            "reply_to": data["reply_to"],
            "subject": data["subject"],
            "send_at": data["send_at"],
            "date_added": _now(),
            "list_uid": data["list_uid"],
            "segment_uid": data.get("segment_uid") or None,
            "content": content,
            "options": data.get("options") or {},
            "stats": dict.fromkeys(STAT_KEYS, 0),
            "bounce_log": [],
            "unsubscribe_log": [],
            "complaint_log": [],
        }
        return 201, {"status": "success", "campaign_uid": uid}

    def r_campaign_get(self, campaign_uid, query, form):
        return 200, {
            "status": "success",
            "data": {"record": self._campaign_record(self._campaign(campaign_uid), detail=True)},
        }

    def r_campaign_update(self, campaign_uid, query, form):
        camp = self._campaign(campaign_uid)
        data = form.get("campaign") if isinstance(form.get("campaign"), dict) else {}
        if camp["status"] in ("sent", "sending", "processing"):
            raise ApiError(400, "This campaign cannot be updated at this point.")
        for key in (
            "name",
            "from_name",
            "from_email",
            "subject",
            "reply_to",
            "send_at",
            "list_uid",
            "segment_uid",
            "status",
        ):
            if data.get(key):
                camp[key] = data[key]
        return 200, {"status": "success"}

    def r_campaign_delete(self, campaign_uid, query, form):
        self._campaign(campaign_uid)
        del self.campaigns[campaign_uid]
        return 200, {"status": "success"}

    def r_campaign_copy(self, campaign_uid, query, form):
        camp = dict(self._campaign(campaign_uid))
        uid = _uid()
        camp.update(
            {
                "campaign_uid": uid,
                "campaign_id": str(next(self._ids)),
                "status": "draft",
                "name": camp["name"] + " (copy)",
                "stats": dict.fromkeys(STAT_KEYS, 0),
                "bounce_log": [],
                "unsubscribe_log": [],
                "complaint_log": [],
            }
        )
        self.campaigns[uid] = camp
        return 201, {"status": "success", "campaign_uid": uid}

    def r_pause_unpause(self, campaign_uid, query, form):
        camp = self._campaign(campaign_uid)
        if camp["status"] == "paused":
            camp["status"] = "sending"
        elif camp["status"] in ("pending-sending", "sending", "processing"):
            camp["status"] = "paused"
        else:
            raise ApiError(400, f"A campaign in status {camp['status']} cannot be paused or unpaused.")
        return 200, {"status": "success", "campaign": {"status": camp["status"]}}

    def r_mark_sent(self, campaign_uid, query, form):
        camp = self._campaign(campaign_uid)
        camp["status"] = "sent"
        return 200, {"status": "success", "campaign": {"status": "sent"}}

    def r_stats(self, campaign_uid, query, form):
        camp = self._campaign(campaign_uid)
        stats = dict(camp["stats"])
        if not stats.get("subscribers_count") and camp["list_uid"] in self.lists:
            stats["subscribers_count"] = len(self.lists[camp["list_uid"]]["subscribers"])
        processed = stats.get("processed_count") or 0

        def rate(count):
            return round(100.0 * count / processed, 2) if processed else 0.0

        data = {"campaign_status": camp["status"]}
        for key in STAT_KEYS:
            data[key] = stats.get(key, 0)
            if key not in ("subscribers_count", "processed_count"):
                data[key.replace("_count", "_rate")] = rate(stats.get(key, 0))
        return 200, {"status": "success", "data": data}

    # campaign bounces / unsubscribes (Campaign_bouncesController, Campaign_unsubscribesController)
    def _event_page(self, camp, log, query, shape):
        """The paging of those two controllers: per_page clamped to 10..50, newest first."""
        try:
            per_page = int(query.get("per_page") or 10)
            page = int(query.get("page") or 1)
        except ValueError:
            per_page, page = 10, 1
        per_page = min(max(per_page, 10), 50)
        page = max(page, 1)
        data = dict.fromkeys(("count", "total_pages", "current_page", "next_page", "prev_page"))
        data["records"] = []
        count = len(log)
        if not count:
            return 200, {"status": "success", "data": data}
        total_pages = float(-(-count // per_page))  # PHP ceil() gives a float
        data.update(count=str(count), current_page=page, next_page=page + 1 if page < total_pages else None,
                    prev_page=page - 1 if page > 1 else None, total_pages=total_pages)
        lst = self.lists.get(camp["list_uid"]) or {"subscribers": {}}
        newest_first = sorted(log, key=lambda rec: rec.get("log_id") or rec.get("id"), reverse=True)
        for rec in newest_first[(page - 1) * per_page : page * per_page]:
            sub = lst["subscribers"].get(rec["subscriber_uid"]) or {}
            item = shape(rec)
            item["subscriber"] = {"subscriber_uid": rec["subscriber_uid"], "email": sub.get("EMAIL", "")}
            data["records"].append(item)
        return 200, {"status": "success", "data": data}

    def r_campaign_bounces(self, campaign_uid, query, form):
        camp = self._campaign(campaign_uid)
        return self._event_page(camp, camp["bounce_log"], query, lambda rec: {
            "message": rec["message"], "processed": rec["processed"], "bounce_type": rec["bounce_type"]})

    def r_campaign_bounce_create(self, campaign_uid, query, form):
        camp = self._campaign(campaign_uid)
        uid = str(form.get("subscriber_uid") or "")
        lst = self.lists.get(camp["list_uid"]) or {"subscribers": {}}
        sub = lst["subscribers"].get(uid)
        if sub is None:
            raise ApiError(404, "The subscriber does not exist!")
        bounce_type = str(form.get("bounce_type") or "internal")
        if bounce_type not in BOUNCE_TYPES:
            raise ApiError(422, "Invalid bounce type!")
        message = str(form.get("message") or "BOUNCED BACK")[:250]
        if not self.add_campaign_bounce(campaign_uid, sub["EMAIL"], bounce_type, message):
            raise ApiError(422, "This subscriber has already been marked as bounced!")
        record = {"message": message, "processed": "no", "bounce_type": bounce_type,
                  "subscriber": {"subscriber_uid": uid, "email": sub["EMAIL"]}}
        return 201, {"status": "success", "data": {"record": record}}

    def r_campaign_unsubscribes(self, campaign_uid, query, form):
        camp = self._campaign(campaign_uid)
        return self._event_page(camp, camp["unsubscribe_log"], query, lambda rec: {
            key: rec[key] for key in ("ip_address", "user_agent", "reason", "note", "date_added")})

    # templates
    def r_templates(self, query, form):
        records = [{k: t[k] for k in ("template_uid", "name", "screenshot")} for t in self.templates.values()]
        return self._page(records, query)

    def r_template_get(self, template_uid, query, form):
        tpl = self.templates.get(template_uid)
        if tpl is None:
            raise ApiError(404, "The template does not exist.")
        return 200, {"status": "success", "data": {"record": dict(tpl)}}


_ROUTES = {
    ("GET", "lists"): FakeMailWizz.r_lists,
    ("POST", "lists"): FakeMailWizz.r_list_create,
    ("GET", "lists", "*"): FakeMailWizz.r_list_get,
    ("DELETE", "lists", "*"): FakeMailWizz.r_list_delete,
    ("GET", "lists", "*", "fields"): FakeMailWizz.r_fields,
    ("GET", "lists", "*", "segments"): FakeMailWizz.r_segments,
    ("GET", "lists", "*", "subscribers"): FakeMailWizz.r_subscribers,
    ("POST", "lists", "*", "subscribers"): FakeMailWizz.r_subscriber_create,
    ("POST", "lists", "*", "subscribers", "bulk"): FakeMailWizz.r_bulk,
    ("GET", "lists", "*", "subscribers", "search-by-email"): FakeMailWizz.r_search,
    ("GET", "lists", "*", "subscribers", "*"): FakeMailWizz.r_subscriber_get,
    ("PUT", "lists", "*", "subscribers", "*"): FakeMailWizz.r_subscriber_update,
    ("DELETE", "lists", "*", "subscribers", "*"): FakeMailWizz.r_subscriber_delete,
    ("PUT", "lists", "*", "subscribers", "*", "unsubscribe"): FakeMailWizz.r_unsubscribe,
    ("GET", "campaigns"): FakeMailWizz.r_campaigns,
    ("POST", "campaigns"): FakeMailWizz.r_campaign_create,
    ("GET", "campaigns", "*"): FakeMailWizz.r_campaign_get,
    ("PUT", "campaigns", "*"): FakeMailWizz.r_campaign_update,
    ("DELETE", "campaigns", "*"): FakeMailWizz.r_campaign_delete,
    ("POST", "campaigns", "*", "copy"): FakeMailWizz.r_campaign_copy,
    ("PUT", "campaigns", "*", "pause-unpause"): FakeMailWizz.r_pause_unpause,
    ("PUT", "campaigns", "*", "mark-sent"): FakeMailWizz.r_mark_sent,
    ("GET", "campaigns", "*", "stats"): FakeMailWizz.r_stats,
    ("GET", "campaigns", "*", "bounces"): FakeMailWizz.r_campaign_bounces,
    ("POST", "campaigns", "*", "bounces"): FakeMailWizz.r_campaign_bounce_create,
    ("GET", "campaigns", "*", "unsubscribes"): FakeMailWizz.r_campaign_unsubscribes,
    ("GET", "templates"): FakeMailWizz.r_templates,
    ("GET", "templates", "*"): FakeMailWizz.r_template_get,
}


def serve_forever():  # pragma: no cover - manual use
    """Run a fake server until Ctrl-C, for trying the connector by hand."""
    with FakeMailWizz() as srv:
        demo = srv.add_list("Demo list", segments=["Everyone"])
        sys.stdout.write(
            f"Fake MailWizz on {srv.url} (list {demo}); public={srv.public_key} "
            f"private={srv.private_key} api_key={srv.api_key}. Ctrl-C to stop.\n"
        )
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)


if __name__ == "__main__":  # pragma: no cover - manual use
    serve_forever()
