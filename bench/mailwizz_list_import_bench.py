#!/usr/bin/env python3
"""Import a MailWizz list of N subscribers (default 10,000) into the CRM as leads, then
re-push them, and print rows/s.

    python3 bench/mailwizz_list_import_bench.py [--count 10000] [--db mw_bench] [--http-port 8097]

The measure is the Odoo test
``crm_mailwizz/tests/test_mailwizz_list_import.py::test_big_list_as_leads_in_background_then_repush_without_duplicate``
run alone with ``MW_LIST_IMPORT_COUNT=N`` on a fresh database (``tests/odoo_tests.py``):
the list is served page by page by the fake MailWizz on loopback, the job runs through
the scheduled action as a researcher (background threshold 1,000), the leads' subscribers
are linked to their uids, the re-push updates them (no subscriber created) and a second
import finds every subscriber a duplicate. The test asserts all of it; this script prints
the figure line the test logs.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEST = ("/crm_mailwizz:TestMailwizzListImport."
        "test_big_list_as_leads_in_background_then_repush_without_duplicate")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--db", default="mw_bench")
    parser.add_argument("--http-port", type=int, default=8097)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        log_file = os.path.join(tmp, "odoo.log")
        env = dict(os.environ, MW_LIST_IMPORT_COUNT=str(args.count), SKIP_LINT="1")
        cmd = [sys.executable, str(ROOT / "tests/odoo_tests.py"), "--addons", "crm_mailwizz",
               "--db", args.db, "--http-port", str(args.http_port), "--log-file", log_file,
               "--", "--test-tags", TEST]
        result = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
        text = Path(log_file).read_text(encoding="utf-8") if os.path.exists(log_file) else ""
    figures = re.findall(r"MailWizz list import: .*", text)
    for line in figures:
        print(line)
    tail = result.stdout.strip().splitlines()[-1:] if result.stdout.strip() else []
    print(*tail, sep="\n")
    return 0 if result.returncode == 0 and figures else 1


if __name__ == "__main__":
    sys.exit(main())
