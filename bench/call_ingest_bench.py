#!/usr/bin/env python3
"""Yealink call ingestion: Action URL events per second through the real HTTP endpoint, and
number matching time with 1M leads.

Usage (Odoo 18 importable by python3, PostgreSQL reachable)::

    python3 bench/call_ingest_bench.py --db yealink_bench --leads 1000000 --events 3000

The database is created with crm_yealink and its demo data if it does not exist (a phone per
Phone Sales demo user); leads with Indian phone numbers are then bulk-inserted with COPY (owned
by the demo users, so their searches go through the record rules) until it holds ``--leads``
conference leads. The script then

1. times, in process, the normalisation of a number to E.164 and its match to leads and contacts
   through ``phone_sanitized`` as a Sales Executive (``crm.call._yealink_match``), for
   ``--lookups`` numbers, and prints the mean and 95th percentile;
2. starts an Odoo server on ``--port`` with ONE HTTP worker (``--workers=1``, no cron, ``-d``
   without ``--db-filter`` unless ``--db-filter``), and sends ``--events`` Action URL requests
   (calls of 3 events: incoming_call, call_established, call_terminated, or outgoing_call,
   remote_busy, call_terminated; 80 % of the numbers are leads' in local format) from
   ``--clients`` concurrent simulated phones; prints requests/s, the server's CPU per request
   and latency percentiles; then the same number of requests to Odoo's own JSON route
   ``/web/webclient/version_info`` (auth none: the floor of a request to a database) under the
   same load, and the ratio. With no cron the events stay queued (with `--inline`, each request
   folds its own event, the default of a new database, and step 3 finds nothing);
3. folds the queued events in process as the scheduled action does (calls created, matched,
   posted on the lead, call-back activities) and prints events/s and CPU per event.

Calls created by the run are deleted at the end (``--keep-calls`` keeps them).
"""

import argparse
import http.client
import io
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

PHONE_LOGINS = ["se", "se2", "se3", "sse", "sse2", "stl", "asm", "sm"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="yealink_bench")
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=4, help="concurrent simulated phones")
    parser.add_argument("--lookups", type=int, default=1000)
    parser.add_argument("--port", type=int, default=8093)
    parser.add_argument("--db-filter", action="store_true",
                        help="also pass --db-filter: Odoo then lists the databases (a new PostgreSQL "
                        "connection) for every request without a session cookie, as the phones' are")
    parser.add_argument("--keep-calls", action="store_true")
    parser.add_argument("--inline", action="store_true",
                        help="each request folds its own event (the default of a new database) instead of"
                             " queueing it for the scheduled action (crm_yealink.fold_in_background)")
    parser.add_argument("--db-host", default=os.environ.get("PGHOST", "127.0.0.1"))
    parser.add_argument("--db-user", default=os.environ.get("PGUSER", "root"))
    return parser.parse_args()


def odoo_addons_path():
    import odoo  # noqa: PLC0415 - only once we know Odoo is wanted

    package = os.path.dirname(odoo.__file__)
    paths = [os.path.join(package, "addons"), os.path.join(os.path.dirname(package), "addons")]
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return ",".join([p for p in paths if os.path.isdir(p)] + [repo])


def odoo_args(args, addons_path):
    return [f"--addons-path={addons_path}", f"--db_host={args.db_host}", f"--db_user={args.db_user}"]


def ensure_database(args, addons_path):
    exists = subprocess.run(
        ["psql", "-h", args.db_host, "-U", args.db_user, "-lqt"], check=True, capture_output=True, text=True,
    ).stdout
    if any(line.split("|")[0].strip() == args.db for line in exists.splitlines()):
        return
    print(f"creating database {args.db} with crm_yealink and demo data...", flush=True)
    subprocess.run(
        [sys.executable, "-m", "odoo", *odoo_args(args, addons_path), "-d", args.db, "-i", "crm_yealink",
         "--stop-after-init", "--no-http", "--log-level=warn"],
        check=True,
    )


def local_number(i):
    return f"09{i:09d}"[:11]


def e164(i):
    return "+91" + local_number(i)[1:]


