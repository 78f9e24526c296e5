#!/usr/bin/env python3
"""Run the Odoo tests of the suite addons on a fresh database (standard library only).

What it does:

1. discovers the suite addons: folders at the repository root (and under ``addons/``) that
   hold a ``__manifest__.py`` whose ``installable`` is not False;
2. makes sure PostgreSQL answers (PGHOST / PGPORT / PGUSER / PGPASSWORD, defaults
   127.0.0.1 / 5432 / root), starting the local cluster with ``pg_ctlcluster`` if it does not;
3. runs ``python3 -m odoo -d suite_test_<timestamp> -i <addons> --test-enable
   --test-tags /<addon>,... --stop-after-init --log-level=test`` with demo data; Odoo creates
   the database itself (as it does for any missing database given with ``-d``);
4. streams the log to a file and (filtered, unless --verbose) to stdout;
5. reads the log: the run fails on any ERROR or CRITICAL line, any ``FAIL:`` / ``ERROR:`` test
   marker, a final ``N failed, N error(s) of N tests`` report with failures, a non-zero exit
   code, no final report at all, zero tests, or tours skipped for want of a browser;
6. prints ``odoo: N passed, N failed`` and drops the database (unless --keep-db).

Exit status: 0 all green, 1 tests or log failed, 2 the run could not be set up.
"""
# pylint: disable=print-used
# (a command-line tool: it reports on stdout)

from __future__ import annotations

import argparse
import ast
import contextlib
import datetime
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
EXTRA_ADDONS_ENV = "SUITE_EXTRA_ADDONS_PATH"

# 2025-01-31 12:00:00,123 4242 INFO dbname odoo.modules.loading: message
LOG_LINE_RE = re.compile(
    r"^(?P<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (?P<pid>\d+) (?P<level>[A-Z]+) "
    r"(?P<db>\S+) (?P<logger>[^\s:]+): (?P<message>.*)$"
)
# odoo/service/server.py: "<report> when loading database 'x'" where <report> is
# odoo/tests/result.py OdooTestResult.__str__ -> "N failed, N error(s) of N tests"
RESULT_RE = re.compile(
    r"(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<run>\d+) tests"
    r" when loading database"
)
# odoo/tests/result.py: logError("FAIL"|"ERROR", test, err) -> "FAIL: Class.test_x\n<traceback>"
TEST_MARKER_RE = re.compile(r"^(?P<kind>FAIL|ERROR): (?P<test>\S+)")
# odoo/tests/result.py addSkip -> "skipped Class.test_x : reason"
SKIP_RE = re.compile(r"^skipped (?P<test>.+?) : (?P<reason>.*)$")
# odoo/tests/result.py startTest -> logger odoo.addons.<addon>.tests.<file>: "Starting Class.test_x ..."
STARTING_RE = re.compile(r"^Starting \S+ \.\.\.$")
ADDON_LOGGER_RE = re.compile(r"^odoo\.addons\.(?P<addon>\w+)\.")
# Skips that mean the browser tests (tours) did not run at all.
BROWSER_SKIP_RE = re.compile(r"chrome|chromium|websocket-client|devtools", re.IGNORECASE)
BROWSER_MISSING_WARNING_RE = re.compile(r"websocket-client module is not installed")

LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}


# ---------------------------------------------------------------------------------------------
# addon discovery
# ---------------------------------------------------------------------------------------------
def read_manifest(manifest_path: Path) -> dict:
    """Return the manifest dict (literal_eval), raising ValueError when it is not a dict."""
    value = ast.literal_eval(manifest_path.read_text(encoding="utf-8"))
    if not isinstance(value, dict):
        raise ValueError(f"{manifest_path}: the manifest is not a dict")
    return value


def addon_dirs(root: Path) -> list[Path]:
    """Addon folders directly under ``root`` (installable or not), sorted by name."""
    if not root.is_dir():
        return []
    return sorted(path.parent for path in root.glob("*/__manifest__.py") if not path.parent.name.startswith((".", "_")))


def discover_addons(repo_root: Path, extra_paths: list[Path] | None = None) -> dict[str, Path]:
    """Installable addons of the suite: ``repo_root/*``, ``repo_root/addons/*`` and extra paths.

    Returns {addon name: addon folder}. A folder found twice keeps its first place.
    """
    roots = [repo_root, repo_root / "addons", *(extra_paths or [])]
    found: dict[str, Path] = {}
    for root in roots:
        for addon_dir in addon_dirs(root):
            manifest = read_manifest(addon_dir / "__manifest__.py")
            if not manifest.get("installable", True):
                continue
            found.setdefault(addon_dir.name, addon_dir)
    return found


