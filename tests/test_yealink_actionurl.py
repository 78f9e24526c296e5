"""crm_yealink.lib.actionurl and lib.ratelimit: Action URL parsing and configuration lines."""

import pytest

from crm_yealink.lib.actionurl import (
    EVENTS,
    URL_MAX_LENGTH,
    ActionUrlError,
    action_url_lines,
    dialable,
    normalize_mac,
    parse_event,
    provisioning_snippet,
    sip_user,
)
from crm_yealink.lib.ratelimit import RateLimiter


@pytest.mark.parametrize("value,expected", [
    ("sip:0987654321@pbx.example", "0987654321"),
    ("sips:+919812345678@pbx.example:5061;transport=tls", "+919812345678"),
    ('"Carla Gupta" <sip:09694923749@10.0.0.1>', "09694923749"),
    ("sip%3A1001%40pbx.example", "1001"),
    ("tel:+91-98123-45678", "+91-98123-45678"),
    ("9694923749", "9694923749"),
    ("$remote", ""),
    ("", ""),
])
def test_sip_user(value, expected):
    assert sip_user(value) == expected


def test_mac_and_dialable():
    assert normalize_mac("00:15:65:AB:CD:EF") == "001565abcdef"
    assert normalize_mac("001565ABCDEF") == "001565abcdef"
    for bad in ("", "$mac", "00:15:65", "zz1565abcdef"):
        with pytest.raises(ActionUrlError):
            normalize_mac(bad)
    assert dialable("+91 (96) 949-23749") == "+919694923749"
    assert dialable("*97#") == "*97#"


def test_parse_event():
    event = parse_event("incoming_call", {
        "mac": "00:15:65:aa:bb:cc", "call_id": "12", "local": "sip:1001@pbx", "remote": "sip:09694923749@pbx",
        "display_remote": "Carla", "ip": "10.0.0.5", "model": "T54W"})
    assert (event.event, event.mac, event.call_id, event.local, event.remote) == (
        "incoming_call", "001565aabbcc", "12", "1001", "09694923749")
    assert event.display_remote == "Carla"
    with pytest.raises(ActionUrlError):
        parse_event("format_disk", {"mac": "001565aabbcc", "call_id": "1"})
    with pytest.raises(ActionUrlError):
        parse_event("incoming_call", {"mac": "001565aabbcc", "call_id": "$call_id"})
    with pytest.raises(ActionUrlError):
        parse_event("incoming_call", {"mac": "001565aabbcc"})
    unsubstituted = parse_event("hold", {"mac": "001565aabbcc", "call_id": "3", "display_remote": "$display_remote"})
    assert unsubstituted.display_remote == "" and unsubstituted.remote == ""


def test_action_url_lines_cover_every_event_within_the_phone_limit():
    secret = "s" * 43
    lines = action_url_lines("https://crm.example.com/", secret)
    assert [key for key, _url in lines] == [f"action_url.{e}" for e in EVENTS]
    key, url = lines[0]
    assert url.startswith(f"https://crm.example.com/yealink/action/{secret}/incoming_call?mac=$mac&call_id=$call_id")
    assert "remote=$remote" in url
    assert all(len(url) <= URL_MAX_LENGTH for _key, url in lines)
    with pytest.raises(ActionUrlError):
        action_url_lines("https://" + "x" * 500 + ".example", secret)
    snippet = provisioning_snippet("https://crm.example.com", secret, server_ip="10.0.0.2")
    assert snippet.startswith("#!version:1.0.0.1\n")
    assert "action_url.call_terminated = https://crm.example.com/yealink/action/" in snippet
    assert "features.action_uri_limit_ip = 10.0.0.2" in snippet


def test_rate_limiter_window():
    now = [100.0]
    limiter = RateLimiter(3, window=10, clock=lambda: now[0], max_keys=2)
    assert [limiter.hit("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.hit("b")
    now[0] += 10.5
    assert limiter.hit("a")
    limiter.hit("c")  # a third key drops the oldest one
    assert len(limiter._hits) == 2