def fill_leads(cr, target):
    """COPY leads with numbers 09000000000 + i (E.164 +919000000000 + i) until ``target``."""
    cr.execute("SELECT count(*) FROM crm_lead WHERE event_id IS NOT NULL")
    have = cr.fetchone()[0]
    missing = target - have
    if missing <= 0:
        return 0
    cr.execute(
        "SELECT event_id, department_id, user_id, team_id, stage_id, company_id FROM crm_lead"
        " WHERE event_id IS NOT NULL AND user_id IS NOT NULL"
    )
    templates = cr.fetchall()
    rnd = random.Random(7)
    started = time.perf_counter()
    columns = ("name", "type", "active", "event_id", "department_id", "user_id", "team_id", "stage_id",
               "company_id", "create_uid", "write_uid", "create_date", "write_date", "priority", "probability",
               "phone", "phone_sanitized")
    batch = 200_000
    for offset in range(have, have + missing, batch):
        buffer = io.StringIO()
        for i in range(offset, min(have + missing, offset + batch)):
            event, dept, user, team, stage, company = rnd.choice(templates)
            row = (f"Bench lead {i}", "lead", "t", event, dept, user, team, stage, company, user, 1,
                   "2026-01-01", "2026-01-01", "0", "10", local_number(i), e164(i))
            buffer.write("\t".join(r"\N" if v is None else str(v) for v in row) + "\n")
        buffer.seek(0)
        cr.copy_from(buffer, "crm_lead", columns=columns)
    cr.execute("ANALYZE crm_lead")
    cr.commit()
    return missing / (time.perf_counter() - started)


# the tables a run writes and its clean-up deletes from
CHURNED_TABLES = ("crm_call", "crm_call_event", "yealink_action_event", "ir_cron_trigger", "bus_bus",
                  "mail_message", "mail_activity", "mail_followers")


def vacuum_churned_tables(args):
    """VACUUM ANALYZE the tables earlier runs churned: without autovacuum (off on some test
    machines) their dead rows would slow every run down a little more."""
    import psycopg2  # noqa: PLC0415 - an Odoo requirement

    cnx = psycopg2.connect(host=args.db_host, user=args.db_user, dbname=args.db)
    cnx.autocommit = True
    with cnx.cursor() as cr:
        cr.execute("SHOW autovacuum")
        autovacuum = cr.fetchone()[0]
        for table in CHURNED_TABLES:
            cr.execute(f"VACUUM ANALYZE {table}")  # constant names
    cnx.close()
    return autovacuum


def wait_for_server(port, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/web/health", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the Odoo server did not start")


def percentile(values, pct):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * pct / 100))] if values else 0.0


def odoo_launcher():
    """``odoo-bin`` of the source checkout: the prefork server re-executes its own script for the
    gevent (websocket) process, which ``python -m odoo`` cannot be."""
    import odoo  # noqa: PLC0415

    script = os.path.join(os.path.dirname(os.path.dirname(odoo.__file__)), "odoo-bin")
    return [sys.executable, script] if os.path.isfile(script) else [sys.executable, "-m", "odoo"]


def server_cpu(server):
    """CPU seconds (user + system) of the Odoo server's processes but the gevent (websocket)
    one: the master and, with ``--workers=1``, the one HTTP worker."""
    import psutil  # noqa: PLC0415 - an Odoo requirement

    total = 0.0
    for proc in [psutil.Process(server.pid), *psutil.Process(server.pid).children(recursive=True)]:
        try:
            if "gevent" in proc.cmdline()[1:3]:  # odoo-bin gevent ...
                continue
            times = proc.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            continue
    return total


def call_plans(phones, lead_count, calls):
    rnd = random.Random(11)
    plans = []
    for n in range(calls):
        mac, secret = phones[n % len(phones)]
        known = rnd.random() < 0.8
        number = local_number(rnd.randrange(lead_count)) if known else f"0{rnd.randint(7, 8)}00000{n:05d}"
        events = (["incoming_call", "call_established", "call_terminated"] if n % 2 else
                  ["outgoing_call", "remote_busy", "call_terminated"])
        plans.append((mac, secret, f"bench-{time.time_ns()}-{n}", number, events))
    return plans


