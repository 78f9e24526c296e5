#!/usr/bin/env python3
"""Campaign metrics (and dashboards) at scale: 1M leads, 10M mail traces.

Usage (Odoo 18 importable by python3, PostgreSQL reachable)::

    python3 bench/dashboard_bench.py --db bench_dashboard --init --leads 1000000 --traces 10000000

``--init`` creates the database with the suite and its demo data when it does not exist.
The script then adds, until the database holds them, bench campaigns (one per 50,000 traces,
spread over the demo conferences, managed by the marketing managers), ``--leads`` conference
leads (COPY; 60% from a campaign, 5% won with a revenue, closed over the last 6 months) and
``--traces`` mail traces (server-side ``INSERT ... SELECT generate_series`` in batches, each
campaign sending for 30 days of the last ~6 months through 4 users, states sent / opened /
clicked / replied / bounced / error / outgoing); the roll-up is rebuilt once after the load.

It prints, through the ORM and so through the record rules, the server time of each grouping
of the metrics pivot as the web client asks for it (``read_group`` with the pivot's measures,
the default *Conference Campaigns* filter, by campaign, user, month and the total) as
``admin``, ``mm`` and ``stl``; the same queries on the previous metric view (every trace
aggregated on each query, rebuilt inside the transaction and rolled back) and the ratio; the
time of 1,000 trace updates through the ORM, of the exact read right after them and of the
roll-up refresh; and, when ``crm.kpi.daily`` is in the registry (crm_dashboards), the time of
its full rebuild, of its incremental refresh after 1,000 scattered changes of each kind (traces
opened, sent traces failed, leads won) and of a ``read_group`` on it per role; the attribution
pivot as each role (lead figures from crm.lead's grouped read vs the view's lead rows).
Nothing is committed but the generated data.
"""

import argparse
import io
import os
import random
import statistics
import subprocess
import sys
import time

ROLES = ("admin", "mm", "stl")
# with crm_dashboards (its bridges install themselves): the KPI roll-up is measured too
SUITE = ("crm_event_products,crm_campaign_mgmt,crm_campaign_mail,crm_mailwizz,crm_yealink,"
         "crm_event_editions,crm_dashboards,crm_sales_insights")
PIVOT_MEASURES = [
    "sent_count:sum", "delivered_count:sum", "opened_count:sum", "clicked_count:sum",
    "bounced_count:sum", "unsubscribed_count:sum", "response_count:sum",
    "lead_generated_count:sum", "open_rate", "conversion_rate", "cost:sum", "revenue:sum", "roi",
]
GROUPINGS = {"campaign": ["campaign_id"], "user": ["user_id"], "month": ["date:month"], "total": []}
# the default filter of the metrics action (Conference Campaigns)
DEFAULT_DOMAIN = [("campaign_id.event_id", "!=", False)]
TRACES_PER_CAMPAIGN = 50_000
BENCH_TAG = "Bench campaign"
# the previous metric view's CRM mail source: every trace aggregated on each query
OLD_SMTP_SOURCE = """
    SELECT {select}
      FROM crm_mail_trace t
     WHERE t.campaign_id IS NOT NULL
  GROUP BY t.campaign_id, t.event_id, t.user_id, (COALESCE(t.sent_datetime, t.create_date))::date"""
# ... and its won source: a scan of every lead of a campaign joined to the won stages
OLD_WON_SOURCE = """
    SELECT {select}
      FROM crm_lead l
      JOIN crm_stage s ON s.id = l.stage_id AND s.is_won
     WHERE l.campaign_id IS NOT NULL AND l.active
  GROUP BY l.campaign_id, l.event_id, l.user_id, (COALESCE(l.date_closed, l.write_date))::date"""
