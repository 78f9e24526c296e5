"""Yealink Action URL: what a phone sends, and the lines to configure on it.

Protocol facts (Yealink administrator guides, "Action URL" / "Action URI"):

* The phone sends an unsigned HTTP(S) **GET** to the URL configured in
  ``action_url.<event>`` (at most 511 characters) when the event happens.
* Variables the phone substitutes in that URL: ``$mac $ip $model $firmware $active_url
  $active_user $active_host $local $remote $display_local $display_remote $call_id``.
  ``$local`` / ``$remote`` are SIP URIs (``sip:0987654321@pbx.example``); there is no
  duration or timestamp variable.
* Requests may arrive twice or out of order; nothing in them proves who sent them, so
  the URL carries a per-phone secret in its path and the phone's MAC in its query.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

# the events a phone reports (config key ``action_url.<event>``)
EVENTS = (
    "incoming_call",
    "outgoing_call",
    "call_established",
    "call_terminated",
    "missed_call",
    "forward_incoming_call",
    "reject_incoming_call",
    "answer_new_incoming_call",
    "transfer_call",
    "blind_transfer_call",
    "attended_transfer_call",
    "transfer_finished",
    "hold",
    "unhold",
    "remote_busy",
    "cancel_callout",
    "call_remote_canceled",
)
URL_MAX_LENGTH = 511
# query parameter -> phone variable
VARIABLES = (
    ("mac", "$mac"),
    ("call_id", "$call_id"),
    ("local", "$local"),
    ("remote", "$remote"),
    ("display_remote", "$display_remote"),
    ("ip", "$ip"),
    ("model", "$model"),
)
_MAC_RE = re.compile(r"^[0-9a-f]{12}$")
_SIP_RE = re.compile(r"^(?:sips?|tel):", re.I)
_NAME_ADDR_RE = re.compile(r"<([^>]*)>")
_UNSUBSTITUTED_RE = re.compile(r"^\$[a-z_]+$")


class ActionUrlError(ValueError):
    """The request is not a well-formed Action URL event."""


def normalize_mac(value):
    """``00:15:65:AB:CD:EF`` / ``001565abcdef`` -> ``001565abcdef``; raise ActionUrlError."""
    mac = re.sub(r"[^0-9a-fA-F]", "", value or "").lower()
    if not _MAC_RE.match(mac):
        raise ActionUrlError(f"invalid MAC address {value!r}")
    return mac


def sip_user(value):
    """The user part of a SIP URI as the phone reports it: ``sip:0987654321@pbx.example``
    -> ``0987654321``; also accepts ``"Name" <sip:...>``, ``tel:`` URIs, URL-encoded
    values and bare numbers. Returns "" for an empty or unsubstituted (``$remote``) value."""
    text = unquote(value or "").strip()
    if not text or _UNSUBSTITUTED_RE.match(text):
        return ""
    match = _NAME_ADDR_RE.search(text)
    if match:
        text = match.group(1).strip()
    text = _SIP_RE.sub("", text)
    text = text.split(";", 1)[0].split("?", 1)[0]
    user = text.split("@", 1)[0].strip()
    return user


def dialable(value):
    """Keep what a dialer keeps: a leading ``+`` and digits, ``*`` and ``#``."""
    value = (value or "").strip()
    plus = "+" if value.startswith("+") else ""
    return plus + re.sub(r"[^0-9*#]", "", value)


@dataclass(frozen=True)
class ActionEvent:
    """One Action URL request, parsed and validated."""

    event: str
    mac: str
    call_id: str
    local: str = ""
    remote: str = ""
    display_remote: str = ""
    ip: str = ""
    model: str = ""
    extra: dict = field(default_factory=dict, compare=False)


def parse_event(event, params):
    """Validate an Action URL request: ``event`` from the path, ``params`` its query
    (a mapping of str). Raise :class:`ActionUrlError` when it cannot be a phone's event."""
    if event not in EVENTS:
        raise ActionUrlError(f"unknown event {event!r}")
    mac = normalize_mac(params.get("mac", ""))
    call_id = unquote(params.get("call_id", "") or "").strip()
    if not call_id or _UNSUBSTITUTED_RE.match(call_id) or len(call_id) > 128:
        raise ActionUrlError("missing or invalid call_id")
    return ActionEvent(
        event=event,
        mac=mac,
        call_id=call_id,
        local=sip_user(params.get("local", ""))[:64],
        remote=sip_user(params.get("remote", ""))[:64],
        display_remote=unquote(params.get("display_remote", "") or "").strip()[:128]
        if not _UNSUBSTITUTED_RE.match(params.get("display_remote", "") or "") else "",
        ip=(params.get("ip") or "")[:64],
        model=(params.get("model") or "")[:64],
    )


def action_url(base_url, secret, event):
    """The URL to configure in ``action_url.<event>`` (phone variables left as ``$x``)."""
    query = "&".join(f"{name}={var}" for name, var in VARIABLES)
    return f"{base_url.rstrip('/')}/yealink/action/{quote(secret, safe='')}/{event}?{query}"


def action_url_lines(base_url, secret, events=EVENTS):
    """``[(config key, url)]`` for every event; raise ActionUrlError if a URL is longer
    than the phone accepts."""
    lines = []
    for event in events:
        url = action_url(base_url, secret, event)
        if len(url) > URL_MAX_LENGTH:
            raise ActionUrlError(f"action_url.{event} is {len(url)} characters, the phone takes {URL_MAX_LENGTH}")
        lines.append((f"action_url.{event}", url))
    return lines


def provisioning_snippet(base_url, secret, server_ip="", events=EVENTS):
    """A Yealink auto-provisioning (``<MAC>.cfg``) fragment with every Action URL line and,
    when given, the Odoo server allowed to send click-to-dial commands."""
    out = ["#!version:1.0.0.1", "## crm_yealink: Action URL events"]
    out += [f"{key} = {url}" for key, url in action_url_lines(base_url, secret, events)]
    if server_ip:
        out += ["## crm_yealink: click-to-dial from Odoo", f"features.action_uri_limit_ip = {server_ip}"]
    return "\n".join(out) + "\n"