def extra_addons_paths(cli_value: str | None) -> list[Path]:
    """Extra addons folders from --extra-addons-path and $SUITE_EXTRA_ADDONS_PATH."""
    raw = ",".join(v for v in (cli_value, os.environ.get(EXTRA_ADDONS_ENV)) if v)
    return [Path(p).resolve() for p in re.split(r"[,:]", raw) if p.strip()]


def odoo_addons_paths() -> list[Path]:
    """Odoo's own addons folders, derived from the importable ``odoo`` package."""
    import odoo  # only here: the module must import without Odoo

    package_dir = Path(odoo.__file__).resolve().parent
    paths = [package_dir / "addons"]
    sibling = package_dir.parent / "addons"  # a source checkout: <src>/addons
    if sibling.is_dir() and (sibling / "web").is_dir():
        paths.insert(0, sibling)
    return [p for p in paths if p.is_dir()]


def suite_addons_paths(repo_root: Path, extra_paths: list[Path]) -> list[Path]:
    paths = [repo_root]
    if addon_dirs(repo_root / "addons"):
        paths.append(repo_root / "addons")
    paths.extend(p for p in extra_paths if p not in paths)
    return paths


# ---------------------------------------------------------------------------------------------
# log parsing
# ---------------------------------------------------------------------------------------------
@dataclass
class LogReport:
    tests_run: int = 0
    failures: int = 0
    errors: int = 0
    skipped: int = 0
    result_lines: int = 0
    error_lines: list[str] = field(default_factory=list)
    test_markers: list[str] = field(default_factory=list)
    browser_skips: list[str] = field(default_factory=list)
    per_addon: dict[str, int] = field(default_factory=dict)
    returncode: int | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return self.failures + self.errors

    @property
    def passed(self) -> int:
        return max(self.tests_run - self.failed - self.skipped, 0)


class LogParser:
    """Incremental parser of an Odoo 18 server log (format of odoo/netsvc.py)."""

    def __init__(self) -> None:
        self.report = LogReport()

    def feed(self, line: str) -> None:
        match = LOG_LINE_RE.match(line.rstrip("\n"))
        if not match:
            return
        level, logger = match["level"], match["logger"]
        message = match["message"].rstrip()  # odoo appends " %(perf_info)s"
        report = self.report
        result = RESULT_RE.search(message)
        if result and logger == "odoo.tests.result":
            report.result_lines += 1
            report.failures += int(result["failed"])
            report.errors += int(result["errors"])
            report.tests_run += int(result["run"])
        marker = TEST_MARKER_RE.match(message)
        if marker:
            report.test_markers.append(f"{marker['kind']}: {marker['test']}")
        if level in ("ERROR", "CRITICAL") and not (result and logger == "odoo.tests.result"):
            report.error_lines.append(f"{level} {logger}: {message}")
        skip = SKIP_RE.match(message)
        if skip:
            report.skipped += 1
            if BROWSER_SKIP_RE.search(skip["reason"]):
                report.browser_skips.append(f"{skip['test']}: {skip['reason']}")
        elif level == "WARNING" and BROWSER_MISSING_WARNING_RE.search(message):
            report.browser_skips.append(message)
        if STARTING_RE.match(message):
            addon = ADDON_LOGGER_RE.match(logger)
            if addon:
                report.per_addon[addon["addon"]] = report.per_addon.get(addon["addon"], 0) + 1

    def finish(self, returncode: int | None, allow_browser_skips: bool = False) -> LogReport:
        report = self.report
        report.returncode = returncode
        if returncode not in (0, None):
            report.problems.append(f"Odoo exited with status {returncode}")
        if report.error_lines:
            report.problems.append(f"{len(report.error_lines)} ERROR/CRITICAL log line(s)")
        if report.test_markers and not report.failed:
            report.problems.append(f"{len(report.test_markers)} FAIL:/ERROR: test marker(s)")
        if report.failed:
            report.problems.append(f"Odoo reports {report.failures} failed, {report.errors} error(s)")
        if not report.result_lines:
            report.problems.append(
                "no final 'N failed, N error(s) of N tests' report in the log"
                " (Odoo stopped before the end of the tests)"
            )
        elif not report.tests_run:
            report.problems.append("zero tests ran")
        if report.browser_skips and not allow_browser_skips:
            report.problems.append(
                "browser tests (tours) were skipped: install Debian's chromium and the"
                " websocket-client package (bash .ci/run does), or pass --allow-skipped-tours"
            )
        return report

    def failed_count(self) -> int:
        """Failures for the totals line: never 0 when the run failed for another reason."""
        report = self.report
        if report.failed:
            return report.failed
        return len(report.test_markers) or (1 if report.problems else 0)


