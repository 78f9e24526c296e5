"""Odoo-free tests of crm_mailwizz.lib (client + fake MailWizz server on loopback).

No patched ``requests``: every test talks HTTP to FakeMailWizz on 127.0.0.1.
"""

import hashlib
import hmac
import time

import pytest

from crm_mailwizz.lib.client import (
    ApiKeyAuth,
    MailWizzAuthError,
    MailWizzClient,
    MailWizzForbidden,
    MailWizzHTTPError,
    MailWizzMalformedResponse,
    MailWizzNotFound,
    MailWizzTimeout,
    SignatureAuth,
    compute_v1_signature,
    is_complaint,
    make_auth,
)
from crm_mailwizz.lib.phpquery import http_build_query, ksort, parse_php_query
from crm_mailwizz.tests.fake_mailwizz import NOTE_WEB_HOOK, FakeMailWizz


@pytest.fixture
def server():
    with FakeMailWizz(api_version="both", bulk_limit=100) as srv:
        yield srv


def _client(server, version="2", **kw):
    delays = []
    kw.setdefault("sleep", delays.append)
    if version == "1":
        auth = SignatureAuth(server.public_key, server.private_key)
    else:
        auth = ApiKeyAuth(server.api_key)
    client = MailWizzClient(server.url, auth, timeout=kw.pop("timeout", 5), **kw)
    client.recorded_sleeps = delays
    return client


# --------------------------------------------------------------------------- encoding / signature
def test_http_build_query_matches_php():
    data = {"b": "x y", "a": {"c": ["1", "é"], "d": None}, "e": True, "f": "~*@"}
    assert http_build_query(data) == "b=x+y&a%5Bc%5D%5B0%5D=1&a%5Bc%5D%5B1%5D=%C3%A9&e=1&f=%7E%2A%40"
    assert list(ksort({"subscribers": 1, "X-MW-TIMESTAMP": 2, "EMAIL": 3})) == [
        "EMAIL",
        "X-MW-TIMESTAMP",
        "subscribers",
    ]
    assert parse_php_query("a%5Bc%5D%5B0%5D=1&a%5Bc%5D%5B1%5D=%C3%A9&b=x+y") == {
        "a": {"c": {"0": "1", "1": "é"}},
        "b": "x y",
    }


def test_v1_signature_known_vector():
    """Signature string built by hand following MailWizzApi_Http_Request::sign()."""
    url = "http://mw.test/api/lists/ab123/subscribers?page=1&per_page=10"
    params = {
        "X-MW-PUBLIC-KEY": "pub",
        "X-MW-TIMESTAMP": "1700000000",
        "X-MW-REMOTE-ADDR": "",
        "FNAME": "Jo Ann",
        "EMAIL": "jo@x.org",
    }
    expected_string = (
        "POST http://mw.test/api/lists/ab123/subscribers?page=1&per_page=10&"
        "EMAIL=jo%40x.org&FNAME=Jo+Ann&X-MW-PUBLIC-KEY=pub&X-MW-REMOTE-ADDR=&X-MW-TIMESTAMP=1700000000"
    )
    expected = hmac.new(b"priv", expected_string.encode(), hashlib.sha1).hexdigest()
    assert compute_v1_signature("priv", "post", url, params) == expected
    # no query string: separator is "?"
    get_string = "GET http://mw.test/api/lists?X-MW-PUBLIC-KEY=pub&X-MW-REMOTE-ADDR=&X-MW-TIMESTAMP=1"
    assert (
        compute_v1_signature(
            "priv",
            "GET",
            "http://mw.test/api/lists",
            {"X-MW-PUBLIC-KEY": "pub", "X-MW-TIMESTAMP": "1", "X-MW-REMOTE-ADDR": ""},
        )
        == hmac.new(b"priv", get_string.encode(), hashlib.sha1).hexdigest()
    )


# --------------------------------------------------------------------------- auth
@pytest.mark.parametrize("version", ["1", "2"])
def test_both_auth_schemes_work(server, version):
    server.add_list("Delegates")
    client = _client(server, version)
    assert client.ping() == {"lists": 1}
    uid = client.create_subscriber(next(iter(server.lists)), {"EMAIL": "a@b.org", "FNAME": "Ann Lee"})
    assert uid and client.search_subscriber(next(iter(server.lists)), "A@b.org")["subscriber_uid"] == uid


