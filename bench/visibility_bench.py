#!/usr/bin/env python3
"""Lead visibility at scale: each role's lead list and kanban, as the web client asks for them, at 1M leads.

Usage (Odoo 18 importable by python3, PostgreSQL reachable)::

    python3 bench/visibility_bench.py --db bench_visibility --leads 1000000

The database is created with the suite's addons (``--addons``, default: every addon that adds
to the lead views or rules) and their demo data if it does not exist; leads are then
bulk-inserted with COPY (spread over the demo products, departments, teams and users) until the
database holds ``--leads`` conference leads. For every demo role (logins in README.md) the
script times, as that user and so through the record rules:

- ``list``: the first page of the lead list of the role's department menu, as the web client
  asks for it: ``web_search_read`` with the fields of the list view the action opens (as
  ``get_views`` returns it to that user), limit 80, the action's domain and default order,
  ``count_limit`` 10,001; every column is asked, optional ones too (hidden or not), and a
  relational field that is always invisible without its co-records' fields (``fields_spec``);
- ``kanban``: the action's kanban grouped by stage: ``web_read_group`` by ``stage_id`` with the
  kanban's aggregates, ``read_progress_bar``, then the first 40 records of each open column
  (at most 10) with ``web_search_read``, which is what the web client sends; ``rg`` is the
  ``web_read_group`` alone;
- the former figures: ``search_count`` (unbounded), ``search`` limit 80 and ``_read_group`` by
  stage.

Each figure is the median of ``--repeat`` runs with a cold ORM cache (PostgreSQL's is warm).
It prints one line per role, then the maximum of each column, and the load average (the
figures are wall times: on a loaded machine they grow with it; ``cpu:l`` and ``cpu:k`` are the
Odoo process's own CPU time for the list and the kanban, PostgreSQL's not included). ``--no-rollup`` measures the
same calls with the leads counted and grouped by scanning ``crm_lead`` instead of
``crm_lead_rollup`` (context ``crm_lead_rollup=False``), i.e. the figures before it, under the
same load. ``--addons-dir`` points at another copy of the suite (e.g. a ``git archive`` of a
commit while the working tree is being edited).
"""

import argparse
import ast
import io
import os
import random
import statistics
import subprocess
import sys
import time

ROLES = "p sp pm spm pd jre sre jme sme mm hm se sse stl asm sm crmadmin".split()
SUITE_ADDONS = "crm_event_products,crm_campaign_mgmt,crm_campaign_mail,crm_mailwizz,crm_yealink,crm_event_editions"
# the lead menu each department opens (README: one app per department); no department: Production's
DEPARTMENT_ACTIONS = {
    "production": "crm_event_products.action_production_leads",
    "email_sales": "crm_event_products.action_email_sales_leads",
    "phone_sales": "crm_event_products.action_phone_sales_leads",
}
LIST_LIMIT = 80  # web client: DEFAULT_LIMIT
KANBAN_LIMIT = 40  # kanban controller: records per column
COUNT_LIMIT = 10_000 + 1  # web client: DEFAULT_COUNT_LIMIT + 1
MAX_OPEN_GROUPS = 10  # web client: MAX_NUMBER_OPENED_GROUPS
# fields a widget reads besides its own (the widgets' ``fieldDependencies`` in the web client)
WIDGET_DEPENDENCIES = {
    "kanban_activity": ["activity_exception_decoration", "activity_exception_icon", "activity_state",
                        "activity_summary", "activity_type_icon", "activity_type_id"],
    "list_activity": ["activity_exception_decoration", "activity_exception_icon", "activity_state",
                      "activity_summary", "activity_type_icon", "activity_type_id"],
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="bench_visibility")
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--addons", default=SUITE_ADDONS, help="installed when the database is created")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--roles", default=",".join(ROLES))
    parser.add_argument("--addons-dir", help="folder of the suite's addons (default: this repository)")
    parser.add_argument("--no-rollup", action="store_true",
                        help="count the leads themselves instead of crm_lead_rollup (the figures before it)")
    parser.add_argument("--priority", type=int, default=0,
                        help="lower the nice value of this process and of its PostgreSQL backend by this much"
                        " (root, local server): figures close to an idle machine's on a shared, loaded one")
    parser.add_argument("--db-host", default=os.environ.get("PGHOST", "127.0.0.1"))
    parser.add_argument("--db-user", default=os.environ.get("PGUSER", "root"))
    return parser.parse_args()


def odoo_addons_path(args):
    import odoo  # noqa: PLC0415 - only once we know Odoo is wanted

    package = os.path.dirname(odoo.__file__)
    paths = [os.path.join(package, "addons"), os.path.join(os.path.dirname(package), "addons")]
    repo = args.addons_dir or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return ",".join([p for p in paths if os.path.isdir(p)] + [repo])


