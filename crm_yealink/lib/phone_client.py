"""Click-to-dial on a Yealink desk phone over its web server (no Odoo imports).

Protocol facts (Yealink "Action URI" guide):

* ``GET http(s)://PHONE/servlet?key=number=NUMBER&outgoing_uri=ACCOUNT@HOST`` dials
  NUMBER from the line ACCOUNT@HOST (older firmware: ``/cgi-bin/ConfigManApp.com?key=...``),
  with the phone's web user in HTTP Basic authentication.
* The phone obeys only hosts listed in ``features.action_uri_limit_ip`` and asks its user
  once to allow remote control; otherwise it refuses (HTTP 403).
"""

import re
from urllib.parse import quote

import requests

from .actionurl import dialable

DEFAULT_TIMEOUT = 5
SERVLET_PATH = "/servlet"
LEGACY_PATH = "/cgi-bin/ConfigManApp.com"
_HOST_RE = re.compile(r"^[A-Za-z0-9.\-:\[\]]+$")


class PhoneError(Exception):
    """The phone did not dial; ``reason`` is one of unreachable, timeout, auth, refused,
    credentials, number, http."""

    def __init__(self, message, reason="http", status_code=None):
        super().__init__(message)
        self.reason = reason
        self.status_code = status_code


def dial_url(address, number, account="", scheme="http", legacy=False):
    """The click-to-dial URL; raise PhoneError for an address or number that cannot be one."""
    address = (address or "").strip()
    if not address or not _HOST_RE.match(address):
        raise PhoneError(f"invalid phone address {address!r}", reason="credentials")
    digits = dialable(number)
    if len(digits.lstrip("+")) < 2:
        raise PhoneError(f"nothing to dial in {number!r}", reason="number")
    if scheme not in ("http", "https"):
        raise PhoneError(f"invalid scheme {scheme!r}", reason="credentials")
    path = LEGACY_PATH if legacy else SERVLET_PATH
    url = f"{scheme}://{address}{path}?key=number={quote(digits, safe='')}"
    if account:
        url += f"&outgoing_uri={quote(account, safe='@.')}"
    return url


def dial(address, number, *, account="", username="", password="", scheme="http", legacy=False,
         timeout=DEFAULT_TIMEOUT, verify=True, session=None):
    """Ask the phone to dial ``number``; return the dialed digits or raise PhoneError."""
    if not username or not password:
        raise PhoneError("the phone has no web credentials", reason="credentials")
    url = dial_url(address, number, account=account, scheme=scheme, legacy=legacy)
    http = session or requests
    try:
        response = http.get(url, auth=(username, password), timeout=timeout, verify=verify,
                            allow_redirects=False)
    except requests.Timeout as exc:
        raise PhoneError(f"the phone at {address} did not answer within {timeout} s", reason="timeout") from exc
    except requests.RequestException as exc:
        raise PhoneError(f"the phone at {address} is unreachable: {exc}", reason="unreachable") from exc
    if response.status_code == 401:
        raise PhoneError("the phone refused the web user name or password", reason="auth", status_code=401)
    if response.status_code == 403:
        raise PhoneError(
            "the phone refused remote control: add this server to features.action_uri_limit_ip "
            "and accept the prompt on the phone", reason="refused", status_code=403)
    if response.status_code >= 300:
        raise PhoneError(f"the phone answered HTTP {response.status_code}", reason="http",
                         status_code=response.status_code)
    return dialable(number)
