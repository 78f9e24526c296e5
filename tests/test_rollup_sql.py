"""crm_event_products.lib.rollup_sql: the SQL of the trigger-kept roll-ups (text, and run on
PostgreSQL when it answers)."""

import re

import pytest

from crm_event_products.lib.rollup_sql import compact_sql, delta_insert_sql, delta_triggers_sql, statement_triggers_sql

DIMENSIONS = ("kind", ("month", "date_trunc('month', day)::date"))
MEASURES = (("row_count", "{sign}"), ("amount_sum", "{sign} * amount"))


def _triggers(ddl):
    """{trigger name: (event, table, REFERENCING clause, function)} of the DDL."""
    found = re.findall(
        r"CREATE TRIGGER (\w+) AFTER (\w+) ON (\w+)\s+REFERENCING (.*?)\s+"
        r"FOR EACH STATEMENT EXECUTE FUNCTION (\w+)\(\)",
        ddl,
    )
    return {name: (event, table, referencing, function) for name, event, table, referencing, function in found}


def test_triggers_of_the_events_given():
    ddl = statement_triggers_sql("src_roll", "src", insert_body="SELECT 1", update_body="SELECT 2;")
    assert re.findall(r"CREATE OR REPLACE FUNCTION (\w+)\(\) RETURNS trigger LANGUAGE plpgsql", ddl) == [
        "src_roll_insert", "src_roll_update"]
    assert re.findall(r"DROP TRIGGER IF EXISTS (\w+) ON src;", ddl) == ["src_roll_insert", "src_roll_update"]
    assert _triggers(ddl) == {
        "src_roll_insert": ("INSERT", "src", "NEW TABLE AS new_rows", "src_roll_insert"),
        "src_roll_update": ("UPDATE", "src", "OLD TABLE AS old_rows NEW TABLE AS new_rows", "src_roll_update"),
    }
    # the body, then RETURN NULL (a trailing semicolon of the body is not doubled)
    assert "BEGIN\nSELECT 2;\nRETURN NULL;\nEND $$" in ddl
    assert "delete" not in ddl.lower()
    assert statement_triggers_sql("src_roll", "src") == ""


def test_transition_tables_and_aliases():
    ddl = statement_triggers_sql("p", "t", insert_body="SELECT 1", delete_body="SELECT 2", update_body="SELECT 3",
                                 new_alias="t_new", old_alias="t_old")
    assert _triggers(ddl) == {
        "p_insert": ("INSERT", "t", "NEW TABLE AS t_new", "p_insert"),
        "p_delete": ("DELETE", "t", "OLD TABLE AS t_old", "p_delete"),
        "p_update": ("UPDATE", "t", "OLD TABLE AS t_old NEW TABLE AS t_new", "p_update"),
    }


def test_delta_insert():
    sql = delta_insert_sql("roll", DIMENSIONS, MEASURES, [("new_rows", 1), ("old_rows", -1)])
    assert sql == (
        "INSERT INTO roll SELECT kind, month, sum(row_count), sum(amount_sum) FROM ("
        "SELECT kind, date_trunc('month', day)::date AS month, 1 AS row_count, 1 * amount AS amount_sum"
        " FROM new_rows UNION ALL "
        "SELECT kind, date_trunc('month', day)::date AS month, -1 AS row_count, -1 * amount AS amount_sum"
        " FROM old_rows) AS delta GROUP BY kind, month HAVING sum(row_count) <> 0 OR sum(amount_sum) <> 0"
    )


def test_compact():
    assert compact_sql("roll", DIMENSIONS, ["row_count", "amount_sum"], "row_count") == (
        "WITH gone AS (DELETE FROM roll RETURNING *) INSERT INTO roll"
        " SELECT kind, month, sum(row_count), sum(amount_sum) FROM gone GROUP BY kind, month"
        " HAVING sum(row_count) <> 0"
    )


@pytest.fixture
def cursor(pg_cursor):
    return pg_cursor


def _rolled(cursor):
    cursor.execute("SELECT kind, month, sum(row_count), sum(amount_sum) FROM roll GROUP BY 1, 2"
                   " HAVING sum(row_count) <> 0 ORDER BY 1, 2")
    return cursor.fetchall()


def _counted(cursor):
    cursor.execute("SELECT kind, date_trunc('month', day)::date, count(*), sum(amount) FROM src GROUP BY 1, 2"
                   " ORDER BY 1, 2")
    return cursor.fetchall()


def test_triggers_keep_the_rollup(cursor):
    cursor.execute("CREATE SCHEMA rollup_sql_test; SET LOCAL search_path TO rollup_sql_test")
    cursor.execute("CREATE TABLE src (id serial PRIMARY KEY, kind text, day date, amount numeric, note text)")
    cursor.execute("CREATE TABLE roll (kind text, month date, row_count bigint NOT NULL, amount_sum numeric)")
    cursor.execute(statement_triggers_sql(
        "src_roll", "src",
        insert_body=delta_insert_sql("roll", DIMENSIONS, MEASURES, [("new_rows", 1)]),
        delete_body=delta_insert_sql("roll", DIMENSIONS, MEASURES, [("old_rows", -1)]),
        update_body=delta_insert_sql("roll", DIMENSIONS, MEASURES, [("new_rows", 1), ("old_rows", -1)]),
    ))
    cursor.execute("""INSERT INTO src (kind, day, amount) VALUES ('a', '2026-01-05', 10), ('a', '2026-01-20', 5),
                      ('b', '2026-02-01', NULL), (NULL, '2026-02-03', 7)""")
    assert _rolled(cursor) == _counted(cursor)
    assert len(_counted(cursor)) == 3
    cursor.execute("SELECT count(*) FROM roll")
    rows = cursor.fetchone()[0]
    # an update of no rolled-up column appends nothing
    cursor.execute("UPDATE src SET note = 'x'")
    cursor.execute("SELECT count(*) FROM roll")
    assert cursor.fetchone()[0] == rows
    cursor.execute("UPDATE src SET kind = 'b', amount = amount + 1 WHERE day = '2026-01-20'")
    assert _rolled(cursor) == _counted(cursor)
    cursor.execute("DELETE FROM src WHERE kind = 'a'")
    assert _rolled(cursor) == _counted(cursor)
    cursor.execute(compact_sql("roll", DIMENSIONS, ["row_count", "amount_sum"], "row_count"))
    assert _rolled(cursor) == _counted(cursor)
    cursor.execute("SELECT count(*) FROM roll")
    assert cursor.fetchone()[0] == len(_counted(cursor))
    cursor.execute("DELETE FROM src")
    cursor.execute(compact_sql("roll", DIMENSIONS, ["row_count", "amount_sum"], "row_count"))
    cursor.execute("SELECT count(*) FROM roll")
    assert cursor.fetchone()[0] == 0


def test_delta_triggers_add_new_rows_and_subtract_old_ones():
    def delta(*sources):
        return " + ".join(f"{table}:{sign}" for table, sign in sources)

    ddl = delta_triggers_sql("roll", "src", delta)
    assert ddl == statement_triggers_sql(
        "roll", "src", insert_body="new_rows:1", delete_body="old_rows:-1", update_body="new_rows:1 + old_rows:-1")
