#!/usr/bin/env python3
"""Rep performance report (crm_sales_insights) at scale, against Odoo's own read_group.

Usage (Odoo 18 importable by python3, PostgreSQL reachable)::

    python3 bench/sales_insights_bench.py --db bench_insights --init --opportunities 200000

``--init`` creates the database with ``crm_sales_insights`` and its demo data when it does not
exist. The script adds ``--opportunities`` opportunities (server-side ``INSERT ... SELECT
generate_series``, spread over the demo reps and teams, created over the last 180 days, one in
seven won), one chatter message per opportunity by its rep (a third of them public, the rest
notes) and an assignment for every second one (half of them accepted), in the transaction that
is rolled back at the end (``--keep``: committed, and reused by the next run). Then it rebuilds
the roll-up and prints, as ``admin``, ``stl`` and ``pm`` (through the record rules), the server
time of:

- the report as the pivot asks for it (``read_group`` by rep and month, every measure);
- Odoo's own equivalent, ``read_group`` on the source models by rep and month: ``crm.lead``
  (won opportunities: count and revenue) plus ``crm.lead.assignment`` (count), which is only
  part of the report's figures (no leads worked, no times to accept or to contact);
- the former design, the report's figures computed from the sources on each read (the
  roll-up's own ``_figures_query``, grouped by rep and month, as superuser);

with the ratios, then the time of a full rebuild and of an incremental refresh after 1,000
notes posted through the ORM. Times are wall-clock (median of ``--repeat`` runs) and the CPU
time of this (Odoo) process; PostgreSQL runs on the same machine.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

ROLES = ("admin", "stl", "pm")
MEASURES = [
    "leads_worked", "worked_days", "assigned_count", "accepted_count", "contacted_count", "won_count",
    "won_revenue", "productivity", "conversion_rate", "avg_hours_to_accept", "avg_hours_to_contact",
]
GROUPBY = ["user_id", "date:month"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="bench_insights")
    parser.add_argument("--init", action="store_true", help="create the database if missing")
    parser.add_argument("--opportunities", type=int, default=200_000)
    parser.add_argument("--keep", action="store_true",
                        help="commit the generated data (a next run reuses it instead of generating)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per query (median printed)")
    parser.add_argument("--db-host", default=os.environ.get("PGHOST", "127.0.0.1"))
    parser.add_argument("--db-user", default=os.environ.get("PGUSER", "root"))
    return parser.parse_args()


def odoo_addons_path():
    import odoo  # noqa: PLC0415 - only once we know Odoo is wanted

    package = os.path.dirname(odoo.__file__)
    paths = [os.path.join(package, "addons"), os.path.join(os.path.dirname(package), "addons")]
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return ",".join([p for p in paths if os.path.isdir(p)] + [repo])


def ensure_database(args, addons_path):
    listing = subprocess.run(
        ["psql", "-h", args.db_host, "-U", args.db_user, "-lqt"], check=True, capture_output=True, text=True
    ).stdout
    if any(line.split("|")[0].strip() == args.db for line in listing.splitlines()):
        return
    if not args.init:
        sys.exit(f"database {args.db} does not exist: pass --init to create it")
    print(f"creating database {args.db} with crm_sales_insights and demo data...", flush=True)
    subprocess.run(
        [sys.executable, "-m", "odoo", f"--addons-path={addons_path}", f"--db_host={args.db_host}",
         f"--db_user={args.db_user}", "-d", args.db, "-i", "crm_sales_insights", "--without-demo=",
         "--stop-after-init", "--no-http", "--log-level=warn"],
        check=True,
    )


def measure(func, repeat, env):
    """(median wall ms, median process CPU ms) of ``repeat`` runs, caches cleared before each."""
    walls, cpus = [], []
    for _run in range(repeat):
        env.invalidate_all()
        wall, cpu = time.perf_counter(), time.process_time()
        func()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def bench_count(cr, table, column):
    cr.execute(f"SELECT COUNT(*) FROM {table} x JOIN crm_lead l ON l.id = x.{column}"  # noqa: S608 - constants
               " WHERE l.name LIKE %(tag)s", {"tag": "Bench opportunity %"})
    return cr.fetchone()[0]


def generate(env, count, keep):
    """Opportunities, messages and assignments of the demo reps, server side; each step is
    skipped when its rows are there (kept by a previous run)."""
    cr = env.cr
    if not bench_count(cr, "crm_lead", "id"):
        generate_opportunities(cr, count)
        if keep:
            cr.commit()
    comment, note = env.ref("mail.mt_comment").id, env.ref("mail.mt_note").id
    if not bench_count(cr, "crm_lead_assignment", "lead_id"):
        generate_assignments(cr)
        if keep:
            cr.commit()
    if not bench_count(cr, "mail_message", "res_id"):
        generate_messages(cr, comment, note)
        if keep:
            cr.commit()
    cr.execute("ANALYZE crm_lead")
    cr.execute("ANALYZE crm_lead_assignment")
    cr.execute("ANALYZE mail_message")


def generate_opportunities(cr, count):
    cr.execute("SELECT id FROM crm_stage WHERE is_won ORDER BY sequence, id LIMIT 1")
    won_stage = cr.fetchone()[0]
    cr.execute("SELECT id FROM crm_stage WHERE is_won IS NOT TRUE ORDER BY sequence, id LIMIT 1")
    open_stage = cr.fetchone()[0]
    cr.execute("""
        WITH t AS (
            SELECT array_agg(user_id ORDER BY id) AS users, array_agg(team_id ORDER BY id) AS teams,
                   array_agg(event_id ORDER BY id) AS events, array_agg(department_id ORDER BY id) AS depts,
                   array_agg(company_id ORDER BY id) AS companies, COUNT(*) AS n
              FROM crm_lead
             WHERE user_id IS NOT NULL AND event_id IS NOT NULL
        )
        INSERT INTO crm_lead (name, type, active, user_id, team_id, event_id, department_id, stage_id,
                              company_id, expected_revenue, probability, date_closed, priority,
                              create_uid, write_uid, create_date, write_date)
        SELECT 'Bench opportunity ' || g, 'opportunity', TRUE, t.users[1 + g %% t.n], t.teams[1 + g %% t.n],
               t.events[1 + g %% t.n], t.depts[1 + g %% t.n],
               CASE WHEN g %% 7 = 0 THEN %(won)s ELSE %(open)s END, t.companies[1 + g %% t.n],
               1000 + g %% 50000, CASE WHEN g %% 7 = 0 THEN 100 ELSE 30 END,
               CASE WHEN g %% 7 = 0 THEN now() AT TIME ZONE 'UTC' - (g %% 180) * interval '1 day' END,
               '0', 1, 1, now() AT TIME ZONE 'UTC' - (g %% 180) * interval '1 day' - interval '1 day',
               now() AT TIME ZONE 'UTC' - interval '2 days'
          FROM generate_series(1, %(count)s) g, t
    """, {"won": won_stage, "open": open_stage, "count": count})


def generate_assignments(cr):
    cr.execute("""
        INSERT INTO crm_lead_assignment (lead_id, user_id, state, method, date_assigned, date_accepted,
                                         create_uid, write_uid, create_date, write_date)
        SELECT l.id, l.user_id, CASE WHEN l.id %% 4 = 0 THEN 'accepted' ELSE 'pending' END, 'manual',
               l.create_date + interval '1 hour',
               CASE WHEN l.id %% 4 = 0 THEN l.create_date + interval '3 hours' END,
               1, 1, l.create_date, l.write_date
          FROM crm_lead l
         WHERE l.name LIKE %(tag)s AND l.id %% 2 = 0
    """, {"tag": "Bench opportunity %"})


def generate_messages(cr, comment, note):
    cr.execute("""
        INSERT INTO mail_message (model, res_id, author_id, message_type, subtype_id, body, date,
                                  create_uid, write_uid, create_date, write_date)
        SELECT 'crm.lead', l.id, u.partner_id, 'comment', CASE WHEN l.id %% 3 = 0 THEN %(comment)s ELSE %(note)s END,
               '<p>bench</p>', l.create_date + interval '5 hours', 1, 1, l.create_date, l.write_date
          FROM crm_lead l
          JOIN res_users u ON u.id = l.user_id
         WHERE l.name LIKE %(tag)s
    """, {"comment": comment, "note": note, "tag": "Bench opportunity %"})


def odoo_read_group(env, user):
    """Odoo's own read_group of the figures the source models hold (a part of the report's)."""
    Lead = env["crm.lead"].with_user(user)
    Lead.read_group([("type", "=", "opportunity"), ("stage_id.is_won", "=", True)],
                    ["expected_revenue:sum"], ["user_id", "date_closed:month"], lazy=False)
    env["crm.lead.assignment"].with_user(user).read_group(
        [], ["user_id"], ["user_id", "date_assigned:month"], lazy=False)


def former_view(env):
    """The former design: the figures computed from the sources on each read, by rep and month."""
    from odoo.tools import SQL  # noqa: PLC0415

    Report = env["crm.rep.performance.report"]
    Report._no_jit()
    env.cr.execute(SQL(
        "SELECT q.user_id, date_trunc('month', q.date), SUM(q.leads_worked), SUM(q.assigned_count),"
        " SUM(q.won_count), SUM(q.won_revenue) FROM (%s) q GROUP BY 1, 2",
        Report._figures_query(scoped=False)))
    env.cr.fetchall()


def main():
    args = parse_args()
    addons_path = odoo_addons_path()
    ensure_database(args, addons_path)

    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    odoo.tools.config.parse_config(
        [f"--addons-path={addons_path}", f"--db_host={args.db_host}", f"--db_user={args.db_user}",
         "--log-level=warn"])
    registry = Registry(args.db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        Report = env["crm.rep.performance.report"]
        started = time.perf_counter()
        generate(env, args.opportunities, args.keep)
        print(f"data generated or reused, analysed: {time.perf_counter() - started:.1f} s", flush=True)
        counts = {}
        for table in ("crm_lead", "mail_message", "crm_lead_assignment"):
            cr.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - constant names
            counts[table] = cr.fetchone()[0]
        print(", ".join(f"{table} {count:,} rows" for table, count in counts.items()))
        full_ms, full_cpu = measure(lambda: Report._refresh(full=True), 1, env)
        cr.execute("SELECT COUNT(*) FROM crm_rep_performance_daily")
        print(f"roll-up: {cr.fetchone()[0]:,} rows; full rebuild {full_ms:.0f} ms (Odoo CPU {full_cpu:.0f} ms)")

        users = {login: env["res.users"].search([("login", "=", login)]) for login in ROLES}
        print(f"\nby rep and month, median of {args.repeat}, wall ms (Odoo process CPU ms):")
        print(f"{'role':6} {'report':>16} {'odoo read_group':>18} {'ratio':>6} {'former view':>16} {'ratio':>6}")
        former = measure(lambda: former_view(env), max(1, args.repeat // 2), env)
        for login, user in users.items():
            if not user:
                continue
            report = Report.with_user(user)
            report.read_group([], MEASURES, GROUPBY, lazy=False)  # warm the caches
            new = measure(lambda report=report: report.read_group([], MEASURES, GROUPBY, lazy=False),
                          args.repeat, env)
            own = measure(lambda user=user: odoo_read_group(env, user), args.repeat, env)
            print(f"{login:6} {new[0]:8.1f} ({new[1]:5.1f}) {own[0]:10.1f} ({own[1]:5.1f}) "
                  f"{own[0] / new[0]:6.1f} {former[0]:8.1f} ({former[1]:5.1f}) {former[0] / new[0]:6.1f}")
        print("(ratio: Odoo's read_group time / report time; former view: admin, no rules)")

        cr.execute("SELECT id FROM crm_lead WHERE name LIKE %(tag)s ORDER BY id LIMIT 1000",
                   {"tag": "Bench opportunity %"})
        lead_ids = [row[0] for row in cr.fetchall()]
        Report._refresh()  # the watermark after the rebuild
        wall, cpu = time.perf_counter(), time.process_time()
        Lead = env["crm.lead"].with_context(tracking_disable=True)
        for lead in Lead.browse(lead_ids):
            lead.message_post(body="bench note", message_type="comment", subtype_xmlid="mail.mt_note")
        env.flush_all()
        post_ms = (time.perf_counter() - wall) * 1000
        wall, cpu = time.perf_counter(), time.process_time()
        groups = Report._refresh()
        inc_ms, inc_cpu = (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000
        print(f"\n1,000 notes posted through the ORM: {post_ms:.0f} ms; incremental refresh after them:"
              f" {groups:,} (day, rep) groups (includes the 60-minute overlap) in {inc_ms:.0f} ms"
              f" (Odoo CPU {inc_cpu:.0f} ms)")
        cr.rollback()
        print("rolled back" + (": the generated data is kept (--keep)" if args.keep else ": nothing kept"))


if __name__ == "__main__":
    main()
