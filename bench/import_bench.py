#!/usr/bin/env python3
"""Benchmark of the imports of crm_campaign_mgmt in real Odoo (issue 8).

Generates an .xlsx of N rows (default 100,000; shared strings, as Excel writes
them; a few invalid and duplicate rows), then, on a database where
``crm_campaign_mgmt`` is installed, runs the way users do (wizard, queued job,
the scheduled action's method, committing per batch):

1. *Import leads* as a Junior Research Executive: every valid row becomes a lead
   of his (file -> leads);
2. *Import campaign targets* of the same file (other emails) as a Sales Team
   Leader, into a campaign with four reps: rows -> targets -> leads -> assigned.

Prints the import rate (rows read and checked), the lead creation rate, the
assignment rate, the end-to-end rate, the time of the first and last lead batches
(a rate that falls as the tables grow shows there: the job analyzes the tables it
grows, see ``analyze_grown_tables``) and the peak memory of the process, then,
in the same run, Odoo's own ``base_import`` of the first 5,000 rows (as a CSV)
into ``crm.lead`` as the same researcher, and the ratio.

    python3 bench/import_bench.py -d imp_bench --init      # creates the database
    python3 bench/import_bench.py -d imp_bench [--rows 100000] [--anchor-rows 5000]

The file is generated in a child process so its memory does not count.
"""

import argparse
import base64
import csv
import io
import os
import resource
import subprocess
import sys
import tempfile
import time

HEADER = ["First Name", "Last Name", "Email", "Mobile", "Company", "Designation", "Address",
          "City", "State", "Country", "Industry", "Platform", "No. of Employees", "Notes"]
STATES = [("Pune", "Maharashtra"), ("Kolkata", "West Bengal"), ("Bengaluru", "Karnataka"),
          ("Gurugram", "Haryana"), ("Chennai", "Tamil Nadu"), ("Ahmedabad", "Gujarat")]