OLD_WON_VALUES = {
    "id": "MIN(l.id)",
    "campaign_id": "l.campaign_id",
    "event_id": "l.event_id",
    "user_id": "l.user_id",
    "source": "'won'",
    "date": "(COALESCE(l.date_closed, l.write_date))::date",
    "won_count": "COUNT(*)",
    "revenue": "SUM(COALESCE(l.expected_revenue, 0))",
}
OLD_SMTP_VALUES = {
    "id": "MIN(t.id)",
    "campaign_id": "t.campaign_id",
    "event_id": "t.event_id",
    "user_id": "t.user_id",
    "source": "'smtp'",
    "date": "(COALESCE(t.sent_datetime, t.create_date))::date",
    "sent_count": "COUNT(*) FILTER (WHERE t.state NOT IN ('outgoing', 'error'))",
    "delivered_count": "COUNT(*) FILTER (WHERE t.state NOT IN ('outgoing', 'error', 'bounced'))",
    "opened_count": "COUNT(t.open_datetime)",
    "clicked_count": "COUNT(t.click_datetime)",
    "bounced_count": "COUNT(*) FILTER (WHERE t.state = 'bounced')",
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="bench_dashboard")
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--traces", type=int, default=10_000_000)
    parser.add_argument("--init", action="store_true",
                        help="create the database with the suite and demo data if missing")
    parser.add_argument("--updates", type=int, default=1_000, help="traces updated for the refresh")
    parser.add_argument("--repeat", type=int, default=3, help="runs per query (median printed)")
    parser.add_argument("--no-old", action="store_true", help="skip the previous view's timings")
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
    if not args.init:
        sys.exit(f"database {args.db} does not exist: pass --init to create it")
    print(f"creating database {args.db} with the suite and demo data...", flush=True)
    subprocess.run(
        [sys.executable, "-m", "odoo", f"--addons-path={addons_path}", f"--db_host={args.db_host}",
         f"--db_user={args.db_user}", "-d", args.db, "-i", SUITE, "--without-demo=",
         "--stop-after-init", "--no-http", "--log-level=warn"],
        check=True,
    )


def timed(func):
    started = time.perf_counter()
    result = func()
    return result, (time.perf_counter() - started) * 1000


def ensure_campaigns(env, count):
    """Bench campaigns over the demo conferences, managed by the marketing managers."""
    Campaign = env["utm.campaign"].with_context(tracking_disable=True, mail_create_nolog=True)
    existing = Campaign.search([("title", "=like", f"{BENCH_TAG} %")])
    if len(existing) >= count:
        return existing[:count]
    events = env["event.event"].search([], order="id")
    managers = env["res.users"].search([("login", "in", ("mm", "hm"))]) or env.user
    Campaign.create([{
        "title": f"{BENCH_TAG} {index}",
        "event_id": events[index % len(events)].id,
        "manager_id": managers[index % len(managers)].id,
        "audience_domain": "[]",
    } for index in range(len(existing), count)])
    env.cr.commit()
    return Campaign.search([("title", "=like", f"{BENCH_TAG} %")], order="id")[:count]


def fill_leads(env, target, campaigns):
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
    cr.execute("SELECT id FROM crm_stage WHERE is_won ORDER BY sequence, id LIMIT 1")
    won_stage = cr.fetchone()[0]
    by_event = {}
    for campaign in campaigns:
        by_event.setdefault(campaign.event_id.id, []).append(campaign.id)
    rnd = random.Random(42)
    started = time.perf_counter()
    columns = ("name", "type", "active", "event_id", "department_id", "user_id", "team_id",
               "stage_id", "company_id", "campaign_id", "expected_revenue", "date_closed",
               "create_uid", "write_uid", "create_date", "write_date", "priority", "probability")
    batch = 200_000
    for offset in range(0, missing, batch):
        buffer = io.StringIO()
        for i in range(offset, min(missing, offset + batch)):
            event, dept, user, team, stage, company = rnd.choice(templates)
            event_campaigns = by_event.get(event)
            campaign = rnd.choice(event_campaigns) if event_campaigns and rnd.random() < 0.6 else None
            revenue, closed = None, None
            if campaign and rnd.random() < 0.08:
                stage, revenue = won_stage, rnd.randrange(10_000, 200_000, 100)
                closed = f"2026-{rnd.randint(6, 11):02d}-{rnd.randint(1, 28):02d} 10:00:00"
            row = (f"Bench lead {i}", "lead", "t", event, dept, user, team, stage, company,
                   campaign, revenue, closed, user or 1, 1, "2026-01-01", "2026-01-01", "0", "10")
            buffer.write("\t".join(r"\N" if v is None else str(v) for v in row) + "\n")
        buffer.seek(0)
        cr.copy_from(buffer, "crm_lead", columns=columns)
        cr.commit()
    cr.execute("ANALYZE crm_lead")
    cr.commit()
    return missing / (time.perf_counter() - started)