def test_v1_wrong_private_key_is_auth_error(server):
    client = MailWizzClient(server.url, SignatureAuth(server.public_key, "not-the-key"), sleep=lambda s: None)
    with pytest.raises(MailWizzAuthError) as info:
        client.ping()
    assert info.value.status_code == 400  # MailWizz's request-access filter: 400, never 401
    assert info.value.reason == "signature"
    assert "signature" in str(info.value) and "key" in str(info.value)
    assert len(server.requests) == 1  # auth errors are never retried


def test_v2_wrong_api_key_is_auth_error(server):
    client = MailWizzClient(server.url, ApiKeyAuth("wrong"), sleep=lambda s: None)
    with pytest.raises(MailWizzAuthError, match=r"HTTP 400: Invalid API key.*Check the API version"):
        client.ping()


def test_server_only_v1_refuses_v2_header():
    with FakeMailWizz(api_version="1") as srv:
        with pytest.raises(MailWizzAuthError):
            _client(srv, "2").ping()
        assert _client(srv, "1").ping() == {"lists": 0}


def test_v1_stale_timestamp_refused():
    with FakeMailWizz(api_version="1", max_clock_skew=60) as srv:
        auth = SignatureAuth(srv.public_key, srv.private_key, clock=lambda: time.time() - 3600)
        with pytest.raises(MailWizzAuthError, match="Your request expired.*server clock") as info:
            MailWizzClient(srv.url, auth).ping()
        assert info.value.status_code == 400 and info.value.reason == "expired"


def test_make_auth_validates():
    assert isinstance(make_auth("2", api_key="k"), ApiKeyAuth)
    assert isinstance(make_auth(1, public_key="p", private_key="s"), SignatureAuth)
    with pytest.raises(ValueError):
        make_auth("1", public_key="p")
    with pytest.raises(ValueError):
        make_auth("3", api_key="k")


# --------------------------------------------------------------------------- pagination & helpers
def test_pagination_iterates_all_pages(server):
    list_uid = server.add_list("Big")
    for i in range(23):
        server.add_subscriber(list_uid, f"p{i}@x.org", status="unsubscribed" if i % 5 == 0 else "confirmed")
    client = _client(server, "1")
    emails = [s["EMAIL"] for s in client.iter_subscribers(list_uid, per_page=10)]
    assert emails == [f"p{i}@x.org" for i in range(23)]
    assert len(server.calls("GET", r"/subscribers$")) == 3
    unsub = list(client.iter_subscribers(list_uid, status="unsubscribed", per_page=2))
    assert len(unsub) == 5 and {s["status"] for s in unsub} == {"unsubscribed"}


def test_lists_fields_segments_templates(server):
    list_uid = server.add_list("Speakers", fields=[("COMPANY", "Company", "no")], segments=["EU", "US"])
    server.add_template("Basic")
    client = _client(server, "2")
    lists = list(client.iter_lists())
    assert lists[0]["general"]["list_uid"] == list_uid
    assert [f["tag"] for f in client.list_fields(list_uid)] == ["EMAIL", "FNAME", "LNAME", "COMPANY"]
    assert [s["name"] for s in client.iter_segments(list_uid)] == ["EU", "US"]
    assert [t["name"] for t in client.iter_templates()] == ["Basic"]
    new_uid = client.create_list(
        {"name": "From CRM", "description": "Campaign X"},
        {"from_name": "Conf", "from_email": "m@conf.org", "reply_to": "m@conf.org", "subject": "Hi"},
    )
    assert client.get_list(new_uid)["general"]["name"] == "From CRM"
    with pytest.raises(MailWizzNotFound):
        client.get_list("nope")


