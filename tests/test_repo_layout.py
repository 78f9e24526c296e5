"""Checks of the repository layout and of the Odoo test runner (tests/odoo_tests.py)."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
ADDON_DIRS = sorted(p.parent for p in REPO_ROOT.glob("*/__manifest__.py"))
VERSION_RE = re.compile(r"^18\.0\.\d+\.\d+\.\d+$")
SUITE_ADDONS = {"crm_event_products", "crm_campaign_mgmt", "crm_campaign_mail", "crm_mailwizz",
                "crm_yealink"}
LICENSES = {
    "AGPL-3",
    "GPL-2",
    "GPL-2 or any later version",
    "GPL-3",
    "GPL-3 or any later version",
    "LGPL-3",
    "OPL-1",
    "OEEL-1",
    "Other proprietary",
}


def _load_runner():
    spec = importlib.util.spec_from_file_location("odoo_tests", REPO_ROOT / "tests/odoo_tests.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("odoo_tests", module)
    spec.loader.exec_module(module)
    return module


runner = _load_runner()


# ---------------------------------------------------------------------------------------------
# the addons of the repository
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("addon_dir", ADDON_DIRS, ids=[p.name for p in ADDON_DIRS])
def test_manifest_is_complete(addon_dir: Path):
    manifest = runner.read_manifest(addon_dir / "__manifest__.py")
    assert isinstance(manifest.get("name"), str) and manifest["name"].strip(), "name"
    assert VERSION_RE.match(str(manifest.get("version"))), f"version {manifest.get('version')!r} is not 18.0.x.y.z"
    assert manifest.get("license") in LICENSES, f"license {manifest.get('license')!r}"
    depends = manifest.get("depends")
    assert isinstance(depends, list) and depends, "depends must be a non-empty list"
    assert all(isinstance(d, str) and d for d in depends), "depends must hold addon names"
    assert isinstance(manifest.get("installable", True), bool), "installable must be a bool"
    for key in ("data", "demo"):
        files = manifest.get(key, [])
        assert isinstance(files, list), f"{key} must be a list"
        missing = [f for f in files if not (addon_dir / f).is_file()]
        assert not missing, f"{key} files missing on disk: {missing}"
        assert len(files) == len(set(files)), f"{key} lists a file twice"


@pytest.mark.parametrize("addon_dir", ADDON_DIRS, ids=[p.name for p in ADDON_DIRS])
def test_addon_is_a_bare_package_for_pytest(addon_dir: Path):
    module = sys.modules[addon_dir.name]
    assert list(module.__path__) == [str(addon_dir)]
    assert getattr(module, "__file__", None) is None, "the addon __init__.py must not run"


def test_suite_dependencies_exist():
    """A suite addon that another one depends on must be in the repository."""
    names = {p.name for p in ADDON_DIRS}
    for addon_dir in ADDON_DIRS:
        manifest = runner.read_manifest(addon_dir / "__manifest__.py")
        missing = sorted(set(manifest.get("depends", [])) & SUITE_ADDONS - names)
        assert not missing, f"{addon_dir.name} depends on suite addons not in the repo: {missing}"


# ---------------------------------------------------------------------------------------------
# the runner: discovery
# ---------------------------------------------------------------------------------------------
def _make_addon(root: Path, name: str, installable: bool = True) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text("")
    (folder / "__manifest__.py").write_text(repr({"name": name, "version": "18.0.1.0.0", "installable": installable}))
    return folder


def test_discovery(tmp_path: Path):
    _make_addon(tmp_path, "b_addon")
    _make_addon(tmp_path, "a_addon")
    _make_addon(tmp_path, "old_addon", installable=False)
    _make_addon(tmp_path / "addons", "third_party")
    (tmp_path / "tests").mkdir()
    (tmp_path / "notes").mkdir()
    extra = tmp_path / "extra"
    _make_addon(extra, "extra_addon")
    _make_addon(extra, "a_addon")  # a duplicate keeps the repository's one

    found = runner.discover_addons(tmp_path, [extra])

    assert sorted(found) == ["a_addon", "b_addon", "extra_addon", "third_party"]
    assert found["a_addon"] == tmp_path / "a_addon"
    assert runner.suite_addons_paths(tmp_path, [extra]) == [tmp_path, tmp_path / "addons", extra]
    assert runner.select_addons(found, "b_addon, a_addon") == ["b_addon", "a_addon"]
    with pytest.raises(SystemExit):
        runner.select_addons(found, "old_addon")


def test_discovery_of_this_repository():
    found = runner.discover_addons(REPO_ROOT)
    for name, folder in found.items():
        assert (folder / "__manifest__.py").is_file(), name


def test_extra_addons_paths_from_env(monkeypatch, tmp_path: Path):
    monkeypatch.setenv(runner.EXTRA_ADDONS_ENV, f"{tmp_path / 'x'}:{tmp_path / 'y'}")
    paths = runner.extra_addons_paths(str(tmp_path / "z"))
    assert paths == [tmp_path / "z", tmp_path / "x", tmp_path / "y"]


def test_command_line(tmp_path: Path):
    pg = runner.PgSettings("127.0.0.1", "5432", "root", None)
    cmd = runner.build_command(
        ["a_addon", "b_addon"],
        [Path("/odoo/addons"), tmp_path],
        "suite_test_x",
        pg,
        8999,
        tmp_path / "data",
        tmp_path / "odoo.conf",
        ["--log-handler=odoo.foo:DEBUG"],
    )
    assert cmd[1:3] == ["-m", "odoo"]
    text = " ".join(cmd)
    for expected in (
        "-i a_addon,b_addon",
        "--test-tags /a_addon,/b_addon",
        "--test-enable",
        "--stop-after-init",
        "--log-level=test",
        "--http-port=8999",
        "--without-demo=",
        "-d suite_test_x",
        f"--addons-path=/odoo/addons,{tmp_path}",
        "--db_user=root",
    ):
        assert expected in text, expected
    assert cmd[-1] == "--log-handler=odoo.foo:DEBUG"
    assert not any(arg.startswith("--db_password") for arg in cmd)


# ---------------------------------------------------------------------------------------------
# the runner: reading Odoo 18's log
# ---------------------------------------------------------------------------------------------
HEAD = "2026-11-23 03:24:46,236 15468 {level} suite_test_1 {logger}: {message} "
TEST_LOGGER = "odoo.addons.tw_demo.tests.test_tw"


def _line(message: str, level: str = "INFO", logger: str = TEST_LOGGER) -> str:
    return HEAD.format(level=level, logger=logger, message=message) + "\n"


def _result(failed: int, errors: int, run: int, level: str = "INFO") -> str:
    return _line(
        f"{failed} failed, {errors} error(s) of {run} tests when loading database 'suite_test_1'",
        level,
        "odoo.tests.result",
    )


def test_log_green_run():
    log = [
        _line("HTTP service (werkzeug) running on localhost:8999", logger="odoo.service.server"),
        _line("Starting TestTw.test_ok ..."),
        _line("Starting TestTw.test_ok2 ..."),
        _line("Starting TestTw.test_skipped ..."),
        _line("skipped TestTw.test_skipped : demo skip"),
        _line("a deprecation", "WARNING", "py.warnings"),
        _result(0, 0, 3),
    ]
    report = runner.parse_log(log, returncode=0)
    assert report.problems == []
    assert (report.tests_run, report.passed, report.failed, report.skipped) == (3, 2, 0, 1)
    assert report.per_addon == {"tw_demo": 3}


def test_log_failures():
    log = [
        _line("Starting TestAtInstall.test_at_install ..."),
        _line("ERROR: TestAtInstall.test_at_install", "ERROR"),
        "Traceback (most recent call last):\n",
        "ValueError: boom\n",
        _line("Module tw_demo: 0 failures, 1 errors of 1 tests", "ERROR", "odoo.modules.loading"),
        _line("Starting TestTw.test_maybe_fail ..."),
        _line("FAIL: TestTw.test_maybe_fail", "ERROR"),
        _line("Starting TestTw.test_ok ..."),
        _result(1, 1, 3, "ERROR"),
    ]
    parser = runner.LogParser()
    for line in log:
        parser.feed(line)
    report = parser.finish(1)
    assert (report.passed, report.failed) == (1, 2)
    assert report.test_markers == [
        "ERROR: TestAtInstall.test_at_install",
        "FAIL: TestTw.test_maybe_fail",
    ]
    assert len(report.error_lines) == 3  # the result line itself is not counted twice
    assert parser.failed_count() == 2
    assert any("exited with status 1" in p for p in report.problems)


def test_log_error_outside_tests_fails_the_run():
    log = [
        _line("Starting TestTw.test_ok ..."),
        _line("Failed to load registry", "CRITICAL", "odoo.service.server"),
        _result(0, 0, 1),
    ]
    parser = runner.LogParser()
    for line in log:
        parser.feed(line)
    report = parser.finish(0)
    assert report.problems == ["1 ERROR/CRITICAL log line(s)"]
    assert (report.passed, parser.failed_count()) == (1, 1)


def test_log_without_result_or_tests_fails():
    no_result = runner.parse_log([_line("Starting TestTw.test_ok ...")], returncode=0)
    assert any("no final" in p for p in no_result.problems)
    no_tests = runner.parse_log([_result(0, 0, 0, "WARNING")], returncode=0)
    assert no_tests.problems == ["zero tests ran"]


def test_log_skipped_tours():
    log = [
        _line("websocket-client module is not installed", "WARNING"),
        _line("Starting TestTour.test_tour ..."),
        _line("skipped TestTour.test_tour : websocket-client module is not installed"),
        _result(0, 0, 1),
    ]
    report = runner.parse_log(log, returncode=0)
    assert any("tours" in p for p in report.problems)
    assert runner.parse_log(log, returncode=0, allow_browser_skips=True).problems == []


def test_echo_filter_follows_tracebacks():
    wanted = runner.echo_filter(["tw_demo"])
    assert wanted(_line("Starting TestTw.test_ok ..."))
    assert not wanted(_line("loading base/data/res.xml", logger="odoo.modules.loading"))
    assert not wanted("  a continuation line of a hidden record\n")
    assert wanted(_line("FAIL: TestTw.test_x", "ERROR"))
    assert wanted("Traceback (most recent call last):\n")