def parse_log(lines, returncode=0, allow_browser_skips=False) -> LogReport:
    parser = LogParser()
    for line in lines:
        parser.feed(line)
    return parser.finish(returncode, allow_browser_skips)


def echo_filter(addons: list[str]):
    """Return a predicate choosing which log lines go to stdout when not --verbose."""
    own_loggers = tuple(f"odoo.addons.{name}" for name in addons)
    shown_loggers = ("odoo.tests", "odoo.service.server", *own_loggers)
    state = {"last_shown": False}

    def wanted(line: str) -> bool:
        match = LOG_LINE_RE.match(line.rstrip("\n"))
        if not match:  # traceback or other continuation: follow the line it belongs to
            return state["last_shown"]
        logger, message = match["logger"], match["message"]
        show = (
            match["level"] not in ("INFO", "DEBUG")
            or logger.startswith(shown_loggers)
            or (
                logger == "odoo.modules.loading"
                and ("modules loaded" in message.lower() or any(n in message for n in addons))
            )
        )
        state["last_shown"] = show
        return show

    return wanted


# ---------------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------------
@dataclass
class PgSettings:
    host: str
    port: str
    user: str
    password: str | None

    @classmethod
    def from_env(cls) -> PgSettings:
        return cls(
            host=os.environ.get("PGHOST") or "127.0.0.1",
            port=os.environ.get("PGPORT") or "5432",
            user=os.environ.get("PGUSER") or "root",
            password=os.environ.get("PGPASSWORD") or None,
        )

    def env(self) -> dict[str, str]:
        env = dict(os.environ, PGHOST=self.host, PGPORT=self.port, PGUSER=self.user)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env

    def odoo_args(self) -> list[str]:
        args = [f"--db_host={self.host}", f"--db_port={self.port}", f"--db_user={self.user}"]
        if self.password:
            args.append(f"--db_password={self.password}")
        return args


def pg_reachable(pg: PgSettings) -> bool:
    if shutil.which("pg_isready"):
        proc = subprocess.run(
            ["pg_isready", "-q", "-t", "3", "-d", "postgres"],
            env=pg.env(),
            check=False,
        )
        return proc.returncode == 0
    if pg.host.startswith("/"):
        return Path(pg.host, f".s.PGSQL.{pg.port}").exists()
    try:
        with socket.create_connection((pg.host, int(pg.port)), timeout=3):
            return True
    except OSError:
        return False


def ensure_postgres(pg: PgSettings) -> bool:
    """True when PostgreSQL answers; tries to start the local cluster once if it does not."""
    if pg_reachable(pg):
        return True
    local = pg.host in LOCAL_HOSTS or pg.host.startswith("/")
    conf_dir = Path("/etc/postgresql")
    if local and conf_dir.is_dir() and shutil.which("pg_ctlcluster"):
        for version in sorted(p.name for p in conf_dir.iterdir()):
            print(f"odoo_tests: PostgreSQL is not answering, starting cluster {version}/main")
            subprocess.run(
                ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
                check=False,
            )
        for _ in range(30):
            if pg_reachable(pg):
                return True
            time.sleep(1)
    return False