def test_subscriber_update_unsubscribe_and_status(server):
    list_uid = server.add_list("L")
    client = _client(server, "1")
    uid = client.create_subscriber(list_uid, {"EMAIL": "u@x.org", "FNAME": "U"})
    assert client.update_subscriber(list_uid, uid, {"EMAIL": "u@x.org", "FNAME": "Ursula"}) == uid
    assert client.get_subscriber(list_uid, uid)["FNAME"] == "Ursula"
    client.unsubscribe(list_uid, uid)
    assert client.search_subscriber(list_uid, "u@x.org")["status"] == "unsubscribed"
    assert client.search_subscriber(list_uid, "ghost@x.org") is None
    with pytest.raises(MailWizzHTTPError) as info:
        client.create_subscriber(list_uid, {"EMAIL": "u@x.org"})
    assert info.value.status_code == 409


def test_campaign_lifecycle_and_stats(server):
    list_uid = server.add_list("L", segments=["All"])
    for i in range(4):
        server.add_subscriber(list_uid, f"c{i}@x.org")
    client = _client(server, "1")
    uid = client.create_campaign(
        {
            "name": "Summit 2025 - wave 1",
            "from_name": "Summit",
            "from_email": "m@conf.org",
            "subject": "Join us",
            "reply_to": "m@conf.org",
            "send_at": "2030-01-01 10:00:00",
            "list_uid": list_uid,
            "template": {"content": "<p>Hello [FNAME] é</p>", "inline_css": "no"},
        }
    )
    assert server.campaigns[uid]["content"] == "<p>Hello [FNAME] é</p>"  # base64 round trip
    assert client.get_campaign(uid)["status"] == "pending-sending"
    assert client.pause_unpause_campaign(uid) == "paused"
    assert client.pause_unpause_campaign(uid) == "sending"
    server.set_campaign_stats(
        uid,
        processed_count=4,
        delivery_success_count=3,
        opens_count=5,
        unique_opens_count=2,
        hard_bounces_count=1,
        bounces_count=1,
    )
    stats = client.campaign_stats(uid)
    assert stats["campaign_status"] == "sending"
    assert stats["subscribers_count"] == 4 and stats["unique_opens_count"] == 2
    assert stats["unique_opens_rate"] == 50.0
    copy_uid = client.copy_campaign(uid)
    assert client.get_campaign(copy_uid)["status"] == "draft"
    assert client.mark_campaign_sent(uid) == "sent"
    with pytest.raises(MailWizzHTTPError) as info:
        client.create_campaign({"name": "x", "list_uid": list_uid})
    assert info.value.status_code == 422 and "from_email" in str(info.value)


# --------------------------------------------------------------------------- bulk push
def _items(n, start=0, domain="x.org"):
    for i in range(start, start + n):
        yield (i, {"EMAIL": f"t{i}@{domain}", "FNAME": f"F{i}", "LNAME": "L"}, None)


def test_bulk_push_chunks_and_call_count(server):
    list_uid = server.add_list("L")
    client = _client(server, "1")
    summary = client.push_subscribers(list_uid, _items(1050))
    assert summary.created == 1050 and summary.failed == 0
    assert summary.http_calls == 11  # ceil(1050 / 100)
    assert len(server.calls("POST", "/bulk$")) == 11
    assert len(server.subscribers(list_uid)) == 1050
    assert summary.uids[0] == server.lists[list_uid]["by_email"]["t0@x.org"]


def test_bulk_limit_enforced_by_server(server):
    list_uid = server.add_list("L")
    client = _client(server, "2", bulk_chunk_size=150)
    with pytest.raises(MailWizzHTTPError, match="at most 100"):
        client.push_subscribers(list_uid, _items(150))
    assert server.subscribers(list_uid) == []


def test_repush_updates_instead_of_duplicating(server):
    list_uid = server.add_list("L")
    client = _client(server, "2")
    first = client.push_subscribers(list_uid, _items(5))
    # same leads again, CRM knows the uids for 0..2, forgot them for 3..4, name changed
    again = [(k, dict(f, FNAME="New"), first.uids[k] if k < 3 else None) for k, f, _u in _items(5)]
    second = client.push_subscribers(list_uid, again)
    assert second.failed == 0 and second.created == 0 and second.updated == 5
    assert second.uids == first.uids
    subs = server.subscribers(list_uid)
    assert len(subs) == 5 and {s["FNAME"] for s in subs} == {"New"}