def ensure_database(args, addons_path):
    exists = subprocess.run(
        ["psql", "-h", args.db_host, "-U", args.db_user, "-lqt"],
        check=True, capture_output=True, text=True,
    ).stdout
    if any(line.split("|")[0].strip() == args.db for line in exists.splitlines()):
        return
    print(f"creating database {args.db} with {args.addons} and demo data...", flush=True)
    subprocess.run(
        [sys.executable, "-m", "odoo", f"--addons-path={addons_path}", f"--db_host={args.db_host}",
         f"--db_user={args.db_user}", "-d", args.db, "-i", args.addons,
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


def _options(node):
    try:
        return ast.literal_eval(node.get("options") or "{}")
    except (ValueError, SyntaxError):
        return {}


def _combine(mod1, mod2, operator):
    """The web client's ``combineModifiers`` (web/static/src/model/relational_model/utils.js)."""
    if operator == "AND":
        if not mod1 or mod1 == "False" or not mod2 or mod2 == "False":
            return "False"
        if mod1 == "True":
            return mod2
        return mod1 if mod2 == "True" else f"({mod1}) and ({mod2})"
    if "True" in (mod1, mod2):
        return "True"
    if not mod1 or mod1 == "False":
        return mod2
    return mod1 if not mod2 or mod2 == "False" else f"({mod1}) or ({mod2})"


def fields_spec(arch, fields, root_tag):
    """The ``specification`` the web client sends for a list or kanban arch (as ``getFieldsSpec``):
    every field node of the view itself (not of sub-views), many2one with their display name,
    many2many tags with their display name and color, other x2many as ids, widgets' dependencies.

    A field that is always invisible (``invisible="1"``, or ``column_invisible="1"`` in a list,
    on every node of that field) is asked without its co-records' fields: a many2one as its id,
    an x2many as ids. Odoo 18's web client: ``Field.parseFieldNode`` (views/fields/field.js)
    makes ``column_invisible="True"`` invisible; ``extractFieldsFromArchInfo``
    (model/relational_model/utils.js) ORs ``invisible`` and ``column_invisible`` of a node and
    ANDs the nodes of the same field and the widgets' dependencies (always visible);
    ``getFieldsSpec`` then asks an always invisible (``"True"`` or ``"1"``) many2one with
    ``fields: {}`` and an x2many without sub-fields. Optional columns, hidden or not, are all
    asked (the list renderer hides them: ``toggleOptionalField`` only re-renders)."""
    from lxml import etree  # noqa: PLC0415

    root = etree.fromstring(arch)
    spec, invisible = {}, {}
    for node in root.iter("field"):
        ancestor = node.getparent()
        while ancestor is not None and ancestor.tag not in ("list", "kanban", "form"):
            ancestor = ancestor.getparent()
        name = node.get("name")
        if ancestor is not root or name not in fields:
            continue
        node_invisible = node.get("invisible")
        if node.get("column_invisible") == "True":
            node_invisible = "True"
        node_invisible = _combine(node_invisible, node.get("column_invisible"), "OR") or "False"
        invisible[name] = _combine(invisible[name], node_invisible, "AND") if name in invisible else node_invisible
        ftype = fields[name]["type"]
        if ftype == "many2one":
            spec[name] = {"fields": {"display_name": {}}}
        elif ftype in ("many2many", "one2many") and node.get("widget") == "many2many_tags":
            sub = {"display_name": {}}
            if _options(node).get("color_field"):
                sub[_options(node)["color_field"]] = {}
            spec[name] = {"fields": sub}
        else:
            spec.setdefault(name, {})
        for dep in WIDGET_DEPENDENCIES.get(node.get("widget"), ()):
            if dep in fields:
                spec.setdefault(dep, {"fields": {"display_name": {}}} if fields[dep]["type"] == "many2one" else {})
                invisible[dep] = "False"
    for name, value in invisible.items():
        if value in ("True", "1") and fields[name]["type"] in ("many2one", "many2many", "one2many"):
            spec[name] = {"fields": {}} if fields[name]["type"] == "many2one" else {}
    if root_tag == "kanban":
        progressbar = root.find("progressbar")
        if progressbar is not None:
            spec.setdefault(progressbar.get("field"), {})
    return spec, root


def client_calls(env, user, context):
    """What the web client sends for the user's lead menu: list spec, kanban spec, domain, order..."""
    from odoo.tools.safe_eval import safe_eval  # noqa: PLC0415

    xmlid = DEPARTMENT_ACTIONS.get(user.crm_department_id.code, DEPARTMENT_ACTIONS["production"])
    action = env.ref(xmlid).sudo()
    eval_ctx = {"uid": user.id, "user": user, "context_today": None}
    context = {**safe_eval(action.context or "{}", eval_ctx), **context}
    domain = safe_eval(action.domain or "[]", eval_ctx)
    Lead = env["crm.lead"].with_user(user).with_context(**context)
    views = [[vid or False, mode] for vid, mode in action.views if mode in ("list", "kanban")]
    result = Lead.get_views(views)
    fields = Lead.fields_get(attributes=["type", "aggregator"])
    calls = {"Lead": Lead, "domain": domain}
    for mode in ("list", "kanban"):
        spec, root = fields_spec(result["views"][mode]["arch"], fields, mode)
        calls[mode] = {
            "spec": spec,
            "order": root.get("default_order") or None,
            "group_by": root.get("default_group_by"),
            "progressbar": root.find("progressbar"),
        }
        calls[mode]["aggregates"] = [
            f"{name}:{fields[name]['aggregator']}" for name in spec if fields[name].get("aggregator")
        ]
    return calls


def list_page(calls):
    lst = calls["list"]
    return calls["Lead"].web_search_read(
        calls["domain"], lst["spec"], limit=LIST_LIMIT, order=lst["order"], count_limit=COUNT_LIMIT
    )


def kanban_read_group(calls):
    kanban = calls["kanban"]
    return calls["Lead"].web_read_group(
        calls["domain"], kanban["aggregates"], [kanban["group_by"] or "stage_id"],
        orderby=kanban["order"] or False, lazy=True,
    )


def kanban(calls):
    """web_read_group, the progress bar, then each open column's first records."""
    Lead, kanban = calls["Lead"], calls["kanban"]
    group_by = kanban["group_by"] or "stage_id"
    result = kanban_read_group(calls)
    bar = kanban["progressbar"]
    if bar is not None:
        Lead.read_progress_bar(calls["domain"], group_by, {
            "field": bar.get("field"), "colors": ast.literal_eval(bar.get("colors") or "{}"),
        })
    opened = [g for g in result["groups"] if not g.get("__fold") and g[group_by]][:MAX_OPEN_GROUPS]
    records = 0
    for group in opened:
        if group[f"{group_by}_count"]:
            page = Lead.web_search_read(
                group["__domain"], kanban["spec"], limit=KANBAN_LIMIT, order=kanban["order"],
                count_limit=COUNT_LIMIT,
            )
            records += len(page["records"])
    return result["length"], records


def timed(env, func, repeat):
    """Median wall time in ms over ``repeat`` runs, each with a cold ORM cache (the Odoo
    process's CPU time of those runs, in ms, is kept in ``CPU_MS``)."""
    times, cpu = [], []
    for _i in range(repeat):
        env.invalidate_all()
        started, cpu_started = time.perf_counter(), time.process_time()
        result = func()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    CPU_MS.append(statistics.median(cpu))
    return result, statistics.median(times)


CPU_MS = []


def main():
    args = parse_args()
    addons_path = odoo_addons_path(args)
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
        if args.priority:
            cr.execute("SELECT pg_backend_pid()")
            for pid in (os.getpid(), cr.fetchone()[0]):
                os.setpriority(os.PRIO_PROCESS, pid, os.getpriority(os.PRIO_PROCESS, pid) - args.priority)
        rate = fill_leads(env, args.leads)
        if rate:
            print(f"inserted leads at {rate:,.0f} rows/s")
        cr.execute("SELECT count(*) FROM crm_lead")
        print(f"crm_lead rows: {cr.fetchone()[0]:,}; median of {args.repeat} runs, ms;"
              f" load average {os.getloadavg()[0]:.1f}" + (" (no roll-up)" if args.no_rollup else "")
              + (f", priority +{args.priority}" if args.priority else ""))
        header = ("role", "visible", "list", "kanban", "rg", "cols", "count", "search", "group", "cpu:l", "cpu:k")
        print(f"{header[0]:9} {header[1]:>9} " + " ".join(f"{h:>7}" for h in header[2:]))
        rows = []
        for login in args.roles.split(","):
            user = env["res.users"].search([("login", "=", login)])
            if not user:
                continue
            calls = client_calls(env, user, {"crm_lead_rollup": False} if args.no_rollup else {})
            Lead = calls["Lead"]
            list_page(calls)
            kanban(calls)  # warm the rule and view caches
            _page, list_ms = timed(env, lambda calls=calls: list_page(calls), args.repeat)
            list_cpu = CPU_MS[-1]
            (_ngroups, _nrec), kanban_ms = timed(env, lambda calls=calls: kanban(calls), args.repeat)
            kanban_cpu = CPU_MS[-1]
            groups, rg_ms = timed(env, lambda calls=calls: kanban_read_group(calls), args.repeat)
            count, count_ms = timed(env, lambda Lead=Lead: Lead.search_count([]), args.repeat)
            _ids, search_ms = timed(env, lambda Lead=Lead: Lead.search([], limit=80).ids, args.repeat)
            _groups, group_ms = timed(
                env, lambda Lead=Lead: Lead._read_group([], ["stage_id"], ["__count"]), args.repeat
            )
            figures = (list_ms, kanban_ms, rg_ms, groups["length"], count_ms, search_ms, group_ms, list_cpu, kanban_cpu)
            rows.append(figures)
            print(f"{login:9} {count:>9,} " + " ".join(f"{f:>7.1f}" for f in figures), flush=True)
        if rows:
            print(f"{'max':9} {'':>9} " + " ".join(f"{max(col):>7.1f}" for col in zip(*rows)))
            print(f"load average at the end: {os.getloadavg()[0]:.1f}")
        cr.rollback()


if __name__ == "__main__":
    main()