def fill_traces(env, target, campaigns):
    """Server-side generation; the roll-up triggers are off during the load and the
    roll-up is rebuilt once at the end (as after any bulk SQL load)."""
    cr = env.cr
    cr.execute("SELECT count(*) FROM crm_mail_trace")
    existing = cr.fetchone()[0]
    missing = target - existing
    if missing <= 0:
        return 0
    users = env["res.users"].search([("share", "=", False), ("login", "!=", "__system__")], order="id")
    senders = users.ids
    rnd = random.Random(7)
    cr.execute("DROP TABLE IF EXISTS bench_trace_campaign")
    cr.execute("""CREATE UNLOGGED TABLE bench_trace_campaign (
        idx integer PRIMARY KEY, campaign_id integer, event_id integer, users integer[],
        start_ts timestamp)""")
    rows = []
    for idx, campaign in enumerate(campaigns):
        pool = rnd.sample(senders, min(4, len(senders)))
        start = f"2026-{rnd.randint(5, 10):02d}-{rnd.randint(1, 28):02d} 08:00:00"
        rows.append((idx, campaign.id, campaign.event_id.id or None, pool, start))
    cr.executemany("INSERT INTO bench_trace_campaign VALUES (%s, %s, %s, %s, %s)", rows)
    has_rollup = "crm.mail.trace.daily" in env
    if has_rollup:
        cr.execute("ALTER TABLE crm_mail_trace DISABLE TRIGGER USER")
    # secondary indexes are rebuilt once after the load (much faster than row by row)
    # (their definitions are kept in a table until rebuilt: an interrupted run resumes)
    cr.execute("CREATE TABLE IF NOT EXISTS bench_trace_index (name varchar PRIMARY KEY, definition text)")
    cr.execute("""INSERT INTO bench_trace_index
                  SELECT i.indexname, i.indexdef FROM pg_indexes i
                   WHERE i.tablename = 'crm_mail_trace' AND i.indexname NOT LIKE '%%pkey'
                  ON CONFLICT DO NOTHING""")
    cr.execute("SELECT name, definition FROM bench_trace_index ORDER BY name")
    indexes = cr.fetchall()
    for name, _definition in indexes:
        cr.execute(f'DROP INDEX IF EXISTS "{name}"')
    cr.commit()
    # generated rows are valid by construction: no per-row foreign key checks
    cr.execute("SET session_replication_role = replica")
    started = time.perf_counter()
    batch = 1_000_000
    ncampaigns = len(campaigns)
    for low in range(existing, target, batch):
        high = min(target, low + batch) - 1
        cr.execute("""
            INSERT INTO crm_mail_trace (
                campaign_id, event_id, user_id, email, state, sent_datetime, open_datetime,
                click_datetime, bounce_datetime, create_date, write_date, create_uid, write_uid)
            SELECT c.campaign_id, c.event_id, c.users[1 + (g.i / 7) %% array_length(c.users, 1)],
                   'p' || g.i || '@bench.example', s.state,
                   CASE WHEN s.state NOT IN ('outgoing', 'error') THEN d.ts END,
                   CASE WHEN s.state IN ('opened', 'clicked', 'replied') THEN d.ts + interval '2 hours' END,
                   CASE WHEN s.state = 'clicked' THEN d.ts + interval '3 hours' END,
                   CASE WHEN s.state = 'bounced' THEN d.ts + interval '1 minute' END,
                   d.ts, d.ts, 1, 1
              FROM generate_series(%s, %s) g(i)
              JOIN bench_trace_campaign c ON c.idx = g.i %% %s
             CROSS JOIN LATERAL (SELECT random() + 0 * g.i AS r) rr
             CROSS JOIN LATERAL (SELECT CASE
                    WHEN rr.r < 0.04 THEN 'bounced' WHEN rr.r < 0.05 THEN 'error'
                    WHEN rr.r < 0.06 THEN 'outgoing' WHEN rr.r < 0.55 THEN 'sent'
                    WHEN rr.r < 0.80 THEN 'opened' WHEN rr.r < 0.93 THEN 'clicked'
                    ELSE 'replied' END AS state) s
             CROSS JOIN LATERAL (SELECT c.start_ts + ((g.i / %s) %% 30) * interval '1 day'
                    + (g.i %% 36000) * interval '1 second' AS ts) d
        """, [low, high, ncampaigns, ncampaigns])
        cr.commit()
        print(f"  traces {high + 1:,} / {target:,}", flush=True)
    cr.execute("SET session_replication_role = DEFAULT")
    for name, definition in indexes:
        _unused, index_ms = timed(lambda definition=definition: cr.execute(definition))
        print(f"  index {name} rebuilt in {index_ms / 1000:.1f} s", flush=True)
    if has_rollup:
        cr.execute("ALTER TABLE crm_mail_trace ENABLE TRIGGER USER")
    cr.execute("DROP TABLE bench_trace_campaign")
    cr.execute("DROP TABLE bench_trace_index")
    cr.execute("ANALYZE crm_mail_trace")
    cr.commit()
    rate = missing / (time.perf_counter() - started)
    if has_rollup:
        _unused, fill_ms = timed(env["crm.mail.trace.daily"]._fill)
        cr.execute("ANALYZE crm_mail_trace_daily")
        cr.commit()
        print(f"roll-up rebuilt from every trace in {fill_ms / 1000:.1f} s")
    return rate


