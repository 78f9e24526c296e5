"""crm_yealink.lib.yeastar against a local Yeastar P-Series-like server: tokens (expiry,
refresh, refusal), paging, signed webhooks, CDR normalisation."""

import base64
import hashlib
import hmac
from datetime import datetime

import pytest

from crm_yealink.lib.yeastar import (
    YeastarAuthError,
    YeastarClient,
    YeastarUnreachable,
    cdr_state,
    normalize_cdr,
    parse_webhook,
    party_number,
    sign_webhook,
    verify_webhook,
)
from crm_yealink.tests.fake_yeastar import FakeYeastar, signed_webhook


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


def test_token_is_reused_then_refreshed_after_30_minutes():
    clock = Clock()
    with FakeYeastar() as pbx:
        pbx.add_cdr(call_from="1001", call_to="09694923749")
        client = YeastarClient(pbx.url, pbx.client_id, pbx.client_secret, clock=clock)
        list(client.iter_cdr())
        list(client.iter_cdr())
        assert (pbx.token_calls, pbx.refresh_calls) == (1, 0)
        clock.now += 1800
        list(client.iter_cdr())
        assert (pbx.token_calls, pbx.refresh_calls) == (1, 1)
        clock.now += 86400
        list(client.iter_cdr())
        assert pbx.token_calls == 2, "an expired refresh token means a new get_token"


def test_refused_token_is_renewed_once():
    with FakeYeastar() as pbx:
        pbx.add_cdr()
        client = YeastarClient(pbx.url, pbx.client_id, pbx.client_secret)
        assert len(list(client.iter_cdr())) == 1
        pbx.expire_tokens()  # e.g. the PBX restarted: tokens are gone before their time
        assert len(list(client.iter_cdr())) == 1
        assert pbx.rejected_token_calls == 1 and (pbx.token_calls, pbx.refresh_calls) == (1, 1)


def test_wrong_secret_and_unreachable():
    with FakeYeastar() as pbx:
        client = YeastarClient(pbx.url, pbx.client_id, "wrong")
        with pytest.raises(YeastarAuthError):
            list(client.iter_cdr())
        url = pbx.url
    with pytest.raises(YeastarUnreachable):
        list(YeastarClient(url, "a", "b", timeout=1).iter_cdr())


def test_paging():
    with FakeYeastar() as pbx:
        for i in range(25):
            pbx.add_cdr(call_from="1001", call_to=f"0969492{i:04d}")
        client = YeastarClient(pbx.url, pbx.client_id, pbx.client_secret)
        records = list(client.iter_cdr(page_size=10))
        assert [r["call_to"] for r in records] == [f"0969492{i:04d}" for i in range(25)]
        pages = [q["page"] for m, path, q in pbx.calls if path.endswith("cdr/list")]
        assert pages == ["1", "2", "3"]
        assert all(q.get("page_size") == "10" for m, path, q in pbx.calls if path.endswith("cdr/list"))


def test_webhook_signature():
    secret = "whsec"
    body, headers = signed_webhook(secret, {"call_id": "1.1", "call_from": "1001"})
    expected = base64.b64encode(hmac.new(b"whsec", body, hashlib.sha256).digest()).decode()
    assert headers["X-Signature"] == expected == sign_webhook(secret, body)
    assert verify_webhook(secret, body, headers["X-Signature"])
    assert not verify_webhook(secret, body + b" ", headers["X-Signature"])
    assert not verify_webhook("other", body, headers["X-Signature"])
    assert not verify_webhook(secret, body, "")
    event_type, msg = parse_webhook(body)
    assert event_type == 30012 and msg["call_from"] == "1001"


def test_normalize_cdr_list_and_webhook_shapes():
    listed = normalize_cdr({"uid": "1700000000.5", "timestamp": 1700000000, "call_from": "Leo<1001>",
                            "call_to": "09694923749", "duration": 70, "ring_duration": 10, "talk_duration": 60,
                            "disposition": "ANSWERED", "call_type": "Outbound", "record_file": "rec.wav"})
    assert (listed.uid, listed.call_from, listed.talk_duration, listed.record_file) == (
        "1700000000.5", "1001", 60, "rec.wav")
    assert listed.start == datetime(2023, 11, 14, 22, 13, 20)
    hooked = normalize_cdr({"call_id": "1642582287.3", "time_start": "2022/01/19 16:51:27", "call_from": "09694923749",
                            "call_to": "1001", "call_duration": 13, "talk_duration": 0, "status": "NO ANSWER",
                            "type": "Inbound", "recording": ""})
    assert (hooked.uid, hooked.ring_duration, cdr_state(hooked)) == ("1642582287.3", 13, "missed")
    assert hooked.start == datetime(2022, 1, 19, 16, 51, 27)
    assert party_number("Front desk <2001>") == "2001"