def pg_query(pg: PgSettings, sql: str) -> str:
    """Run one statement on the ``postgres`` database; return stdout (raise on error)."""
    if shutil.which("psql"):
        cmd = ["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d", "postgres", "-c", sql]
    else:  # no client tools: psycopg2 is there whenever Odoo is
        code = (
            "import os, sys, psycopg2\n"
            "cn = psycopg2.connect(dbname='postgres')\n"
            "cn.autocommit = True\n"
            "cr = cn.cursor()\n"
            "cr.execute(sys.argv[1])\n"
            "print('\\n'.join('|'.join(map(str, r)) for r in (cr.fetchall() if cr.description else [])))\n"
        )
        cmd = [sys.executable, "-c", code, sql]
    proc = subprocess.run(cmd, env=pg.env(), check=False, capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(proc.stderr.strip() or f"query failed: {sql}")
    return proc.stdout.strip()


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def database_exists(pg: PgSettings, name: str) -> bool:
    return bool(pg_query(pg, f"SELECT 1 FROM pg_database WHERE datname = {quote_literal(name)}"))


def drop_database(pg: PgSettings, name: str) -> None:
    try:
        pg_query(pg, f"DROP DATABASE IF EXISTS {quote_ident(name)} WITH (FORCE)")
    except RuntimeError:  # PostgreSQL < 13
        pg_query(pg, f"DROP DATABASE IF EXISTS {quote_ident(name)}")


# ---------------------------------------------------------------------------------------------
# running Odoo
# ---------------------------------------------------------------------------------------------
def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_command(
    addons: list[str],
    addons_path: list[Path],
    db_name: str,
    pg: PgSettings,
    http_port: int,
    data_dir: Path,
    config_file: Path,
    extra_args: list[str],
) -> list[str]:
    return [
        sys.executable,
        "-m",
        "odoo",
        f"--config={config_file}",
        f"--addons-path={','.join(str(p) for p in addons_path)}",
        *pg.odoo_args(),
        "-d",
        db_name,
        f"--db-filter=^{re.escape(db_name)}$",
        "-i",
        ",".join(addons),
        "--test-enable",
        "--test-tags",
        ",".join(f"/{name}" for name in addons),
        "--stop-after-init",
        "--log-level=test",
        f"--http-port={http_port}",
        "--http-interface=127.0.0.1",
        f"--data-dir={data_dir}",
        "--workers=0",
        "--max-cron-threads=0",
        "--without-demo=",
        *extra_args,
    ]


def run_odoo(cmd, log_path: Path, wanted, verbose: bool, timeout: int, parser: LogParser):
    """Run Odoo, tee its log into log_path and stdout; return the exit status."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.pop("ODOO_RC", None)
    env.pop("ODOO_PY_COLORS", None)
    deadline = time.monotonic() + timeout
    with (
        log_path.open("w", encoding="utf-8", buffering=1) as log,  # line by line: tail -f works
        tempfile.TemporaryDirectory(prefix="odoo_tests_cwd_") as cwd,
    ):
        proc = subprocess.Popen(
            cmd,
            cwd=cwd,  # not the repository: its folders must not shadow importable modules
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            errors="replace",
            bufsize=1,
            start_new_session=True,  # our own process group: chrome goes down with it
        )
        timed_out = False
        try:
            for line in proc.stdout:
                log.write(line)
                parser.feed(line)
                if verbose or wanted(line):
                    sys.stdout.write(line)
                    sys.stdout.flush()
                if time.monotonic() > deadline:
                    timed_out = True
                    break
        except KeyboardInterrupt:
            _kill_group(proc)
            raise
        if timed_out:
            print(f"odoo_tests: TIMEOUT after {timeout}s, stopping Odoo (pid {proc.pid})")
            _kill_group(proc)
            parser.report.problems.append(f"timed out after {timeout}s")
        return proc.wait()


def _kill_group(proc: subprocess.Popen) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=15)
            return
        except subprocess.TimeoutExpired:
            continue


# ---------------------------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------------------------
def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Install the suite addons on a fresh database and run their Odoo tests.",
        epilog="Arguments after '--' are passed to Odoo as they are.",
    )
    parser.add_argument("--addons", help="comma-separated addons to test (default: all)")
    parser.add_argument("--db", help="database name (default: suite_test_<timestamp>)")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database")
    parser.add_argument("--log-file", help="where to write the full Odoo log")
    parser.add_argument(
        "--extra-addons-path",
        help=f"more addons folders (comma-separated; also ${EXTRA_ADDONS_ENV}): "
        "their installable addons join the suite",
    )
    parser.add_argument("--http-port", type=int, help="default: a free port")
    parser.add_argument(
        "--timeout",
        type=int,
        default=int(os.environ.get("ODOO_TESTS_TIMEOUT", "3600")),
        help="stop Odoo after this many seconds (default 3600, $ODOO_TESTS_TIMEOUT)",
    )
    parser.add_argument("--verbose", action="store_true", help="echo every log line")
    parser.add_argument(
        "--allow-skipped-tours",
        action="store_true",
        help="do not fail when browser tests are skipped (no Chromium / websocket-client)",
    )
    own, _sep, odoo_extra = _split_double_dash(argv)
    args = parser.parse_args(own)
    args.odoo_extra = odoo_extra
    return args


def _split_double_dash(argv: list[str]):
    if "--" in argv:
        index = argv.index("--")
        return argv[:index], "--", argv[index + 1 :]
    return argv, "", []


def select_addons(found: dict[str, Path], wanted: str | None) -> list[str]:
    if not wanted:
        return sorted(found)
    names = [n.strip() for n in wanted.split(",") if n.strip()]
    unknown = [n for n in names if n not in found]
    if unknown:
        raise SystemExit(
            f"odoo_tests: not installable suite addons: {', '.join(unknown)}"
            f" (found: {', '.join(sorted(found)) or 'none'})"
        )
    return names


def print_report(report: LogReport, failed: int, log_path: Path, addons: list[str]) -> None:
    print()
    print("=" * 78)
    print(f"odoo_tests: full log: {log_path}")
    for name in addons:
        count = report.per_addon.get(name)
        if count is None:
            print(f"odoo_tests: WARNING: addon {name} ran no test")
        else:
            print(f"odoo_tests: {name}: {count} tests started")
    for marker in report.test_markers[:30]:
        print(f"odoo_tests: {marker}")
    for line in report.error_lines[:20]:
        print(f"odoo_tests: {line[:300]}")
    if len(report.error_lines) > 20:
        print(f"odoo_tests: ... {len(report.error_lines) - 20} more ERROR lines in the log")
    for skip in report.browser_skips[:5]:
        print(f"odoo_tests: browser test skipped: {skip}")
    for problem in report.problems:
        print(f"odoo_tests: FAILED: {problem}")
    if not report.problems:
        print("odoo_tests: OK")
    skipped = f", {report.skipped} skipped" if report.skipped else ""
    print(f"odoo: {report.passed} passed, {failed} failed{skipped}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    extra_paths = extra_addons_paths(args.extra_addons_path)
    try:
        found = discover_addons(REPO_ROOT, extra_paths)
    except (ValueError, SyntaxError) as exc:
        print(f"odoo_tests: cannot read a manifest: {exc}")
        print("odoo: 0 passed, 1 failed")
        return 2
    addons = select_addons(found, args.addons)
    if not addons:
        print("odoo_tests: no installable suite addon found")
        print("odoo: 0 passed, 1 failed")
        return 2

    try:
        odoo_paths = odoo_addons_paths()
    except ImportError as exc:
        print(f"odoo_tests: Odoo is not importable by {sys.executable}: {exc}")
        print("odoo: 0 passed, 1 failed")
        return 2
    addons_path = odoo_paths + suite_addons_paths(REPO_ROOT, extra_paths)

    pg = PgSettings.from_env()
    if not ensure_postgres(pg):
        print(f"odoo_tests: PostgreSQL is not reachable at {pg.host}:{pg.port} as {pg.user}")
        print("odoo: 0 passed, 1 failed")
        return 2

    stamp = datetime.datetime.now().strftime("%Y%m%d_%H%M%S")
    db_name = args.db or f"suite_test_{stamp}"
    try:
        if database_exists(pg, db_name):
            print(f"odoo_tests: database {db_name} already exists: drop it or pick another --db")
            print("odoo: 0 passed, 1 failed")
            return 2
    except RuntimeError as exc:
        print(f"odoo_tests: cannot query PostgreSQL as {pg.user}: {exc}")
        print("odoo: 0 passed, 1 failed")
        return 2

    work_dir = Path(tempfile.mkdtemp(prefix=f"{db_name}_"))
    data_dir = work_dir / "data"
    config_file = work_dir / "odoo.conf"
    config_file.write_text("[options]\n", encoding="utf-8")
    log_path = Path(args.log_file).resolve() if args.log_file else work_dir / "odoo.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    http_port = args.http_port or free_port()
    cmd = build_command(addons, addons_path, db_name, pg, http_port, data_dir, config_file, args.odoo_extra)

    print(f"odoo_tests: addons: {', '.join(addons)}")
    print(f"odoo_tests: addons path: {','.join(str(p) for p in addons_path)}")
    print(f"odoo_tests: database {db_name} on {pg.host}:{pg.port} (user {pg.user})")
    print(f"odoo_tests: log file {log_path}")
    print("odoo_tests: " + " ".join(cmd), flush=True)

    parser = LogParser()
    started = time.monotonic()
    returncode = None
    try:
        returncode = run_odoo(cmd, log_path, echo_filter(addons), args.verbose, args.timeout, parser)
    finally:
        if args.keep_db:
            print(f"odoo_tests: kept database {db_name} (filestore in {data_dir})")
        else:
            try:
                drop_database(pg, db_name)
            except RuntimeError as exc:
                print(f"odoo_tests: WARNING: could not drop {db_name}: {exc}")
            shutil.rmtree(data_dir, ignore_errors=True)
    report = parser.finish(returncode, args.allow_skipped_tours)
    print(f"odoo_tests: Odoo ran for {time.monotonic() - started:.0f}s")
    print_report(report, parser.failed_count(), log_path, addons)
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
