"""SQL of the roll-up tables kept by PostgreSQL statement-level triggers (no Odoo import).

A roll-up table holds figures per combination of dimensions; triggers ``FOR EACH
STATEMENT`` on the source table read the statement's transition tables (the inserted,
deleted, or old and new updated rows) and append the changes to the roll-up (or to a
delta log), and a cron folds the appended rows (:func:`compact_sql`). Used by
``crm_lead_rollup`` and ``crm_lead_attribution_rollup`` (crm.lead), the delta log of
``crm_mail_trace_daily`` and the change log of ``crm_kpi_daily``.

Every table, column, alias and expression given to these functions is a constant of the
calling code: they are pasted into the SQL as they are (identifiers and expressions cannot
be query parameters). Never pass user input.
"""

EVENTS = ("insert", "delete", "update")


def statement_triggers_sql(prefix, table, insert_body=None, delete_body=None, update_body=None,
                           new_alias="new_rows", old_alias="old_rows"):
    """DDL of the statement-level triggers on ``table`` for the events whose body is given.

    For each such event (``insert``, ``delete``, ``update``): ``CREATE OR REPLACE FUNCTION
    {prefix}_{event}()`` running the body (one or more SQL statements on the transition
    tables, then ``RETURN NULL``), ``DROP TRIGGER IF EXISTS {prefix}_{event}`` and ``CREATE
    TRIGGER {prefix}_{event} AFTER {EVENT} ON {table}`` with the transition tables the event
    has: ``NEW TABLE AS new_alias`` (insert), ``OLD TABLE AS old_alias`` (delete), both
    (update). Idempotent: running it again replaces the functions and triggers.
    """
    transitions = {
        "insert": f"NEW TABLE AS {new_alias}",
        "delete": f"OLD TABLE AS {old_alias}",
        "update": f"OLD TABLE AS {old_alias} NEW TABLE AS {new_alias}",
    }
    bodies = {"insert": insert_body, "delete": delete_body, "update": update_body}
    statements = []
    for event in EVENTS:
        body = bodies[event]
        if body is None:
            continue
        name = f"{prefix}_{event}"
        statements += [
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n{body.strip().rstrip(';')};\nRETURN NULL;\nEND $$",
            f"DROP TRIGGER IF EXISTS {name} ON {table}",
            f"CREATE TRIGGER {name} AFTER {event.upper()} ON {table}\n"
            f"    REFERENCING {transitions[event]}\n"
            f"    FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        ]
    return ";\n".join(statements) + ";\n" if statements else ""


def delta_triggers_sql(prefix, table, delta):
    """:func:`statement_triggers_sql` of a roll-up kept by deltas: ``delta(*sources)`` gives
    the SQL of the changes of ``(table, sign)`` sources (:func:`delta_insert_sql`); inserted
    rows add, deleted rows subtract, and an update adds the new rows and subtracts the old
    (one that changes none of the rolled-up columns, most of them, cancels out)."""
    return statement_triggers_sql(
        prefix, table,
        insert_body=delta(("new_rows", 1)),
        delete_body=delta(("old_rows", -1)),
        update_body=delta(("new_rows", 1), ("old_rows", -1)),
    )


def _dimension_name(dimension):
    return dimension if isinstance(dimension, str) else dimension[0]


def _dimension_select(dimension):
    return dimension if isinstance(dimension, str) else f"{dimension[1]} AS {dimension[0]}"


def delta_insert_sql(target, dimensions, measures, sources):
    """``INSERT INTO target`` of the changes that the rows of ``sources`` make to the roll-up:
    one row per combination of dimensions whose figures change.

    ``dimensions``: the roll-up's key columns, each a column name (read as it is from the
    source rows) or a ``(name, SQL expression on a source row)`` pair;
    ``measures``: ``(name, SQL template)`` pairs, the template giving what one source row adds
    to the measure with ``{sign}`` for the source's sign (``"{sign}"`` counts the rows,
    ``"{sign} * amount"`` sums a column);
    ``sources``: ``(table, sign)`` pairs, e.g. ``[("new_rows", 1), ("old_rows", -1)]`` for an
    update (a row whose dimensions and measures did not change cancels out), the source table
    itself with 1 to fill the roll-up.

    The source rows are unioned, grouped by the dimensions and summed; groups whose sums are
    all zero are left out (``HAVING sum(m1) <> 0 OR sum(m2) <> 0 ...``).
    """
    dims = ", ".join(_dimension_name(dimension) for dimension in dimensions)
    values = ", ".join(_dimension_select(dimension) for dimension in dimensions)
    parts = []
    for table, sign in sources:
        terms = ", ".join(f"{template.format(sign=sign)} AS {name}" for name, template in measures)
        parts.append(f"SELECT {values}, {terms} FROM {table}")
    sums = ", ".join(f"sum({name})" for name, _template in measures)
    changed = " OR ".join(f"sum({name}) <> 0" for name, _template in measures)
    return (
        f"INSERT INTO {target} SELECT {dims}, {sums}"
        f" FROM ({' UNION ALL '.join(parts)}) AS delta GROUP BY {dims} HAVING {changed}"
    )


def compact_sql(table, dimensions, measures, count):
    """Fold the rows of the roll-up ``table`` into one row per combination of ``dimensions``
    (names or ``(name, expression)`` pairs as for :func:`delta_insert_sql`), summing the
    ``measures`` columns (names, in the table's column order after the dimensions) and
    dropping the combinations whose ``count`` column sums to zero (no source row left)."""
    dims = ", ".join(_dimension_name(dimension) for dimension in dimensions)
    sums = ", ".join(f"sum({name})" for name in measures)
    return (
        f"WITH gone AS (DELETE FROM {table} RETURNING *)"
        f" INSERT INTO {table} SELECT {dims}, {sums} FROM gone GROUP BY {dims}"
        f" HAVING sum({count}) <> 0"
    )
