#!/usr/bin/env python3
"""The attribution pivot only (as ``time_attribution`` of dashboard_bench.py, whose
functions it reuses) on an existing bench database: no data generated, nothing committed.

Usage::

    python3 bench/attribution_bench.py --db bench_dashboard [--repeat 3] [--view]
        [--save figures.json | --compare figures.json] [--profile]

Per role and grouping: the server time of the pivot's ``read_group`` (median of
``--repeat``), of Odoo's own ``crm.lead`` grouped read on the same grouping, and with
``--view`` of the view's lead rows (``attribution_from_view``, figures compared). The
figures can be saved and compared with a later run (another version of the code).
"""
# pylint: disable=print-used

import argparse
import cProfile
import json
import os
import pstats
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dashboard_bench as bench  # noqa: E402


def figures(groups, groupby):
    return sorted(
        [[str(group[spec]) for spec in groupby], [round(group[m] or 0, 2) for m in bench.ATTRIBUTION_MEASURES]]
        for group in groups
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="bench_dashboard")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--roles", default=",".join(bench.ROLES))
    parser.add_argument("--view", action="store_true", help="time and compare the view's path")
    parser.add_argument("--save", help="write the figures to this JSON file")
    parser.add_argument("--compare", help="compare the figures with this JSON file")
    parser.add_argument("--profile", action="store_true", help="cProfile of each read_group")
    args = parser.parse_args()

    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    odoo.tools.config.parse_config(
        [f"--addons-path={bench.odoo_addons_path()}", "--db_host=127.0.0.1", "--db_user=root", "--log-level=warn"]
    )
    registry = Registry(args.db)
    saved = {}
    expected = json.load(open(args.compare)) if args.compare else {}
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        if hasattr(env["crm.lead"], "_attribution_rollup_init"):
            # the roll-up of the code measured (rolled back with the rest)
            _result, elapsed = bench.timed(env["crm.lead"]._attribution_rollup_init)
            cr.execute("SELECT count(*) FROM crm_lead_attribution_rollup")
            print(f"attribution roll-up: {cr.fetchone()[0]:,} rows, ready in {elapsed:.0f} ms")
            cr.execute("ANALYZE crm_lead_attribution_rollup")
        users = {login: env["res.users"].search([("login", "=", login)]) for login in args.roles.split(",")}
        print("load average: %.2f %.2f %.2f" % os.getloadavg())
        print(f"{'role':6} {'grouping':18} {'new':>8} {'view':>8} {'crm.lead':>9} same")
        for login, user in users.items():
            Report = env["crm.attribution.report"].with_user(user)
            Lead = env["crm.lead"].with_user(user).with_context(active_test=False)
            for name, groupby in bench.ATTRIBUTION_GROUPINGS.items():

                def new(Report=Report, groupby=groupby):
                    return Report.read_group([], bench.ATTRIBUTION_MEASURES, groupby, lazy=False)

                def view(Report=Report, groupby=groupby):
                    return Report.with_context(attribution_from_view=True).read_group(
                        [], bench.ATTRIBUTION_MEASURES, groupby, lazy=False
                    )

                lead_groupby = [spec.replace("date:", "create_date:") for spec in groupby]
                new_ms = bench.median_ms(new, args.repeat, env)
                lead_ms = bench.median_ms(
                    lambda Lead=Lead, lead_groupby=lead_groupby: Lead.read_group(
                        [], ["expected_revenue:sum"], lead_groupby, lazy=False
                    ),
                    args.repeat,
                    env,
                )
                result = figures(new(), groupby)
                saved[f"{login} {name}"] = result
                same = []
                view_ms = "-"
                if args.view:
                    view_ms = f"{bench.median_ms(view, 1, env):.1f}"
                    same.append("view " + ("yes" if figures(view(), groupby) == result else "NO"))
                if expected:
                    same.append("saved " + ("yes" if expected.get(f"{login} {name}") == result else "NO"))
                print(f"{login:6} {name:18} {new_ms:8.1f} {view_ms:>8} {lead_ms:9.1f} {', '.join(same)}", flush=True)
                if args.profile:
                    env.invalidate_all()
                    profiler = cProfile.Profile()
                    profiler.enable()
                    new()
                    profiler.disable()
                    pstats.Stats(profiler).sort_stats("cumulative").print_stats(20)
        print("load average: %.2f %.2f %.2f" % os.getloadavg())
        cr.rollback()
    if args.save:
        with open(args.save, "w") as file:
            json.dump(saved, file)


if __name__ == "__main__":
    main()
