"""Odoo-free tests of crm_campaign_mgmt.lib.copy_text (bulk inserts by COPY), with a round
trip through the local PostgreSQL when it answers."""

import datetime
import decimal
import io

import pytest
from markupsafe import Markup
from psycopg2.extras import Json, execute_values

from crm_campaign_mgmt.lib.copy_text import copy_lines, copy_value

ROW = (
    7, None, True, False, 0.1, 1e-05, decimal.Decimal("12.50"), "tab\there\nline\r\\back",
    Markup("<p>a &amp; b</p>"), datetime.datetime(2026, 12, 3, 10, 5, 1, 250), datetime.date(2026, 1, 2),
    Json({"k": "v\n", "n": [1, 2]}), "", "ünïcødé ₹ 😀", "\\N", "a\x85b\u2028c\x0bd\x1ce",
)
COLUMNS = (
    "i int, n text, b1 bool, b2 bool, f float8, g float8, d numeric, s text, h text, ts timestamp, "
    "dt date, j jsonb, e text, u text, literal text, separators text"
)


def test_values():
    assert copy_value(None) == "\\N"
    assert copy_value(True) == "t"
    assert copy_value("a\tb\nc\\d") == "a\\tb\\nc\\\\d"
    assert copy_value(datetime.datetime(2026, 12, 3, 10, 5)) == "2026-12-03 10:05:00"
    assert copy_value(Json({"a": 1})) == '{"a": 1}'
    assert copy_lines([(1, "x"), (2, None)]) == ["1\tx", "2\t\\N"]


def test_unknown_type_is_refused():
    with pytest.raises(TypeError):
        copy_value(b"\x00bytes")
    with pytest.raises(TypeError):
        copy_value(object())


@pytest.fixture
def cursor(pg_cursor):
    return pg_cursor


def test_copy_stores_what_insert_stores(cursor):
    cursor.execute(f"CREATE TEMP TABLE by_copy ({COLUMNS}); CREATE TEMP TABLE by_insert ({COLUMNS})")
    cursor.copy_expert("COPY by_copy FROM STDIN", io.StringIO("".join(line + "\n" for line in copy_lines([ROW, ROW]))))
    execute_values(cursor, "INSERT INTO by_insert VALUES %s", [ROW, ROW])
    cursor.execute("SELECT * FROM by_copy")
    copied = cursor.fetchall()
    cursor.execute("SELECT * FROM by_insert")
    assert copied == cursor.fetchall()
    assert copied[0][1] is None and copied[0][12] == "" and copied[0][14] == "\\N"