def test_half_failed_bulk_push_reports_each_item(server):
    list_uid = server.add_list("L")
    server.bulk_reject = lambda email: "Blacklisted domain" if email.endswith("7@x.org") else None
    client = _client(server, "1")
    items = list(_items(20)) + [(99, {"EMAIL": "not-an-email"}, None)]
    chunks = []
    summary = client.push_subscribers(list_uid, items, chunk_size=10, on_chunk=chunks.append)
    assert summary.total == 21 and summary.created == 18 and summary.failed == 3
    failed = {f.key: f.error for f in summary.failures}
    assert set(failed) == {7, 17, 99}
    assert "Blacklisted" in failed[7] and "valid email" in failed[99]
    assert [len(c) for c in chunks] == [10, 10, 1]
    # fixing the data and pushing the failed ones again creates only those
    server.bulk_reject = None
    retry = client.push_subscribers(list_uid, [(k, {"EMAIL": f"t{k}@x.org"}, None) for k in (7, 17)])
    assert retry.created == 2
    assert len(server.subscribers(list_uid)) == 20


def test_bulk_applied_then_500_is_retried_without_duplicates(server):
    list_uid = server.add_list("L")
    server.add_fault("apply_then_fail", "POST", "/bulk$", times=1, status=500)
    client = _client(server, "1")
    summary = client.push_subscribers(list_uid, _items(10))
    assert summary.failed == 0 and summary.total == 10
    assert len(server.subscribers(list_uid)) == 10  # not 20
    assert set(summary.uids.values()) == {s["subscriber_uid"] for s in server.subscribers(list_uid)}
    assert client.retries == 1


# --------------------------------------------------------------------------- outages
def test_retries_on_500_then_success_with_backoff(server):
    server.add_list("L")
    server.add_fault("status", "GET", "/lists$", times=2, status=500)
    client = _client(server, "2", max_retries=3, backoff_base=0.5)
    assert client.ping() == {"lists": 1}
    assert client.http_calls == 3 and client.retries == 2
    d1, d2 = client.recorded_sleeps
    assert 0.25 <= d1 <= 0.5 and 0.5 <= d2 <= 1.0  # exponential with jitter


def test_500_exhausts_retries(server):
    server.add_fault("status", "GET", "/lists$", times=10, status=503)
    client = _client(server, "2", max_retries=2)
    with pytest.raises(MailWizzHTTPError) as info:
        client.ping()
    assert info.value.status_code == 503 and client.http_calls == 3


def test_post_is_not_retried_unless_safe(server):
    list_uid = server.add_list("L")
    server.add_fault("status", "POST", "/subscribers$", times=1, status=500)
    client = _client(server, "2")
    with pytest.raises(MailWizzHTTPError):
        client.create_subscriber(list_uid, {"EMAIL": "z@x.org"})
    assert client.http_calls == 1


def test_timeout_retried_then_success(server):
    server.add_list("L")
    server.add_fault("delay", "GET", "/lists$", times=1, delay=1.0)
    client = _client(server, "1", timeout=0.3, max_retries=2)
    assert client.ping() == {"lists": 1}
    assert client.retries == 1


def test_timeout_gives_mailwizz_timeout(server):
    server.add_fault("delay", "GET", "/lists$", times=5, delay=0.8)
    client = _client(server, "2", timeout=0.2, max_retries=1)
    with pytest.raises(MailWizzTimeout, match="within 0.2s"):
        client.ping()
    assert client.http_calls == 2


def test_connection_refused_is_clear():
    srv = FakeMailWizz().start()
    url, key = srv.url, srv.api_key
    srv.stop()
    client = MailWizzClient(url, ApiKeyAuth(key), max_retries=1, sleep=lambda s: None, timeout=1)
    with pytest.raises(Exception) as info:
        client.ping()
    assert "Cannot reach MailWizz" in str(info.value)


def test_malformed_json(server):
    server.add_fault("malformed", "GET", "/lists$", times=1)
    client = _client(server, "2")
    with pytest.raises(MailWizzMalformedResponse, match="not a JSON status envelope"):
        client.ping()
    server.add_fault("malformed", "GET", "/lists$", times=1, body='{"foo": 1}')
    with pytest.raises(MailWizzMalformedResponse):
        client.ping()


