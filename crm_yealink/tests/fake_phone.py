"""A local HTTP server that behaves like a Yealink phone's web server for click-to-dial
(no Odoo imports; used by the Odoo tests, ``tests/test_yealink_phone_client.py`` and the tour).

* ``GET /servlet?key=number=NUMBER&outgoing_uri=ACCOUNT`` (and the legacy
  ``/cgi-bin/ConfigManApp.com``) with HTTP Basic authentication;
* 401 with ``WWW-Authenticate`` for a wrong user or password, 403 when the server is not in
  ``features.action_uri_limit_ip`` or remote control was refused (``refuse=True``),
  a delayed answer (``delay`` seconds) to trip client timeouts.
"""

import base64
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class FakePhone:
    def __init__(self, username="admin", password="phone-pass", refuse=False, delay=0.0, on_dial=None):
        self.username = username
        self.password = password
        self.refuse = refuse
        self.delay = delay
        self.on_dial = on_dial
        self.dials = []  # (number, outgoing_uri)
        self.requests = 0
        self._server = None
        self._thread = None

    @property
    def address(self):
        host, port = self._server.server_address[:2]
        return f"{host}:{port}"

    def start(self):
        phone = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802 - http.server API
                phone.requests += 1
                if phone.delay:
                    time.sleep(phone.delay)
                parts = urlsplit(self.path)
                if parts.path not in ("/servlet", "/cgi-bin/ConfigManApp.com"):
                    return self._answer(404, "Not Found")
                expected = base64.b64encode(f"{phone.username}:{phone.password}".encode()).decode()
                if self.headers.get("Authorization", "") != f"Basic {expected}":
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="Yealink"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                if phone.refuse:
                    return self._answer(403, "Forbidden")
                query = parse_qs(parts.query)
                key = (query.get("key") or [""])[0]
                if not key.startswith("number="):
                    return self._answer(400, "Bad Request")
                number = key[len("number="):]
                outgoing = (query.get("outgoing_uri") or [""])[0]
                phone.dials.append((number, outgoing))
                if phone.on_dial:
                    phone.on_dial(number, outgoing)
                return self._answer(200, "OK")

            def _answer(self, status, text):
                body = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
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
