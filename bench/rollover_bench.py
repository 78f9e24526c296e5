#!/usr/bin/env python3
"""Benchmark of the edition rollover of crm_event_editions in real Odoo (issue 12).

On a throwaway database where ``crm_event_editions`` is installed, creates a conference
series with a past edition of N leads (default 100,000: speakers, sponsors, delegates,
won leads, prospects, a few lost), locks it, then, as a Production Manager assigned to
both editions, runs the rollover job the way the scheduled action does (as the
requester, committing per batch of 1,000 with the offset reached) and prints its rate
(past leads per second, new leads per second of wall-clock and of the Odoo process's
CPU time). For comparison, in the same run, Odoo's own ``crm.lead.create`` (batches of
1,000, as the same user, same context but the followers) creates the same new-lead
values as the rollover's first ``--anchor-leads`` (default 1,000: ``create`` runs at
tens of leads per second here) in a third edition; the ratio of the rates is printed.

After the setup the tables are analyzed, as autovacuum does on a normal server (it is
off on this one: without statistics PostgreSQL takes ``crm_lead`` for an empty table
and scans it whole for each batch's record-rule check; ``--no-analyze`` to see it).

    python3 bench/rollover_bench.py -d ed_bench --init        # creates the database
    python3 bench/rollover_bench.py -d ed_bench [--leads 100000] [--anchor-leads 1000]
"""

import argparse
import os
import resource
import subprocess
import sys
import time
from datetime import date, timedelta

ADDONS_PATH = ("/opt/odoo18/addons,/opt/odoo18/odoo/addons,"
               + os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KINDS = ["speaker", "sponsor", "delegate", "delegate", "prospect_delegate",
         "prospect_speaker", False, "delegate"]


def lead_vals(i, event, department, owners, tag):
    kind = KINDS[i % len(KINDS)]
    return {
        "name": f"Company {i % 997} - Person {i}{tag}",
        "type": "lead",
        "contact_name": f"Person {i}{tag}",
        "partner_name": f"Company {i % 997}",
        "function": "Head of Energy",
        "email_from": f"person{i}{tag}@company{i % 997}.example.com",
        "phone": f"+91 9{(800000000 + i * 7) % 1000000000:09d}" if not tag else False,
        "event_id": event.id,
        "department_id": department.id,
        "user_id": owners[i % len(owners)].id,
        "team_id": False,
        "crm_contact_kind": kind,
    }


def setup(env, stamp, count):
    from odoo import Command

    def user(login, group):
        return env["res.users"].create({
            "name": login, "login": f"{login}_{stamp}", "email": f"{login}_{stamp}@example.com",
            "groups_id": [Command.set([env.ref("base.group_user").id,
                                       env.ref(f"crm_event_products.{group}").id])],
        })
    series = env["crm.event.series"].create({"name": f"Bench Summit {stamp}"})
    today = date.today()

    def edition(name, start, year):
        return env["event.event"].create({
            "name": f"{name} {stamp}", "crm_series_id": series.id, "crm_edition_year": year,
            "crm_cycle_start": start, "date_begin": start + timedelta(days=80),
            "date_end": start + timedelta(days=82)})
    past = edition("Bench Summit (past)", today - timedelta(days=500), 2001)
    new = edition("Bench Summit (new)", today - timedelta(days=10), 2002)
    anchor = edition("Bench Summit (anchor)", today - timedelta(days=10), 2003)
    pm = user("bench_pm", "group_production_pm")
    owners = [user(f"bench_p{index}", "group_production_p") for index in range(4)]
    env["crm.product.assignment"].create([
        {"product_id": product.id, "user_id": member.id}
        for product in (past, new, anchor) for member in [pm, *owners]])
    department = env.ref("crm_event_products.crm_department_production")
    Lead = env["crm.lead"].with_context(tracking_disable=True)
    won = env["crm.stage"].search([("is_won", "=", True)], limit=1)
    cache = {}
    for start in range(0, count, 5000):
        leads = Lead._bulk_create([
            lead_vals(i, past, department, owners, "")
            for i in range(start, min(count, start + 5000))], cache)
        # every 8th lead was won (delegates who attended without a kind), every 50th lost
        env.cr.execute("UPDATE crm_lead SET stage_id = %s, probability = 100 "
                       "WHERE id = ANY(%s) AND crm_contact_kind IS NULL", [won.id, leads.ids])
        env.cr.execute("UPDATE crm_lead SET active = false WHERE id = ANY(%s) AND id %% 50 = 0",
                       [leads.ids])
        env.cr.commit()
        env.invalidate_all()
    past.action_crm_lock()
    env.cr.commit()
    return past, new, anchor, pm, owners, department


def run_rollover(env, past_id, new_id, count):
    """The rollover job as the scheduled action runs it; then a second run."""
    job = env["crm.edition.rollover.job"]._create_checked({
        "source_event_id": past_id, "target_event_id": new_id, "carry_speakers": True,
        "carry_sponsors": True, "carry_delegates": True, "carry_prospects": False})
    env.cr.commit()
    load = os.getloadavg()[0]
    started, cpu = time.perf_counter(), time.process_time()
    # what the scheduled action does with a queued job (as its requester)
    job.with_context(crm_edition_rollover_commit=True)._run_safe()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    env.cr.commit()
    if job.state != "done":
        sys.exit(f"rollover job {job.id} {job.state}: {job.log}")
    created, skipped = job.created_count, job.skipped_count
    print(f"rollover of {count} past leads as a Production Manager (load average "
          f"{load:.1f} -> {os.getloadavg()[0]:.1f}): {created} created, {skipped} skipped "
          f"in {elapsed:.1f}s wall, {cpu:.1f}s Odoo CPU: {count / elapsed:.0f} past leads/s, "
          f"{created / elapsed:.0f} new leads/s wall, {created / cpu:.0f} new leads/s of CPU")
    started = time.perf_counter()
    again = env["crm.edition.rollover.wizard"].create({
        "source_event_id": past_id, "target_event_id": new_id})
    again._rollover(commit=True)
    print(f"second run: {again.created_count} created, {again.skipped_count} skipped in "
          f"{time.perf_counter() - started:.1f}s")
    return {"job": job, "created": created, "wall": elapsed, "cpu": cpu}


def same_rows(env, job, anchor_id, count):
    """The values the rollover gave its first ``count`` new leads, for the anchor edition."""
    Lead = env["crm.lead"]
    leads = Lead.search([("event_id", "=", job.target_event_id.id),
                         ("crm_origin_lead_id", "!=", False)], order="id", limit=count)
    domain, rows = [("id", "in", leads.crm_origin_lead_id.ids)], []
    while batch := job._read_source_batch(Lead, domain, rows[-1]["id"] if rows else 0):
        rows += batch
    team_of = job._team_getter()
    return [dict(job._lead_values(row, team_of), event_id=anchor_id) for row in rows]


def run_create(env, vals_list):
    """Odoo's ``crm.lead.create`` on ``vals_list``, by batches of 1,000, as the user, with
    the rollover's context but the followers (which ``create`` makes one by one)."""
    Lead = env["crm.lead"].with_context(mail_create_nolog=True,
                                        mail_auto_subscribe_no_notify=True)
    load = os.getloadavg()[0]
    started, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(vals_list), 1000):
        Lead.create(vals_list[start:start + 1000])
        env.flush_all()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    env.cr.commit()
    count = len(vals_list)
    print(f"crm.lead.create of the same {count} new leads as the same user (load average "
          f"{load:.1f} -> {os.getloadavg()[0]:.1f}): {elapsed:.1f}s wall, {cpu:.1f}s Odoo CPU: "
          f"{count / elapsed:.0f} leads/s wall, {count / cpu:.0f} leads/s of CPU")
    return {"created": count, "wall": elapsed, "cpu": cpu}


