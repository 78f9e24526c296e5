"""A local Yeastar P-Series Open API server (no Odoo imports), for the Odoo tests,
``tests/test_yealink_yeastar.py`` and benchmarks.

It speaks the documented protocol: ``POST /openapi/v1.0/get_token`` and ``refresh_token``
(JSON bodies, ``errcode``/``errmsg`` answers, 1800 s access tokens, refresh tokens),
``GET cdr/list`` and ``cdr/search`` paged with ``page``/``page_size`` (``total_number``,
``data``), ``access_token`` in the query, a mandatory ``User-Agent`` header, and answers a
refused token with errcode 10004. :meth:`expire_tokens` makes every issued access token
invalid at once (as after 30 minutes); :func:`webhook_body` builds a signed 30012 event.
"""

import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from ..lib.yeastar import EVENT_NEW_CDR, sign_webhook

ERR_TOKEN = 10004


class FakeYeastar:
    def __init__(self, client_id="client-id", client_secret="client-secret"):
        self.client_id = client_id
        self.client_secret = client_secret
        self.cdrs = []
        self.access_tokens = set()
        self.refresh_tokens = set()
        self.calls = []  # (method, path, query)
        self.token_calls = 0
        self.refresh_calls = 0
        self.rejected_token_calls = 0
        self._server = None

    @property
    def url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def add_cdr(self, **values):
        record = {
            "id": len(self.cdrs) + 1, "uid": f"{1700000000 + len(self.cdrs)}.{len(self.cdrs) + 1}",
            "time": "", "timestamp": 1700000000, "call_from": "", "call_to": "", "duration": 0,
            "ring_duration": 0, "talk_duration": 0, "disposition": "ANSWERED", "call_type": "Outbound",
            "record_file": "",
        }
        record.update(values)
        self.cdrs.append(record)
        return record

    def expire_tokens(self):
        self.access_tokens.clear()

    def _issue(self):
        access, refresh = secrets.token_hex(16), secrets.token_hex(16)
        self.access_tokens.add(access)
        self.refresh_tokens.add(refresh)
        return {"errcode": 0, "errmsg": "SUCCESS", "access_token_expire_time": 1800, "access_token": access,
                "refresh_token_expire_time": 86400, "refresh_token": refresh}

    def start(self):
        pbx = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, data, status=200):
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):  # noqa: N802 - http.server API
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    payload = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    return self._json({"errcode": 40002, "errmsg": "PARAMETER ERROR"})
                pbx.calls.append(("POST", parts.path, {}))
                if not self.headers.get("User-Agent"):
                    return self._json({"errcode": 40001, "errmsg": "USER AGENT MISSING"}, 403)
                if parts.path == "/openapi/v1.0/get_token":
                    pbx.token_calls += 1
                    if payload.get("username") != pbx.client_id or payload.get("password") != pbx.client_secret:
                        return self._json({"errcode": 10002, "errmsg": "USERNAME OR PASSWORD ERROR"})
                    return self._json(pbx._issue())
                if parts.path == "/openapi/v1.0/refresh_token":
                    pbx.refresh_calls += 1
                    token = payload.get("refresh_token")
                    if token not in pbx.refresh_tokens:
                        return self._json({"errcode": ERR_TOKEN, "errmsg": "INVALID REFRESH TOKEN"})
                    pbx.refresh_tokens.discard(token)
                    return self._json(pbx._issue())
                return self._json({"errcode": 40004, "errmsg": "NOT FOUND"}, 404)

            def do_GET(self):  # noqa: N802 - http.server API
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                pbx.calls.append(("GET", parts.path, query))
                if query.get("access_token") not in pbx.access_tokens:
                    pbx.rejected_token_calls += 1
                    return self._json({"errcode": ERR_TOKEN, "errmsg": "INVALID ACCESS TOKEN"})
                if parts.path not in ("/openapi/v1.0/cdr/list", "/openapi/v1.0/cdr/search"):
                    return self._json({"errcode": 40004, "errmsg": "NOT FOUND"}, 404)
                page = max(1, int(query.get("page") or 1))
                size = min(10000, max(1, int(query.get("page_size") or 10000)))
                records = list(pbx.cdrs)
                if parts.path.endswith("search"):
                    start, end = query.get("start_time"), query.get("end_time")
                    if start:
                        records = [r for r in records if r["time"] >= start]
                    if end:
                        records = [r for r in records if r["time"] <= end]
                chunk = records[(page - 1) * size: page * size]
                return self._json({"errcode": 0, "errmsg": "SUCCESS", "total_number": len(records), "data": chunk})

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def webhook_body(msg, sn="3631A1234567", event_type=EVENT_NEW_CDR):
    """Raw JSON body of a webhook event, ``msg`` sent as JSON text as the PBX does."""
    return json.dumps({"type": event_type, "sn": sn, "msg": json.dumps(msg)}).encode()


def signed_webhook(secret, msg, **kwargs):
    """``(raw body, headers)`` of a signed webhook event."""
    body = webhook_body(msg, **kwargs)
    return body, {"Content-Type": "application/json", "X-Signature": sign_webhook(secret, body)}
