#!/usr/bin/env python3
"""Lead visibility at scale: how fast each role searches, counts and groups 1M leads.

Usage (Odoo 18 importable by python3, PostgreSQL reachable)::

    python3 bench/visibility_bench.py --db bench_visibility --leads 1000000

The database is created with crm_event_products and its demo data if it does not exist;
leads are then bulk-inserted with COPY (spread over the demo products, departments, teams
and users) until the database holds ``--leads`` conference leads. For every demo role the
script times, through the ORM and so through the record rules, ``search_count``, the first
list page (``search`` limit 80, the web client's default order) and a ``read_group`` by stage,
and prints one line per role.
"""

import argparse
import io
import os
import random
import subprocess
import sys
import time

ROLES = "p sp pm spm pd jre sre jme sme mm hm se sse stl asm sm crmadmin".split()


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="bench_visibility")
    parser.add_argument("--leads", type=int, default=1_000_000)
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
    exists = subprocess.run(
        ["psql", "-h", args.db_host, "-U", args.db_user, "-lqt"],
        check=True, capture_output=True, text=True,
    ).stdout
    if any(line.split("|")[0].strip() == args.db for line in exists.splitlines()):
        return
    print(f"creating database {args.db} with crm_event_products and demo data...", flush=True)
    subprocess.run(
        [sys.executable, "-m", "odoo", f"--addons-path={addons_path}", f"--db_host={args.db_host}",
         f"--db_user={args.db_user}", "-d", args.db, "-i", "crm_event_products",
         "--stop-after-init", "--no-http", "--log-level=warn"],
        check=True,
    )


def fill_leads(env, target):
    cr = env.cr
    cr.execute("SELECT count(*) FROM crm_lead WHERE event_id IS NOT NULL")
    missing = target - cr.fetchone()[0]
    if missing <= 0:
        return 0
    cr.execute(
        "SELECT event_id, department_id, user_id, team_id, stage_id, company_id FROM crm_lead"
        " WHERE event_id IS NOT NULL"
    )
    templates = cr.fetchall()
    rnd = random.Random(42)
    started = time.perf_counter()
    columns = ("name", "type", "active", "event_id", "department_id", "user_id", "team_id",
               "stage_id", "company_id", "create_uid", "write_uid", "create_date", "write_date",
               "priority", "probability")
    batch = 200_000
    for offset in range(0, missing, batch):
        buffer = io.StringIO()
        for i in range(offset, min(missing, offset + batch)):
            event, dept, user, team, stage, company = rnd.choice(templates)
            row = (f"Bench lead {i}", "lead", "t", event, dept, user, team, stage, company,
                   user or 1, 1, "2026-01-01", "2026-01-01", "0", "10")
            buffer.write("\t".join(r"\N" if v is None else str(v) for v in row) + "\n")
        buffer.seek(0)
        cr.copy_from(buffer, "crm_lead", columns=columns)
    cr.execute("ANALYZE crm_lead")
    cr.commit()
    return missing / (time.perf_counter() - started)


def timed(func):
    started = time.perf_counter()
    result = func()
    return result, (time.perf_counter() - started) * 1000


def main():
    args = parse_args()
    addons_path = odoo_addons_path()
    ensure_database(args, addons_path)

    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    odoo.tools.config.parse_config(
        [f"--addons-path={addons_path}", f"--db_host={args.db_host}", f"--db_user={args.db_user}",
         "--log-level=warn"]
    )
    registry = Registry(args.db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        rate = fill_leads(env, args.leads)
        if rate:
            print(f"inserted leads at {rate:,.0f} rows/s")
        cr.execute("SELECT count(*) FROM crm_lead")
        print(f"crm_lead rows: {cr.fetchone()[0]:,}")
        print(f"{'role':9} {'visible':>9} {'count ms':>9} {'page ms':>8} {'group ms':>9}")
        for login in ROLES:
            user = env["res.users"].search([("login", "=", login)])
            if not user:
                continue
            Lead = env["crm.lead"].with_user(user)
            Lead.search_count([])  # warm the rule cache
            count, count_ms = timed(lambda Lead=Lead: Lead.search_count([]))
            _page, page_ms = timed(lambda Lead=Lead: Lead.search([], limit=80).ids)
            _groups, group_ms = timed(
                lambda Lead=Lead: Lead._read_group([], ["stage_id"], ["__count"])
            )
            print(f"{login:9} {count:>9,} {count_ms:>9.1f} {page_ms:>8.1f} {group_ms:>9.1f}")
        cr.rollback()


if __name__ == "__main__":
    main()