# --------------------------------------------------------------------------- real-server behaviours (issue 9)
def test_fake_lives_with_the_tests_not_in_lib(repo_root):
    assert not (repo_root / "crm_mailwizz/lib/fake_server.py").exists()
    assert (repo_root / "crm_mailwizz/tests/fake_mailwizz.py").exists()


def test_bulk_item_shape_is_data_and_errors(server):
    list_uid = server.add_list("L")
    server.add_subscriber(list_uid, "t0@x.org")
    client = _client(server, "2")
    payload = client.bulk_create_subscribers(list_uid, [{"EMAIL": "t0@x.org"}, {"EMAIL": "new@x.org"}])
    dup, created = payload["data"]["records"]
    assert set(dup) == {"data", "errors"} and "already exists" in dup["errors"]["EMAIL"]
    assert set(created) == {"data", "errors"} and not created["errors"] and created["data"]["subscriber_uid"]


@pytest.mark.parametrize("version", ["1", "2"])
def test_bulk_existing_subscribers_are_updated(server, version):
    """Items refused as already in the list are found by email and updated, not counted as created."""
    list_uid = server.add_list("L")
    old_uids = {server.add_subscriber(list_uid, f"t{i}@x.org", FNAME="Old") for i in range(5)}
    client = _client(server, version)
    summary = client.push_subscribers(list_uid, [(k, dict(f, FNAME="New"), None) for k, f, _u in _items(5)])
    assert (summary.created, summary.updated, summary.failed) == (0, 5, 0)
    assert set(summary.uids.values()) == old_uids
    subs = server.subscribers(list_uid)
    assert len(subs) == 5 and {s["FNAME"] for s in subs} == {"New"}


def test_bulk_invalid_email_fails_with_server_message(server):
    list_uid = server.add_list("L", fields=[("COMPANY", "Company", "yes")])
    client = _client(server, "2")
    items = [
        (1, {"EMAIL": "ok@x.org", "COMPANY": "C"}, None),
        (2, {"EMAIL": "not-an-email", "COMPANY": "C"}, None),
        (3, {"EMAIL": "nocompany@x.org"}, None),
    ]
    summary = client.push_subscribers(list_uid, items)
    assert (summary.created, summary.failed) == (1, 2)
    failed = {f.key: f for f in summary.failures}
    assert {f.action for f in failed.values()} == {"failed"}
    assert "EMAIL: Email is not a valid email address." in failed[2].error
    assert "COMPANY: Company cannot be blank." in failed[3].error
    # definite refusals need no search-by-email round trip
    assert not server.calls("GET", "search-by-email")


@pytest.mark.parametrize("version", ["1", "2"])
def test_stale_uid_409_recreates_subscriber(server, version):
    list_uid = server.add_list("L")
    client = _client(server, version)
    first = client.push_subscribers(list_uid, _items(2))
    # subscriber 0 deleted in MailWizz; the CRM still holds its uid
    client.delete_subscriber(list_uid, first.uids[0])
    server.reset_calls()
    again = [(k, dict(f, FNAME="Back"), first.uids[k]) for k, f, _u in _items(2)]
    summary = client.push_subscribers(list_uid, again)
    assert server.calls("PUT")[0][2] == 409  # what MailWizz answers, not 404
    assert (summary.created, summary.updated, summary.failed) == (1, 1, 0)
    assert summary.uids[0] != first.uids[0] and summary.uids[1] == first.uids[1]
    subs = server.subscribers(list_uid)
    assert len(subs) == 2 and {s["FNAME"] for s in subs} == {"Back"}
    assert summary.uids[0] == server.lists[list_uid]["by_email"]["t0@x.org"]


