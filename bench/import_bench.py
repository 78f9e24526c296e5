#!/usr/bin/env python3
"""Benchmark of the campaign target import (crm_campaign_mgmt) in real Odoo.

Generates an .xlsx of N rows (default 100,000; shared strings, as Excel
writes them; a few invalid and duplicate rows; sensitive columns), then, on a
database where ``crm_campaign_mgmt`` is installed, runs the import end to end
the way a user does: the wizard reads the header and guesses the mapping, the
job is queued and the scheduled action's method imports it (as the uploading
user, ``--login``, default admin; committing per batch). Prints rows/s and the
peak memory of the process.

    python3 bench/import_bench.py -d imp_bench [--rows 100000] [--reimport] [--keep]

The file is generated in a child process so its memory does not count.
Created records are deleted at the end unless ``--keep``.
"""

import argparse
import base64
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc

HEADER = ["First Name", "Last Name", "Email", "Mobile", "Company", "Designation", "Address",
          "City", "State", "Country", "Industry", "Platform", "No. of Employees", "SSN",
          "Date of Birth", "Annual Turnover", "Notes"]
STATES = [("Pune", "Maharashtra"), ("Kolkata", "West Bengal"), ("Bengaluru", "Karnataka"),
          ("Gurugram", "Haryana"), ("Chennai", "Tamil Nadu"), ("Ahmedabad", "Gujarat")]
PLATFORMS = ["IndiaMart", "LinkedIn", "TradeIndia", "Website"]


def generate(path, rows):
    import xlsxwriter

    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Targets")
    ws.write_row(0, 0, HEADER)
    for i in range(rows):
        city, state = STATES[i % len(STATES)]
        email = f"person{i}@company{i % 997}.example.com"
        phone = f"9{(800000000 + i * 7) % 1000000000:09d}"
        if i % 500 == 7:
            email = f"broken{i}.example.com"  # invalid
        if i % 500 == 11:
            phone = "12345"  # invalid
        if i % 1000 == 13 and i > 20:
            email = f"person{i - 10}@company{(i - 10) % 997}.example.com"  # duplicate
        ws.write_row(i + 1, 0, [
            f"First{i}", f"Last{i}", email, phone, f"Company {i % 997} Pvt Ltd",
            "Purchase Manager", f"{i % 300} Industrial Area", city, state, "India",
            "Chemicals", PLATFORMS[i % len(PLATFORMS)], (i % 20) * 60 + 5,
            f"{i % 900 + 100}-{i % 90 + 10}-{i % 9000 + 1000}", "1985-04-12",
            1000000 * (i % 500 + 1), f"note {i}",
        ])
    wb.close()


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--rows", type=int, default=100000)
    parser.add_argument("--addons-path",
                        default="/opt/odoo18/addons,/opt/odoo18/odoo/addons,"
                        + os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parser.add_argument("--db-host", default=os.environ.get("PGHOST", "127.0.0.1"))
    parser.add_argument("--db-user", default=os.environ.get("PGUSER", "root"))
    parser.add_argument("--file", help="use this file instead of generating one")
    parser.add_argument("--reimport", action="store_true",
                        help="import the same file a second time (all duplicates)")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also report the Python allocation peak (slows the run)")
    parser.add_argument("--keep", action="store_true", help="keep the imported targets")
    parser.add_argument("--login", default="admin",
                        help="the user who uploads the file (the import runs as this user)")
    parser.add_argument("--generate", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.generate:
        generate(args.generate, args.rows)
        return

    path = args.file
    if not path:
        path = os.path.join(tempfile.gettempdir(), f"imp_bench_{args.rows}.xlsx")
        if not os.path.exists(path):
            started = time.monotonic()
            subprocess.run([sys.executable, __file__, "-d", args.database, "--rows",
                            str(args.rows), "--generate", path], check=True)
            print(f"generated {path} ({args.rows} rows) in {time.monotonic() - started:.1f} s")
    size_mb = os.path.getsize(path) / 1024 / 1024

    import odoo
    from odoo import api
    from odoo.tools import config

    config.parse_config([
        f"--addons-path={args.addons_path}", f"--db_host={args.db_host}",
        f"--db_user={args.db_user}", "-d", args.database, "--log-level=warn",
    ])
    odoo.service.server.load_server_wide_modules()
    registry = odoo.modules.registry.Registry(args.database)
    baseline = current_rss_mb()
    print(f"file {os.path.basename(path)}: {size_mb:.1f} MB; "
          f"process RSS with the registry loaded: {baseline:.0f} MB")

    with open(path, "rb") as stream:
        data = stream.read()
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        event = env["event.event"].create({
            "name": f"Bench Conference {time.time():.0f}",
            "date_begin": "2030-01-01 09:00:00", "date_end": "2030-01-02 18:00:00"})
        campaign = env["utm.campaign"].create({"name": "Bench campaign",
                                               "event_id": event.id})
        user = env["res.users"].search([("login", "=", args.login)])
        if not user:
            parser.error(f"no user {args.login!r}")
        cr.commit()
        event_id, campaign_id, user_id = event.id, campaign.id, user.id

    runs = [("import", True)] + ([("re-import", False)] if args.reimport else [])
    job_ids = []
    for label, _first in runs:
        if args.tracemalloc:
            tracemalloc.start()
        started = time.monotonic()
        cpu_started = cpu_seconds()
        with registry.cursor() as cr:
            env = api.Environment(cr, user_id, {})
            wizard = env["crm.campaign.import.wizard"].create({
                "campaign_id": campaign_id,
                "event_id": event_id,
                "file": base64.b64encode(data),
                "file_name": os.path.basename(path),
            })
            wizard.action_read_columns()
            wizard.action_import()  # large file: queued
            job = env["crm.campaign.import.job"].search([], order="id desc", limit=1)
            job_ids.append(job.id)
            cr.commit()
            # the scheduled action's method, as the scheduler runs it (superuser)
            Job = env["crm.campaign.import.job"].sudo()
            Job.with_context(crm_campaign_import_commit=True)._cron_process_jobs()
            cr.commit()
            job = job.sudo()
            job.invalidate_recordset()
            elapsed = time.monotonic() - started
            cpu = cpu_seconds() - cpu_started
            print(f"\n[{label}] state={job.state} read={job.count_read} "
                  f"imported={job.count_imported} duplicates={job.count_duplicate} "
                  f"invalid={job.count_invalid} error_file={job.error_file_name or '-'}")
            if job.state == "failed":
                print(f"[{label}] {job.log}")
            print(f"[{label}] job run: {job.duration:.1f} s = {job.rows_per_second:.0f} rows/s; "
                  f"end to end (upload, mapping, queue, import): {elapsed:.1f} s = "
                  f"{job.count_read / elapsed:.0f} rows/s")
            print(f"[{label}] CPU time of the Odoo process: {cpu:.1f} s = "
                  f"{job.count_read / cpu:.0f} rows per CPU second "
                  f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
        print(f"[{label}] peak RSS of the process: {rss_mb():.0f} MB "
              f"(baseline {baseline:.0f} MB)")
        if args.tracemalloc:
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(f"[{label}] peak Python allocations (tracemalloc): {peak / 1024 / 1024:.0f} MB")

    if not args.keep:
        with registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {})
            cr.execute("DELETE FROM crm_campaign_target WHERE campaign_id = %s", [campaign_id])
            env["crm.campaign.import.job"].browse(job_ids).unlink()
            env["utm.campaign"].browse(campaign_id).unlink()
            env["event.event"].browse(event_id).unlink()
            cr.commit()


if __name__ == "__main__":
    main()
