#!/usr/bin/env python3
"""Benchmark of the edition rollover of crm_event_editions in real Odoo (issue 12).

On a throwaway database where ``crm_event_editions`` is installed, creates a conference
series with a past edition of N leads (default 100,000: speakers, sponsors, delegates,
won leads, prospects, a few lost), locks it, then, as a Production Manager assigned to
both editions, runs the rollover job the way the scheduled action does (as the
requester, committing per batch of 1,000 with the offset reached) and prints its rate
(past leads read and checked per second, and new leads per second). For comparison, it
then times ``crm.lead.create`` on 2,000 leads as the same user.

    python3 bench/rollover_bench.py -d ed_bench --init        # creates the database
    python3 bench/rollover_bench.py -d ed_bench [--leads 100000] [--anchor-leads 2000]
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--leads", type=int, default=100000)
    parser.add_argument("--anchor-leads", type=int, default=2000)
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

    past_id, new_id, anchor_id, pm_id, owner_ids, department_id = ids
    with registry.cursor() as cr:
        env = api.Environment(cr, pm_id, {})
        Job = env["crm.edition.rollover.job"]
        job = Job._create_checked({
            "source_event_id": past_id, "target_event_id": new_id, "carry_speakers": True,
            "carry_sponsors": True, "carry_delegates": True, "carry_prospects": False})
        cr.commit()
        started, cpu = time.perf_counter(), time.process_time()
        # what the scheduled action does with a queued job (as its requester)
        job.with_context(crm_edition_rollover_commit=True)._run_safe()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        cr.commit()
        if job.state != "done":
            sys.exit(f"rollover job {job.id} {job.state}: {job.log}")
        created, skipped = job.created_count, job.skipped_count
        print(f"rollover of {args.leads} past leads as a Production Manager: {created} created, "
              f"{skipped} skipped in {elapsed:.1f}s (CPU {cpu:.1f}s): "
              f"{args.leads / elapsed:.0f} past leads/s, {created / elapsed:.0f} new leads/s")
        started = time.perf_counter()
        again = env["crm.edition.rollover.wizard"].create({
            "source_event_id": past_id, "target_event_id": new_id})
        again._rollover(commit=True)
        print(f"second run: {again.created_count} created, {again.skipped_count} skipped in "
              f"{time.perf_counter() - started:.1f}s")

    with registry.cursor() as cr:
        env = api.Environment(cr, pm_id, {})
        anchor_event = env["event.event"].browse(anchor_id)
        department = env["crm.department"].browse(department_id)
        owners = env["res.users"].browse(owner_ids)
        vals_list = [lead_vals(i, anchor_event, department, owners, "a")
                     for i in range(args.anchor_leads)]
        started = time.perf_counter()
        env["crm.lead"].create(vals_list)
        env.flush_all()
        elapsed = time.perf_counter() - started
        cr.commit()
        print(f"crm.lead.create of {args.anchor_leads} leads as the same user: {elapsed:.1f}s, "
              f"{args.anchor_leads / elapsed:.0f} leads/s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