def test_other_409_is_not_a_stale_uid(server):
    list_uid = server.add_list("L")
    client = _client(server, "2")
    uid_a = client.create_subscriber(list_uid, {"EMAIL": "a@x.org"})
    client.create_subscriber(list_uid, {"EMAIL": "b@x.org"})
    with pytest.raises(MailWizzHTTPError) as info:
        client.update_subscriber(list_uid, uid_a, {"EMAIL": "b@x.org"})
    assert info.value.status_code == 409 and not isinstance(info.value, MailWizzNotFound)
    with pytest.raises(MailWizzNotFound) as info:
        client.update_subscriber(list_uid, "gone0000000000", {"EMAIL": "c@x.org"})
    assert info.value.status_code == 409
    summary = client.push_subscribers(list_uid, [(1, {"EMAIL": "b@x.org"}, uid_a)])
    assert summary.failed == 1 and summary.created == 0
    assert len(server.subscribers(list_uid)) == 2


@pytest.mark.parametrize("version", ["1", "2"])
def test_wrong_key_400_stops_push_at_first_call(server, version):
    list_uid = server.add_list("L")
    first = _client(server, version).push_subscribers(list_uid, _items(5))
    if version == "1":
        auth = SignatureAuth(server.public_key, "wrong-private-key")
    else:
        auth = ApiKeyAuth("wrong-key")
    client = MailWizzClient(server.url, auth, sleep=lambda s: None)
    server.reset_calls()
    updates = [(k, f, first.uids[k]) for k, f, _u in _items(5)]
    with pytest.raises(MailWizzAuthError, match="Check the API version and the key") as info:
        client.push_subscribers(list_uid, updates)
    assert info.value.status_code == 400
    assert len(server.requests) == 1
    server.reset_calls()
    with pytest.raises(MailWizzAuthError):
        client.push_subscribers(list_uid, _items(5, start=10))
    assert len(server.requests) == 1


def test_auth_messages_recognised_only_on_auth_text(server):
    server.add_fault("status", "GET", "/lists$", times=1, status=400,
                     body={"status": "error", "error": "Your request expired."})
    client = _client(server, "1")
    with pytest.raises(MailWizzAuthError, match="server clock") as info:
        client.ping()
    assert info.value.reason == "expired"
    server.add_fault("status", "GET", "/lists$", times=1, status=400,
                     body={"status": "error", "error": "Invalid pagination parameters."})
    with pytest.raises(MailWizzHTTPError) as info:
        client.ping()
    assert not isinstance(info.value, MailWizzAuthError)


def _campaign(list_uid):
    return {
        "name": "Quota", "from_name": "S", "from_email": "m@conf.org", "subject": "Hi",
        "reply_to": "m@conf.org", "send_at": "2030-01-01 10:00:00", "list_uid": list_uid,
        "template": {"content": "<p>x</p>"},
    }


def test_403_quota_is_not_a_credentials_error():
    with FakeMailWizz(api_version="both", max_campaigns=1) as srv:
        list_uid = srv.add_list("L")
        client = _client(srv, "1")
        client.create_campaign(_campaign(list_uid))
        with pytest.raises(MailWizzForbidden) as info:
            client.create_campaign(_campaign(list_uid))
    exc = info.value
    assert not isinstance(exc, MailWizzAuthError)
    assert exc.status_code == 403 and exc.reason == "quota"
    assert "maximum number of allowed campaigns" in str(exc)
    assert "credentials" not in str(exc) and "key" not in str(exc)


def test_403_from_web_server_on_put_delete():
    with FakeMailWizz(api_version="both", blocked_methods={"PUT", "DELETE"}) as srv:
        list_uid = srv.add_list("L")
        client = _client(srv, "2")
        uid = client.create_subscriber(list_uid, {"EMAIL": "a@x.org"})
        with pytest.raises(MailWizzForbidden, match="web server refuses PUT/DELETE: allow these methods") as info:
            client.update_subscriber(list_uid, uid, {"EMAIL": "a@x.org", "FNAME": "A"})
        assert info.value.reason == "web_server" and not isinstance(info.value, MailWizzAuthError)
        assert "credentials" not in str(info.value)
        # a push stops at the first refused update instead of failing every item
        srv.reset_calls()
        with pytest.raises(MailWizzForbidden):
            client.push_subscribers(list_uid, [(i, {"EMAIL": "a@x.org"}, uid) for i in range(3)])
        assert len(srv.requests) == 1


