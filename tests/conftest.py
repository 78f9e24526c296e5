"""Odoo-free tests: make the suite addons importable without Odoo.

Each addon folder at the repository root (a folder with a ``__manifest__.py``) is registered
in ``sys.modules`` as a bare package: a plain module whose ``__path__`` is the folder, so that
its ``__init__.py`` (which imports Odoo models) never runs. ``import crm_campaign_mgmt.lib.x``
then loads ``crm_campaign_mgmt/lib/x.py`` (and ``lib/__init__.py`` if there is one) and
nothing else: code under ``<addon>/lib/`` must import no ``odoo`` and use only relative
imports among the lib modules.

An addon's ``tests`` folder is registered the same way (``<addon>.tests``, its
``__init__.py``, which imports the Odoo test modules, not run), so that Odoo-free test
helpers kept there (``crm_mailwizz/tests/fake_mailwizz.py``) import here too.
"""

from __future__ import annotations

import importlib.machinery
import os
import sys
import types
from pathlib import Path

import psycopg2
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


def _register_bare_package(name: str, folder: Path, doc: str) -> None:
    spec = importlib.machinery.ModuleSpec(name, loader=None, is_package=True)
    spec.submodule_search_locations = [str(folder)]
    module = types.ModuleType(name, doc)
    module.__spec__ = spec
    module.__path__ = [str(folder)]
    module.__package__ = name
    sys.modules[name] = module


def register_addon_packages(repo_root: Path = REPO_ROOT) -> list[str]:
    """Register every ``repo_root/<addon>`` (and its ``tests`` folder) as a bare package;
    return the names registered."""
    registered = []
    for manifest in sorted(repo_root.glob("*/__manifest__.py")):
        addon_dir = manifest.parent
        name = addon_dir.name
        if not name.isidentifier() or name in sys.modules:
            continue
        _register_bare_package(name, addon_dir, f"Odoo addon {name} (bare package, __init__ not run)")
        registered.append(name)
        if (addon_dir / "tests").is_dir() and f"{name}.tests" not in sys.modules:
            _register_bare_package(
                f"{name}.tests", addon_dir / "tests", f"tests of {name} (bare package, __init__ not run)"
            )
            registered.append(f"{name}.tests")
    return registered


register_addon_packages()


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture
def pg_cursor():
    """A cursor on the local PostgreSQL (``PGHOST``/``PGUSER``, database ``postgres``) whose
    transaction is rolled back at the end: what a test creates there (temporary or scratch
    tables, functions, triggers) goes with it. Skips the test without PostgreSQL."""
    try:
        connection = psycopg2.connect(host=os.environ.get("PGHOST", "127.0.0.1"),
                                      user=os.environ.get("PGUSER", "root"), dbname="postgres",
                                      connect_timeout=3)
    except psycopg2.OperationalError as error:
        pytest.skip(f"no PostgreSQL: {error}")
    try:
        yield connection.cursor()
    finally:
        connection.rollback()
        connection.close()