def median_ms(func, repeat, env):
    times = []
    for _run in range(repeat):
        env.invalidate_all()
        env.registry.clear_cache()
        _result, elapsed = timed(func)
        times.append(elapsed)
    return statistics.median(times)


def time_pivot(env, users, repeat):
    """{(login, grouping): ms} of the metrics pivot's read_group."""
    result = {}
    for login, user in users.items():
        Metric = env["crm.campaign.metric"].with_user(user)
        Metric.read_group(DEFAULT_DOMAIN, PIVOT_MEASURES, [], lazy=False)  # warm
        for name, groupby in GROUPINGS.items():
            result[login, name] = median_ms(
                lambda Metric=Metric, groupby=groupby: Metric.read_group(
                    DEFAULT_DOMAIN, PIVOT_MEASURES, groupby, lazy=False),
                repeat, env)
    return result


def install_old_view(env):
    """The previous metric view (raw traces), inside the transaction (rolled back)."""
    Metric = env["crm.campaign.metric"]
    queries = Metric._metric_source_queries()
    values = dict(OLD_SMTP_VALUES, channel_id=Metric._email_channel_sql())
    queries["smtp"] = OLD_SMTP_SOURCE.format(select=Metric._select(values))
    queries["won"] = OLD_WON_SOURCE.format(select=Metric._select(OLD_WON_VALUES))
    original = type(Metric)._metric_source_queries
    type(Metric)._metric_source_queries = lambda self: queries
    try:
        env.cr.execute(f"DROP VIEW IF EXISTS {Metric._table}")
        env.cr.execute(f"CREATE VIEW {Metric._table} AS ({Metric._view_query()})")
    finally:
        type(Metric)._metric_source_queries = original


def time_refresh(env, updates):
    cr = env.cr
    Daily = env["crm.mail.trace.daily"]
    Daily._refresh()
    cr.execute("SELECT id FROM crm_mail_trace WHERE state = 'sent' AND campaign_id IS NOT NULL"
               " ORDER BY random() LIMIT %s", [updates])
    traces = env["crm.mail.trace"].browse([row[0] for row in cr.fetchall()])
    _unused, update_ms = timed(lambda: (traces.set_opened(), env.flush_all()))
    cr.execute("SELECT COUNT(*), COUNT(DISTINCT (campaign_id, event_id, user_id, day))"
               " FROM crm_mail_trace_daily_delta")
    delta_rows, delta_keys = cr.fetchone()
    Metric = env["crm.campaign.metric"]
    env.invalidate_all()
    _unused, delta_read_ms = timed(lambda: Metric.read_group(
        DEFAULT_DOMAIN, PIVOT_MEASURES, ["campaign_id"], lazy=False))
    refreshed, refresh_ms = timed(Daily._refresh)
    env.invalidate_all()
    _unused, clean_read_ms = timed(lambda: Metric.read_group(
        DEFAULT_DOMAIN, PIVOT_MEASURES, ["campaign_id"], lazy=False))
    print(f"\n{len(traces):,} traces opened through the ORM (set_opened + flush): {update_ms:.0f} ms;"
          f" delta log {delta_rows:,} rows / {delta_keys:,} keys")
    print(f"  pivot by campaign right after (exact: roll-up + deltas): {delta_read_ms:.0f} ms")
    print(f"  refresh: {refreshed:,} keys folded into the roll-up (one upsert): {refresh_ms:.0f} ms")
    print(f"  pivot by campaign after the refresh: {clean_read_ms:.0f} ms")


def _kpi_refresh_after(env, label, change):
    """Apply ``change`` (ORM writes, flushed), then time the incremental KPI refresh."""
    _unused, change_ms = timed(lambda: (change(), env.flush_all()))
    groups, refresh_ms = timed(env["crm.kpi.daily"]._refresh)
    env.cr.execute("SELECT COUNT(*) FROM crm_kpi_daily")
    rows = env.cr.fetchone()[0]
    print(f"  {label}: changes {change_ms:.0f} ms; refresh {refresh_ms:.0f} ms"
          f" ({groups:,} (day, user) groups recomputed; roll-up {rows:,} rows)", flush=True)
    return refresh_ms