def _wide_items(n, extra_fields):
    for i in range(n):
        fields = {"EMAIL": f"w{i}@x.org", "FNAME": f"F{i}", "LNAME": "L"}
        fields.update({f"F{j}": f"v{j}" for j in range(extra_fields)})
        yield (i, fields, None)


@pytest.mark.parametrize("version", ["1", "2"])
def test_fake_truncates_bodies_above_max_input_vars(version):
    """What a PHP server does to a too big bulk call (client told there is no limit)."""
    with FakeMailWizz(api_version="both", bulk_limit=None, max_input_vars=1000) as srv:
        list_uid = srv.add_list("L")
        client = _client(srv, version, bulk_chunk_size=400, max_input_vars=0)
        if version == "1":
            # PHP dropped variables: the server's signature no longer matches
            with pytest.raises(MailWizzAuthError, match="signature"):
                client.bulk_create_subscribers(list_uid, [f for _k, f, _u in _items(400)])
            assert srv.subscribers(list_uid) == []
        else:
            client.bulk_create_subscribers(list_uid, [f for _k, f, _u in _items(400)])
            # 1000 variables kept: 333 whole subscribers + the 334th's EMAIL; 66 silently lost
            assert len(srv.subscribers(list_uid)) == 334
            assert srv.lists[list_uid]["subscribers"][srv.lists[list_uid]["by_email"]["t333@x.org"]]["FNAME"] == ""
        assert srv.truncated_requests == 1


@pytest.mark.parametrize("version", ["1", "2"])
def test_bulk_chunks_sized_by_max_input_vars(version):
    with FakeMailWizz(api_version="both", bulk_limit=None, max_input_vars=1000) as srv:
        list_uid = srv.add_list("L", fields=[(f"F{j}", f"Field {j}", "no") for j in range(9)])
        client = _client(srv, version, bulk_chunk_size=400)
        assert client.max_input_vars == 1000  # PHP's default unless told otherwise
        assert client.bulk_chunk_for(3) == 330 and client.bulk_chunk_for(12) == 82
        summary = client.push_subscribers(list_uid, _items(400))
        assert summary.created == 400 and summary.failed == 0
        assert len(srv.calls("POST", "/bulk$")) == 2  # 330 + 70 subscribers of 3 fields
        wide = client.push_subscribers(list_uid, _wide_items(200, 9))  # 12 fields each
        assert wide.created == 200 and wide.failed == 0
        assert len(srv.calls("POST", "/bulk$")) == 2 + 3  # 82 + 82 + 36
        assert srv.truncated_requests == 0
        assert len(srv.subscribers(list_uid)) == 600
        sub = srv.lists[list_uid]["by_email"]["w199@x.org"]
        assert srv.lists[list_uid]["subscribers"][sub]["F8"] == "v8"


def test_custom_max_input_vars():
    with FakeMailWizz(api_version="2", bulk_limit=None, max_input_vars=100) as srv:
        list_uid = srv.add_list("L")
        client = _client(srv, "2", max_input_vars=100)
        summary = client.push_subscribers(list_uid, _items(100))
        assert summary.created == 100 and srv.truncated_requests == 0
        assert len(srv.calls("POST", "/bulk$")) == 4  # 90 variables = 30 subscribers a call
        with pytest.raises(ValueError, match="max_input_vars"):
            client.bulk_create_subscribers(list_uid, [f for _k, f, _u in _items(31, start=500)])


# --------------------------------------------------------------------------- per-subscriber campaign events
def _sent_campaign(server, client, emails):
    list_uid = server.add_list("Events")
    for email in emails:
        server.add_subscriber(list_uid, email)
    return list_uid, client.create_campaign(_campaign(list_uid))