def print_comparison(rollover, anchor):
    ratio_wall = (rollover["created"] / rollover["wall"]) / (anchor["created"] / anchor["wall"])
    ratio_cpu = (rollover["created"] / rollover["cpu"]) / (anchor["created"] / anchor["cpu"])
    print(f"rollover / crm.lead.create: {ratio_wall:.1f}x wall, {ratio_cpu:.1f}x CPU")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--leads", type=int, default=100000)
    parser.add_argument("--anchor-leads", type=int, default=1000)
    parser.add_argument("--no-analyze", action="store_true",
                        help="do not analyze the tables after the setup")
    parser.add_argument("--addons-path", default=ADDONS_PATH)
    parser.add_argument("--db-host", default=os.environ.get("PGHOST", "127.0.0.1"))
    parser.add_argument("--db-user", default=os.environ.get("PGUSER", "root"))
    parser.add_argument("--init", action="store_true",
                        help="create the database with crm_event_editions (no demo) and stop")
    args = parser.parse_args()
    if args.init:
        subprocess.run([sys.executable, "-m", "odoo", "-d", args.database,
                        f"--addons-path={args.addons_path}", f"--db_host={args.db_host}",
                        f"--db_user={args.db_user}", "-i", "crm_event_editions",
                        "--without-demo=all", "--stop-after-init", "--log-level=warn"],
                       check=True)
        return

    import odoo
    from odoo import api
    from odoo.tools import config

    config.parse_config([
        f"--addons-path={args.addons_path}", f"--db_host={args.db_host}",
        f"--db_user={args.db_user}", "-d", args.database, "--log-level=warn",
    ])
    odoo.service.server.load_server_wide_modules()
    registry = odoo.modules.registry.Registry(args.database)
    stamp = f"{time.time():.0f}"
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")

    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        started = time.perf_counter()
        past, new, anchor, pm, owners, department = setup(env, stamp, args.leads)
        print(f"past edition: {args.leads} leads created in "
              f"{time.perf_counter() - started:.1f}s (setup, not measured)")
        ids = (past.id, new.id, anchor.id, pm.id, [o.id for o in owners], department.id)

    if not args.no_analyze:
        with registry.cursor() as cr:
            cr.execute("ANALYZE crm_lead, mail_followers, mail_followers_mail_message_subtype_rel")
    past_id, new_id, anchor_id, pm_id, _owner_ids, _department_id = ids
    with registry.cursor() as cr:
        env = api.Environment(cr, pm_id, {})
        rollover = run_rollover(env, past_id, new_id, args.leads)
        vals_list = same_rows(env, rollover["job"], anchor_id, args.anchor_leads)
    with registry.cursor() as cr:
        env = api.Environment(cr, pm_id, {})
        anchor = run_create(env, vals_list)
    print_comparison(rollover, anchor)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
