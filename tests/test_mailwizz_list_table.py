"""Odoo-free tests of crm_mailwizz.lib.list_table against the fake MailWizz on loopback."""

import pytest

from crm_mailwizz.lib.client import ApiKeyAuth, MailWizzClient, MailWizzNotFound
from crm_mailwizz.lib.list_table import UID_COLUMN, MailWizzListTable
from crm_mailwizz.tests.fake_mailwizz import FakeMailWizz


@pytest.fixture
def server():
    with FakeMailWizz(api_version="2") as srv:
        yield srv


def _client(server):
    return MailWizzClient(server.url, ApiKeyAuth(server.api_key), max_retries=0, sleep=lambda _s: None)


def _seed(server, count, **kw):
    list_uid = server.add_list("Prospects", fields=[("PHONE", "Phone", "no"), ("COMPANY", "Company", "no")])
    rows = [
        {"EMAIL": f"p{i}@example.com", "FNAME": f"F{i}", "LNAME": f"L{i}", "PHONE": f"+91 9{i:09d}",
         "COMPANY": f"Co {i}"}
        for i in range(count)
    ]
    uids = server.add_subscribers(list_uid, rows, **kw)
    return list_uid, uids


def test_rows_are_subscribers_read_page_by_page(server):
    list_uid, uids = _seed(server, 123)
    table = MailWizzListTable(_client(server), list_uid, ["EMAIL", "FNAME", "LNAME", "PHONE", "COMPANY"],
                              per_page=50)
    assert table.header == ["EMAIL", "FNAME", "LNAME", "PHONE", "COMPANY", UID_COLUMN]
    assert table.header_row_numbers == [1]
    assert table.fmt == "csv"
    assert table.estimate_rows() == 124  # header + subscribers, from the API's count
    server.reset_calls()
    rows = table.iter_rows()
    first = next(rows)
    # lazily: only the first page was asked for
    assert len(server.calls("GET", r"/subscribers$")) == 1
    rest = list(rows)
    assert [number for number, _values in [first, *rest]] == list(range(2, 125))
    assert first[1] == ["p0@example.com", "F0", "L0", "+91 9000000000", "Co 0", uids[0]]
    assert table.pages_read == 3
    calls = server.calls("GET", r"/subscribers$")
    assert len(calls) == 3
    # the uid of a row, once
    assert table.uid_of(2) == (uids[0], "confirmed")
    assert table.uid_of(2) is None
    assert table.uid_of(124, pop=False) == (uids[-1], "confirmed")
    table.close()
    assert table.uid_of(124) is None


def test_status_filter_and_missing_fields(server):
    list_uid, _uids = _seed(server, 10)
    server.add_subscribers(list_uid, [{"EMAIL": "gone@example.com"}], status="unsubscribed")
    client = _client(server)
    table = MailWizzListTable(client, list_uid, ["EMAIL", "CITY"], status="confirmed", per_page=4)
    assert table.count() == 10
    rows = list(table.iter_rows())
    assert len(rows) == 10
    # a tag the subscriber has no value for is an empty cell
    assert rows[0][1][:2] == ["p0@example.com", ""]
    everyone = MailWizzListTable(client, list_uid, ["EMAIL", UID_COLUMN], per_page=4)
    assert everyone.header == ["EMAIL", UID_COLUMN]
    rows = list(everyone.iter_rows())
    assert len(rows) == 11
    assert everyone.uid_of(rows[-1][0])[1] == "unsubscribed"
    everyone.close()


def test_empty_list_and_unknown_list(server):
    list_uid = server.add_list("Empty")
    table = MailWizzListTable(_client(server), list_uid, ["EMAIL"])
    assert table.estimate_rows() == 1
    assert list(table.iter_rows()) == []
    missing = MailWizzListTable(_client(server), "nope", ["EMAIL"])
    with pytest.raises(MailWizzNotFound):
        missing.count()
    missing.close()