@pytest.mark.parametrize("version", ["1", "2"])
def test_campaign_bounces_endpoint_as_the_real_server(server, version):
    """GET campaigns/{uid}/bounces: newest first, per_page clamped to 10..50, count a string,
    total_pages a float (PHP ceil), every data key null when there is none."""
    client = _client(server, version)
    emails = [f"b{i}@example.com" for i in range(60)]
    _list_uid, uid = _sent_campaign(server, client, emails)
    empty = client.get(f"campaigns/{uid}/bounces")["data"]
    assert empty == {"count": None, "total_pages": None, "current_page": None, "next_page": None,
                     "prev_page": None, "records": []}
    assert list(client.iter_campaign_bounce_pages(uid)) == []
    for i, email in enumerate(emails):
        assert server.add_campaign_bounce(uid, email, "hard" if i % 2 else "soft", f"550 #{i}")
    assert not server.add_campaign_bounce(uid, emails[0], "hard")  # once per subscriber and campaign
    data = client.get(f"campaigns/{uid}/bounces", {"page": 1, "per_page": 500})["data"]
    assert (data["count"], data["total_pages"], data["next_page"], len(data["records"])) == ("60", 2.0, 2, 50)
    assert data["records"][0] == {"message": "550 #59", "processed": "no", "bounce_type": "hard",
                                  "subscriber": {"subscriber_uid": data["records"][0]["subscriber"]["subscriber_uid"],
                                                 "email": "b59@example.com"}}
    assert len(client.get(f"campaigns/{uid}/bounces", {"per_page": 1})["data"]["records"]) == 10
    pages = list(client.iter_campaign_bounce_pages(uid))
    assert [(page, len(records)) for page, records in pages] == [(1, 50), (2, 10)]
    assert {r["subscriber"]["email"] for _p, records in pages for r in records} == set(emails)
    # a hard bounce blacklists the subscriber in MailWizz; a soft one does not
    statuses = {s["EMAIL"]: s["status"] for s in server.subscribers(_list_uid)}
    assert (statuses["b1@example.com"], statuses["b0@example.com"]) == ("blacklisted", "confirmed")
    assert client.campaign_stats(uid)["bounces_count"] == 60


def test_campaign_bounce_create_as_the_real_server(server):
    client = _client(server)
    list_uid, uid = _sent_campaign(server, client, ["x@example.com"])
    sub_uid = server.subscribers(list_uid)[0]["subscriber_uid"]
    answer = client.request("POST", f"campaigns/{uid}/bounces",
                            data={"subscriber_uid": sub_uid, "bounce_type": "hard", "message": "gone"})
    assert answer["data"]["record"]["bounce_type"] == "hard"
    with pytest.raises(MailWizzHTTPError) as err:
        client.request("POST", f"campaigns/{uid}/bounces", data={"subscriber_uid": sub_uid})
    assert err.value.status_code == 422
    assert "already been marked as bounced" in str(err.value)


def test_campaign_unsubscribes_and_complaints(server):
    """Complaints have no endpoint: MailWizz records them as unsubscribes with a note naming the
    feedback loop or the web hook, which ``is_complaint`` recognises."""
    client = _client(server, "1")
    list_uid, uid = _sent_campaign(server, client, ["u@example.com", "c@example.com", "w@example.com"])
    server.add_campaign_unsubscribe(uid, "u@example.com", reason="No longer relevant")
    server.add_campaign_complaint(uid, "c@example.com")
    server.add_campaign_complaint(uid, "w@example.com", note=NOTE_WEB_HOOK)
    records = [r for _p, page in client.iter_campaign_unsubscribe_pages(uid) for r in page]
    by_email = {r["subscriber"]["email"]: r for r in records}
    assert [r["subscriber"]["email"] for r in records] == ["w@example.com", "c@example.com", "u@example.com"]
    assert set(by_email["u@example.com"]) == {"ip_address", "user_agent", "reason", "note", "date_added",
                                              "subscriber"}
    assert by_email["u@example.com"]["reason"] == "No longer relevant"
    assert [is_complaint(by_email[e]) for e in ("u@example.com", "c@example.com", "w@example.com")] == [
        False, True, True]
    assert {s["status"] for s in server.subscribers(list_uid)} == {"unsubscribed"}
    stats = client.campaign_stats(uid)
    assert (stats["unsubscribes_count"], stats["complaints_count"]) == (3, 2)
    with pytest.raises(MailWizzNotFound):
        client.get("campaigns/nosuchcampaign/unsubscribes")