PLATFORMS = ["IndiaMart", "LinkedIn", "TradeIndia", "Website"]
ADDONS_PATH = ("/opt/odoo18/addons,/opt/odoo18/odoo/addons,"
               + os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def row(i, tag=""):
    city, state = STATES[i % len(STATES)]
    email = f"person{i}{tag}@company{i % 997}.example.com"
    phone = f"9{(800000000 + i * 7 + (500000 if tag else 0)) % 1000000000:09d}"
    if i % 500 == 7:
        email = f"broken{i}.example.com"  # invalid
    if i % 500 == 11:
        phone = "12345"  # invalid
    if i % 1000 == 13 and i > 20:
        email = f"person{i - 10}{tag}@company{(i - 10) % 997}.example.com"  # duplicate
    return [f"First{i}", f"Last{i}", email, phone, f"Company {i % 997} Pvt Ltd",
            "Purchase Manager", f"{i % 300} Industrial Area", city, state, "India",
            "Chemicals", PLATFORMS[i % len(PLATFORMS)], (i % 20) * 60 + 5, f"note {i}"]


def generate(path, rows, tag):
    import xlsxwriter

    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet("Leads")
    sheet.write_row(0, 0, HEADER)
    for i in range(rows):
        sheet.write_row(i + 1, 0, row(i, tag))
    workbook.close()


def anchor_csv(rows, event_name):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Name", "Email", "Phone", "Company", "City", "Conference"])
    for i in range(rows):
        values = row(i, "anchor")
        writer.writerow([f"{values[4]} - {values[0]} {values[1]}", values[2], values[3],
                         values[4], values[7], event_name])
    return buffer.getvalue().encode()


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


class Timers:
    """Wall time spent in some methods of the job and of crm.lead (patched in this
    process only, to split the end-to-end time into its phases)."""

    def __init__(self):
        self.seconds = {}
        self.calls = {}

    def wrap(self, cls, name, key):
        original = getattr(cls, name)
        timers = self

        def timed(self, *args, **kwargs):
            started = time.monotonic()
            try:
                return original(self, *args, **kwargs)
            finally:
                spent = time.monotonic() - started
                timers.seconds[key] = timers.seconds.get(key, 0.0) + spent
                timers.calls.setdefault(key, []).append(spent)
        setattr(cls, name, timed)

    def reset(self):
        self.seconds = {}
        self.calls = {}

    def early_late(self, key, count=10):
        """Mean time of the first and of the last ``count`` calls (batches), in ms: a
        rate that falls as the tables grow shows here."""
        calls = self.calls.get(key) or []
        if len(calls) < 2 * count:
            return None
        return (1000 * sum(calls[:count]) / count, 1000 * sum(calls[-count:]) / count)


def ensure_file(args, tag):
    path = os.path.join(tempfile.gettempdir(), f"imp_bench_{args.rows}_{tag or 'a'}.xlsx")
    if not os.path.exists(path):
        started = time.monotonic()
        subprocess.run([sys.executable, __file__, "-d", args.database, "--rows", str(args.rows),
                        "--generate", path, "--tag", tag], check=True)
        print(f"generated {path} ({args.rows} rows) in {time.monotonic() - started:.1f} s")
    return path


def setup(env, stamp):
    from odoo import Command

    def user(login, group):
        return env["res.users"].create({
            "name": login, "login": f"{login}_{stamp}", "email": f"{login}_{stamp}@example.com",
            "groups_id": [Command.set([env.ref("base.group_user").id,
                                       env.ref(f"crm_event_products.{group}").id])],
        })
    event = env["event.event"].create({
        "name": f"Bench Conference {stamp}",
        "date_begin": "2030-01-01 09:00:00", "date_end": "2030-01-02 18:00:00"})
    researcher = user("bench_jre", "group_email_jre")
    leader = user("bench_stl", "group_phone_stl")
    reps = env["res.users"]
    for index in range(4):
        reps |= user(f"bench_se{index}", "group_phone_se")
    env["crm.product.assignment"].create([
        {"product_id": event.id, "user_id": member.id} for member in researcher | leader | reps])
    env["crm.team"].create({"name": f"Bench Team {stamp}", "user_id": leader.id,
                            "member_ids": [Command.set(reps.ids)]})
    campaign = env["utm.campaign"].create({
        "name": f"Bench campaign {stamp}", "event_id": event.id, "manager_id": leader.id,
        "rep_ids": [Command.set(reps.ids)]})
    return event, researcher, leader, campaign


def run_import(registry, user_id, data, filename, values, profile=False):
    import odoo
    from odoo import api

    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.monotonic()
    with registry.cursor() as cr:
        env = api.Environment(cr, user_id, {})
        wizard = env["crm.campaign.import.wizard"].create(dict({
            "file": base64.b64encode(data), "file_name": filename}, **values))
        wizard.action_read_columns()
        wizard.action_import()  # large file: queued
        job_id = env["crm.campaign.import.job"].search(
            [("user_id", "=", user_id)], order="id desc", limit=1).id
        cr.commit()
        sudo_env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        Job = sudo_env["crm.campaign.import.job"]
        # the scheduled action's method, as the scheduler runs it
        Job.with_context(crm_campaign_import_commit=True)._cron_process_jobs()
        cr.commit()
        job = Job.browse(job_id)
        job.invalidate_recordset()
        result = {name: job[name] for name in (
            "state", "count_read", "count_imported", "count_duplicate", "count_invalid",
            "count_leads", "count_assigned", "duration", "log")}
    result["elapsed"] = time.monotonic() - started
    if profiler:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
    return result


def run_anchor(registry, user_id, rows, event_id):
    """Odoo's own import (base_import, as the Import button of the list does) of
    ``rows`` rows into crm.lead, as ``user_id``; rolled back."""
    from odoo import api

    with registry.cursor() as cr:
        env = api.Environment(cr, user_id, {})
        data = anchor_csv(rows, env["event.event"].browse(event_id).name)
        importer = env["base_import.import"].create({
            "res_model": "crm.lead", "file": data, "file_name": "anchor.csv",
            "file_type": "text/csv"})
        options = {"quoting": '"', "separator": ",", "has_headers": True,
                   "encoding": "utf-8", "date_format": "", "datetime_format": "",
                   "float_thousand_separator": ",", "float_decimal_separator": "."}
        started = time.monotonic()
        result = importer.execute_import(
            ["name", "email_from", "phone", "partner_name", "city", "event_id"],
            ["Name", "Email", "Phone", "Company", "City", "Conference"], options)
        elapsed = time.monotonic() - started
        errors = [m for m in result.get("messages", []) if m.get("type") == "error"]
        cr.rollback()
    return elapsed, len(result.get("ids") or []), errors


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--rows", type=int, default=100000)
    parser.add_argument("--anchor-rows", type=int, default=5000)
    parser.add_argument("--addons-path", default=ADDONS_PATH)
    parser.add_argument("--db-host", default=os.environ.get("PGHOST", "127.0.0.1"))
    parser.add_argument("--db-user", default=os.environ.get("PGUSER", "root"))
    parser.add_argument("--init", action="store_true",
                        help="create the database with crm_campaign_mgmt (no demo data)")
    parser.add_argument("--skip", choices=["leads", "targets"], action="append", default=[])
    parser.add_argument("--profile", action="store_true",
                        help="print where the time goes (cProfile, slows the run)")
    parser.add_argument("--lanes", type=int,
                        help="batches written at once by the job (crm_campaign_mgmt.import_lanes; "
                        "default: the database's setting, 2 when unset; 1: one after the other)")
    parser.add_argument("--generate", help=argparse.SUPPRESS)
    parser.add_argument("--tag", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.generate:
        generate(args.generate, args.rows, args.tag)
        return
    if args.init:
        subprocess.run([sys.executable, "-m", "odoo", "-d", args.database,
                        f"--addons-path={args.addons_path}", f"--db_host={args.db_host}",
                        f"--db_user={args.db_user}", "-i", "crm_campaign_mgmt",
                        "--without-demo=all", "--stop-after-init", "--log-level=warn"],
                       check=True)
        return
    lead_file = ensure_file(args, "")
    target_file = ensure_file(args, "t")

    import odoo
    from odoo import api
    from odoo.tools import config

    config.parse_config([
        f"--addons-path={args.addons_path}", f"--db_host={args.db_host}",
        f"--db_user={args.db_user}", "-d", args.database, "--log-level=warn",
    ])
    odoo.service.server.load_server_wide_modules()
    registry = odoo.modules.registry.Registry(args.database)
    Job = registry["crm.campaign.import.job"]
    Lead = registry["crm.lead"]
    timers = Timers()
    timers.wrap(Job, "_import_table", "import")
    timers.wrap(Lead, "_bulk_create", "leads")
    timers.wrap(Job, "_assign_phase", "assign")
    timers.wrap(Job, "_insert_targets", "targets")
    timers.wrap(Job, "_targets_to_leads", "to_leads")
    baseline = current_rss_mb()
    print(f"process RSS with the registry loaded: {baseline:.0f} MB; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")

    stamp = f"{time.time():.0f}"
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        event, researcher, leader, campaign = setup(env, stamp)
        ids = event.id, researcher.id, leader.id, campaign.id
        params = env["ir.config_parameter"]
        if args.lanes is not None:
            params.set_param("crm_campaign_mgmt.import_lanes", str(args.lanes))
        lanes = params.get_param("crm_campaign_mgmt.import_lanes") or "2 (default)"
        overlapped = int(lanes.split()[0]) >= 2
        print(f"lanes (batches written at once): {lanes}; phase times below are summed over "
              "the lanes when there are 2")
        cr.commit()
    event_id, researcher_id, leader_id, campaign_id = ids

    figures = {}
    if "leads" not in args.skip:
        with open(lead_file, "rb") as stream:
            data = stream.read()
        timers.reset()
        cpu = cpu_seconds()
        result = run_import(registry, researcher_id, data, os.path.basename(lead_file),
                            {"import_type": "leads", "event_id": event_id}, args.profile)
        report("Import leads (researcher)", result, timers.seconds, cpu_seconds() - cpu,
               overlapped)
        report_batches(timers)
        figures["leads"] = result
    if "targets" not in args.skip:
        with open(target_file, "rb") as stream:
            data = stream.read()
        timers.reset()
        cpu = cpu_seconds()
        result = run_import(registry, leader_id, data, os.path.basename(target_file),
                            {"import_type": "targets", "campaign_id": campaign_id,
                             "event_id": event_id, "assign_leads": True}, args.profile)
        report("Import campaign targets, convert and assign (team leader)", result,
               timers.seconds, cpu_seconds() - cpu, overlapped)
        report_batches(timers)
        figures["targets"] = result
    print(f"\npeak RSS of the process: {peak_rss_mb():.0f} MB (baseline {baseline:.0f} MB)")

    elapsed, created, errors = run_anchor(registry, researcher_id, args.anchor_rows, event_id)
    anchor_rate = created / elapsed if elapsed else 0
    print(f"\nanchor: Odoo base_import of {args.anchor_rows} rows into crm.lead as the "
          f"researcher: {created} leads in {elapsed:.1f} s = {anchor_rate:.0f} leads/s"
          + (f" ({len(errors)} errors: {errors[0].get('message', '')[:200]})" if errors else ""))
    for key, result in figures.items():
        rate = result["count_leads"] / result["elapsed"] if result["elapsed"] else 0
        if anchor_rate:
            print(f"ratio, {key} end to end / base_import: {rate / anchor_rate:.1f}x")


def report_batches(timers):
    figures = timers.early_late("leads")
    if figures:
        print(f"   lead batches (_bulk_create of 1,000): first 10 {figures[0]:.0f} ms each, "
              f"last 10 {figures[1]:.0f} ms each")


def report(label, result, seconds, cpu, overlapped=False):
    """The job's time split by phase (wall time of the patched methods; with lanes, the
    lead, target and assignment times are summed over the lanes and overlap the
    reading: the reading's own time is then not shown)."""
    print(f"\n== {label}: state {result['state']}")
    print(f"   rows read {result['count_read']}, imported {result['count_imported']}, "
          f"duplicates {result['count_duplicate']}, invalid {result['count_invalid']}, "
          f"leads created {result['count_leads']}, assigned {result['count_assigned']}")
    if result["state"] != "done":
        print(f"   log: {result['log']}")
    read, leads, assigned = result["count_read"], result["count_leads"], result["count_assigned"]
    import_s = seconds.get("import", 0.0)
    leads_s = seconds.get("leads", 0.0)
    targets_s = seconds.get("targets", 0.0)
    # _targets_to_leads = lead creation + linking the targets + writing the assignments
    assign_s = max(seconds.get("to_leads", 0.0) - leads_s, 0.0) + seconds.get("assign", 0.0)
    reading_s = max(import_s - leads_s - targets_s - assign_s, 0.0)

    def rate(count, spent):
        return f"{spent:.1f} s = {count / spent if spent else 0:.0f}/s"

    if overlapped:
        print("   import (read, check, dedupe): overlapped with the lanes' writing")
    else:
        print(f"   import (read, check, dedupe): {rate(read, reading_s)} rows")
    if targets_s:
        print(f"   targets written: {rate(result['count_imported'], targets_s)}")
    print(f"   lead creation (crm.lead._bulk_create): {rate(leads, leads_s)} leads")
    if assigned:
        print(f"   assignment (targets linked, assignments written): {rate(assigned, assign_s)}")
    elapsed = result["elapsed"]
    print(f"   end to end (upload, mapping, queue, job): {rate(leads, elapsed)} leads "
          f"({read / elapsed if elapsed else 0:.0f} rows/s); CPU of this process {cpu:.1f} s")
    print(f"   peak RSS so far: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
