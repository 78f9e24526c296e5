#!/usr/bin/env python3
"""Push N targets (default 100,000) to a local fake MailWizz and report the cost.

    python3 bench/mailwizz_push_bench.py [--count 100000] [--api-version 1|2] [--chunk 100]

Prints HTTP calls made, wall-clock seconds and peak Python memory (tracemalloc) of
the client side, plus the process max RSS. Odoo-free: it imports crm_mailwizz.lib
as a bare package, like tests/conftest.py does.
"""

import argparse
import multiprocessing
import resource
import sys
import time
import tracemalloc
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
if "crm_mailwizz" not in sys.modules:
    pkg = types.ModuleType("crm_mailwizz")
    pkg.__path__ = [str(ROOT / "crm_mailwizz")]
    sys.modules["crm_mailwizz"] = pkg

from crm_mailwizz.lib.client import ApiKeyAuth, MailWizzClient, SignatureAuth
from crm_mailwizz.lib.fake_server import FakeMailWizz


def targets(count):
    for i in range(count):
        yield (i, {"EMAIL": f"target{i}@bench.example.org", "FNAME": f"First{i}", "LNAME": "Bench"}, None)


def serve(conn, api_version):
    """Child process: run the fake server so the parent measures the client alone."""
    with FakeMailWizz(api_version=api_version, bulk_limit=100) as server:
        list_uid = server.add_list("Benchmark list")
        conn.send((server.url, server.public_key, server.private_key, server.api_key, list_uid))
        conn.recv()  # "stop"
        conn.send((len(server.subscribers(list_uid)), len(server.requests)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--api-version", choices=["1", "2"], default="1")
    parser.add_argument("--chunk", type=int, default=100, help="bulk chunk size (server limit 100)")
    args = parser.parse_args()

    parent_conn, child_conn = multiprocessing.Pipe()
    proc = multiprocessing.Process(target=serve, args=(child_conn, args.api_version), daemon=True)
    proc.start()
    url, public_key, private_key, api_key, list_uid = parent_conn.recv()
    if args.api_version == "1":
        auth = SignatureAuth(public_key, private_key)
    else:
        auth = ApiKeyAuth(api_key)
    client = MailWizzClient(url, auth, bulk_chunk_size=args.chunk, timeout=30)
    tracemalloc.start()
    start = time.perf_counter()
    summary = client.push_subscribers(list_uid, targets(args.count), keep_uids=False,
                                      on_chunk=lambda results: None)
    seconds = time.perf_counter() - start
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    parent_conn.send("stop")
    stored, server_calls = parent_conn.recv()
    proc.join(10)

    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # client process only
    print(f"targets pushed      : {args.count}")
    print(f"api version         : {args.api_version}  (chunk {args.chunk})")
    print(f"created / failed    : {summary.created} / {summary.failed}  (server holds {stored})")
    print(f"HTTP calls (client) : {summary.http_calls}  (server saw {server_calls})")
    print(f"seconds             : {seconds:.2f}  ({args.count / seconds:,.0f} targets/s)")
    print(f"peak traced memory  : {peak / 1024 / 1024:.1f} MiB (tracemalloc, client process; server runs in a child)")
    print(f"max RSS (client)    : {rss_mb:.0f} MiB")
    ok = summary.http_calls <= 1100 and summary.failed == 0 and stored == args.count
    print("RESULT              :", "OK (<= 1,100 calls)" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