def http_request(port, method, path, body=None, headers=None):
    """One request on a new connection, as a phone sends its Action URL (Odoo's prefork
    worker closes the connection after each answer anyway); returns the status. The
    standard library's client: a simulated phone costs the 2-core machine 0.35 ms of CPU a
    request, against 1.2 ms with ``requests``, CPU the server under test would lose."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def run_load(server, clients, items, send):
    """Send ``items`` with ``send(item) -> [(status, seconds)]`` from ``clients`` threads;
    return (requests, wall seconds, server CPU seconds, latencies, error codes)."""
    results, lock = [], threading.Lock()

    def worker(item):
        out = send(item)
        with lock:
            results.extend(out)

    cpu0, started = server_cpu(server), time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(worker, items))
    wall, cpu = time.perf_counter() - started, server_cpu(server) - cpu0
    latencies = [seconds for _status, seconds in results]
    errors = [status for status, _seconds in results if status != 200]
    return len(results), wall, cpu, latencies, errors


def report(label, count, wall, cpu, latencies, errors):
    print(f"{label}: {count:,} requests in {wall:.1f} s = {count / wall:,.0f}/s; server CPU "
          f"{cpu / count * 1000:.2f} ms/request; latency p50 {percentile(latencies, 50) * 1000:.1f} ms, "
          f"p95 {percentile(latencies, 95) * 1000:.1f} ms; errors: {len(errors)} {sorted(set(errors))}")
    return count / wall, cpu / count


def http_bench(args, addons_path, phones, lead_count):
    """Action URL events through one HTTP worker (no cron: the events stay queued), then
    Odoo's own JSON route ``/web/webclient/version_info`` (auth none) as the floor, same load."""
    db_args = ["-d", args.db] + ([f"--db-filter=^{args.db}$"] if args.db_filter else [])
    server = subprocess.Popen(  # gevent (websocket) process on a free port: not measured
        [*odoo_launcher(), *odoo_args(args, addons_path), *db_args,
         f"--http-port={args.port}", "--gevent-port=0", "--workers=1", "--max-cron-threads=0", "--log-level=warn",
         "--limit-time-real=600", "--limit-time-cpu=600"],
    )
    def send_call(plan):
        mac, secret, call_id, number, events = plan
        out = []
        for name in events:
            query = urlencode({"mac": mac, "call_id": call_id, "local": "sip:1001@pbx",
                               "remote": f"sip:{number}@pbx"})
            started = time.perf_counter()
            status = http_request(args.port, "GET", f"/yealink/action/{secret}/{name}?{query}")
            out.append((status, time.perf_counter() - started))
        return out

    floor_body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": {}}).encode()

    def send_floor(_item):
        started = time.perf_counter()
        status = http_request(args.port, "POST", "/web/webclient/version_info", floor_body,
                              {"Content-Type": "application/json"})
        return [(status, time.perf_counter() - started)]

    try:
        wait_for_server(args.port)
        warm_up = 5 * len(phones)  # every phone's user answers a few incoming calls
        plans = call_plans(phones, lead_count, max(1, args.events // 3) + warm_up)
        for plan in plans[:warm_up]:  # warm-up (routing map, registry caches), not timed
            send_call(plan)
        for _i in range(3 * warm_up):
            send_floor(None)
        load = run_load(server, args.clients, plans[warm_up:], send_call)
        print(f"uptime: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} (load average)")
        rate, cpu = report(f"Action URL events (one HTTP worker, {args.clients} phones)", *load)
        floor = run_load(server, args.clients, range(load[0]), send_floor)
        floor_rate, floor_cpu = report("Odoo floor /web/webclient/version_info (same worker, same load)", *floor)
        print(f"ratio to Odoo's floor: {rate / floor_rate:.2f} x the requests/s, {cpu / floor_cpu:.2f} x the CPU")
        return load[0]
    finally:
        server.terminate()
        server.wait(30)


def fold_bench(registry):
    """Fold the queued events as the scheduled action does, batch after batch (in process)."""
    import odoo  # noqa: PLC0415

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        queue = env["yealink.action.event"]
        cr.execute("SELECT count(*) FROM yealink_action_event")
        pending = cr.fetchone()[0]
        if not pending:
            return
        cpu0, started = time.process_time(), time.perf_counter()
        while queue._yealink_fold_pending():
            cr.commit()
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu0
        # the triggers the requests added (no cron ran in the bench)
        cron = env.ref("crm_yealink.ir_cron_yealink_fold_events")
        cr.execute("DELETE FROM ir_cron_trigger WHERE cron_id = %s", (cron.id,))
        cr.commit()
        print(f"fold (scheduled action, one process): {pending:,} events in {wall:.1f} s = "
              f"{pending / wall:,.0f} events/s; Odoo CPU {cpu / pending * 1000:.2f} ms/event "
              f"(calls created, matched, posted on the lead, call-back activities)")


def main():
    args = parse_args()
    addons_path = odoo_addons_path()
    ensure_database(args, addons_path)

    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    odoo.tools.config.parse_config([*odoo_args(args, addons_path), "--log-level=warn"])
    registry = Registry(args.db)
    autovacuum = vacuum_churned_tables(args)
    print(f"vacuumed the tables the runs churn (autovacuum {autovacuum})")
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        rate = fill_leads(cr, args.leads)
        if rate:
            print(f"inserted leads at {rate:,.0f} rows/s")
        cr.execute("SELECT count(*), count(phone_sanitized) FROM crm_lead")
        total, with_phone = cr.fetchone()
        print(f"crm_lead rows: {total:,} ({with_phone:,} with a sanitized number)")
        env["ir.config_parameter"].set_param("crm_yealink.rate_limit", 10_000_000)
        env["ir.config_parameter"].set_param("crm_yealink.fold_in_background", "" if args.inline else "1")
        print("mode:", "each request folds its event" if args.inline else "queued, folded by the scheduled action")
        env.company.country_id = env.ref("base.in")
        cr.execute("SELECT max(id) FROM crm_call")
        first_call_id = (cr.fetchone()[0] or 0) + 1
        phones = [(p.mac, p.secret) for p in env["yealink.phone"].search([("user_id.login", "in", PHONE_LOGINS)])]
        cr.execute("SELECT count(*) FROM crm_lead WHERE name LIKE 'Bench lead %%'")
        lead_count = max(1, cr.fetchone()[0])
        cr.commit()

        # 2. number matching as a Sales Executive, in process
        se = env["res.users"].search([("login", "=", "se")])
        Call = env["crm.call"]
        country = env.ref("base.in")
        rnd = random.Random(3)
        timings, found = [], 0
        for _i in range(args.lookups):
            number = local_number(rnd.randrange(lead_count))
            started = time.perf_counter()
            lead, _partner = Call._yealink_match(Call._yealink_e164(number, country), se)
            timings.append(time.perf_counter() - started)
            found += bool(lead)
        print(f"number matching at {total:,} leads (as SE, record rules applied): mean "
              f"{statistics.mean(timings) * 1000:.2f} ms, p95 {percentile(timings, 95) * 1000:.2f} ms "
              f"over {args.lookups} numbers ({found} matched a lead the SE may read)")
        cr.rollback()

    # 1. events through the real HTTP endpoint (queued), then their fold
    http_bench(args, addons_path, phones, lead_count)
    fold_bench(registry)

    if not args.keep_calls:
        with registry.cursor() as cr:
            cr.execute("DELETE FROM yealink_action_event WHERE call_key LIKE 'bench-%%'")
            cr.execute("DELETE FROM mail_activity WHERE res_model = 'crm.call' AND res_id >= %s", (first_call_id,))
            cr.execute(
                """DELETE FROM mail_activity WHERE id IN (SELECT callback_activity_id FROM crm_call
                    WHERE id >= %s AND call_key LIKE 'bench-%%')""", (first_call_id,))
            cr.execute(
                """DELETE FROM mail_message WHERE id IN (SELECT message_id FROM crm_call
                    WHERE id >= %s AND call_key LIKE 'bench-%%')""", (first_call_id,))
            cr.execute("DELETE FROM crm_call WHERE id >= %s AND call_key LIKE 'bench-%%'", (first_call_id,))


if __name__ == "__main__":
    main()