def time_kpi_refresh(env, updates):
    """The KPI roll-up (crm.kpi.daily): its full rebuild (the reference: what the nightly
    cron does, and what a refresh that scans every source costs), then the incremental
    refresh after ``updates`` scattered changes of each kind."""
    if "crm.kpi.daily" not in env:
        return
    cr = env.cr
    Kpi = env["crm.kpi.daily"]
    Trace = env["crm.mail.trace"]
    print(f"\ncrm.kpi.daily refresh (server ms, {updates:,} scattered changes each):", flush=True)
    cr.execute("SET LOCAL jit = off")
    _unused, full_ms = timed(lambda: Kpi._refresh(full=True))
    print(f"  full rebuild from every source (reference): {full_ms:.0f} ms", flush=True)
    Kpi._refresh()

    def pick(where):
        cr.execute(f"SELECT id FROM crm_mail_trace WHERE {where} ORDER BY random() LIMIT %s",  # noqa: S608
                   [updates])
        return Trace.browse([row[0] for row in cr.fetchall()])

    opened = pick("state = 'sent'")
    tracking_ms = _kpi_refresh_after(env, "traces opened (tracking hits, no KPI change)",
                                     opened.set_opened)
    failed = pick("state = 'sent'")
    sent_ms = _kpi_refresh_after(env, "sent traces failed (KPI change)", lambda: [
        trace.write({"state": "error"}) for trace in failed])
    cr.execute("SELECT id FROM crm_lead WHERE event_id IS NOT NULL AND user_id IS NOT NULL"
               " ORDER BY random() LIMIT %s", [updates])
    leads = env["crm.lead"].browse([row[0] for row in cr.fetchall()])
    won = env["crm.stage"].search([("is_won", "=", True)], limit=1)
    won_ms = _kpi_refresh_after(env, "leads won (KPI change)", lambda: leads.write({"stage_id": won.id}))
    print(f"  ratio full rebuild / incremental: tracking {full_ms / tracking_ms:.1f}x,"
          f" failures {full_ms / sent_ms:.1f}x, won {full_ms / won_ms:.1f}x")


ATTRIBUTION_MEASURES = ["lead_count", "spend", "cost_per_lead", "won_count", "revenue", "roi"]
ATTRIBUTION_GROUPINGS = {"region x platform": ["region_cluster", "source_id"],
                         "month": ["date:month"], "conference": ["event_id"]}


def time_attribution(env, users, repeat):
    """The attribution pivot (crm.attribution.report) as each role: lead figures from
    crm.lead's grouped read vs the previous way (the view's lead rows, context
    ``attribution_from_view``, as admin only: minutes for the other roles at 1M leads),
    results compared; Odoo's own crm.lead pivot on the same
    grouping as the reference."""
    if "crm.attribution.report" not in env:
        return
    print(f"\nattribution pivot read_group (median of {repeat}), server ms:")
    print(f"{'role':6} {'grouping':18} {'new':>8} {'view':>8} {'ratio':>6} {'crm.lead':>9} same")
    for login, user in users.items():
        Report = env["crm.attribution.report"].with_user(user)
        Lead = env["crm.lead"].with_user(user).with_context(active_test=False)
        for name, groupby in ATTRIBUTION_GROUPINGS.items():
            def new(Report=Report, groupby=groupby):
                return Report.read_group([], ATTRIBUTION_MEASURES, groupby, lazy=False)

            def old(Report=Report, groupby=groupby):
                return Report.with_context(attribution_from_view=True).read_group(
                    [], ATTRIBUTION_MEASURES, groupby, lazy=False)

            lead_groupby = [spec.replace("date:", "create_date:") for spec in groupby]
            new_ms = median_ms(new, repeat, env)
            # the view's lead rows as a role other than admin take minutes at 1M leads (the
            # rule's lead check per row): compared as admin only
            old_ms = median_ms(old, 1, env) if login == "admin" else None
            lead_ms = median_ms(lambda Lead=Lead, lead_groupby=lead_groupby: Lead.read_group(
                [], ["expected_revenue:sum"], lead_groupby, lazy=False), repeat, env)

            def figures(groups, groupby=groupby):
                return sorted((tuple(str(group[spec]) for spec in groupby),
                               tuple(round(group[m] or 0, 2) for m in ATTRIBUTION_MEASURES))
                              for group in groups)

            if old_ms is None:
                print(f"{login:6} {name:18} {new_ms:8.1f} {'-':>8} {'-':>6} {lead_ms:9.1f} -",
                      flush=True)
                continue
            same = figures(new()) == figures(old())
            print(f"{login:6} {name:18} {new_ms:8.1f} {old_ms:8.1f} {old_ms / new_ms:6.1f} {lead_ms:9.1f}"
                  f" {'yes' if same else 'NO'}", flush=True)


def time_kpi(env, users, repeat):
    if "crm.kpi.daily" not in env:
        print("\ncrm.kpi.daily not in the registry (crm_dashboards not installed): skipped")
        return
    Kpi = env["crm.kpi.daily"]
    measures = [f"{name}:sum" for name, field in Kpi._fields.items()
                if field.store and field.type in ("integer", "float", "monetary")
                and name not in ("id", "create_uid", "write_uid")]
    dates = [name for name, field in Kpi._fields.items()
             if field.store and field.type in ("date", "datetime")
             and name not in ("create_date", "write_date")]
    groupby = [f"{dates[0]}:month"] if dates else []
    print(f"\ncrm.kpi.daily read_group({groupby}, {len(measures)} measures), ms:")
    for login, user in users.items():
        Model = Kpi.with_user(user)
        Model.read_group([], measures, groupby, lazy=False)
        elapsed = median_ms(lambda Model=Model: Model.read_group([], measures, groupby, lazy=False),
                            repeat, env)
        print(f"  {login:6} {elapsed:8.1f}")


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
        campaigns = ensure_campaigns(env, max(20, args.traces // TRACES_PER_CAMPAIGN))
        rate = fill_leads(env, args.leads, campaigns)
        if rate:
            print(f"inserted leads at {rate:,.0f} rows/s")
        rate = fill_traces(env, args.traces, campaigns)
        if rate:
            print(f"inserted traces at {rate:,.0f} rows/s")
        # the metric view, roll-up and indexes of the code being measured
        env["crm.campaign.metric"]._create_view()
        if hasattr(env["crm.lead"], "_attribution_rollup_init"):
            env["crm.lead"]._attribution_rollup_init()
        cr.commit()
        cr._cnx.set_isolation_level(0)  # VACUUM outside a transaction, as autovacuum would
        cr.execute("VACUUM ANALYZE crm_lead")
        cr.execute("VACUUM ANALYZE crm_mail_trace_daily")
        # statistics of every table, small ones included (autovacuum never analyses a
        # table of a few rows such as crm_stage: the planner would guess their sizes)
        cr.execute("ANALYZE")
        cr._cnx.set_isolation_level(3)
        cr.execute("SELECT count(*) FROM crm_lead")
        leads = cr.fetchone()[0]
        cr.execute("SELECT count(*) FROM crm_mail_trace")
        traces = cr.fetchone()[0]
        cr.execute("SELECT count(*) FROM crm_mail_trace_daily")
        rollup = cr.fetchone()[0]
        print(f"crm_lead {leads:,} rows, crm_mail_trace {traces:,} rows, roll-up {rollup:,} rows")
        users = {login: env["res.users"].search([("login", "=", login)]) for login in ROLES}
        users = {login: user for login, user in users.items() if user}

        new = time_pivot(env, users, args.repeat)
        print(f"metrics pivot on the roll-up (median of {args.repeat}), server ms: "
              + ", ".join(f"{login}/{grouping} {ms:.0f}" for (login, grouping), ms in new.items()),
              flush=True)
        time_refresh(env, args.updates)
        time_kpi_refresh(env, args.updates)
        time_kpi(env, users, args.repeat)
        time_attribution(env, users, args.repeat)
        old = {}
        if not args.no_old:
            install_old_view(env)
            old = time_pivot(env, users, 1)  # one run each: seconds per query
        print(f"\nmetrics pivot read_group (roll-up: median of {args.repeat}; old view: 1 run), server ms:")
        print(f"{'role':6} {'grouping':9} {'roll-up':>9} {'old view':>9} {'ratio':>7}")
        for (login, grouping), elapsed in new.items():
            before = old.get((login, grouping))
            ratio = f"{before / elapsed:7.1f}" if before else f"{'-':>7}"
            before = f"{before:9.1f}" if before else f"{'-':>9}"
            print(f"{login:6} {grouping:9} {elapsed:9.1f} {before} {ratio}")
        cr.rollback()


if __name__ == "__main__":
    main()
