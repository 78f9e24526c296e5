#!/usr/bin/env python3
"""Push N targets (default 100,000) to a local fake MailWizz and report the cost.

    python3 bench/mailwizz_push_bench.py [--count 100000] [--api-version 1|2] [--chunk 100]
                                         [--fields 3] [--max-input-vars 1000]

Prints HTTP calls made, wall-clock seconds and peak Python memory (tracemalloc) of
the client side, plus the process max RSS. Odoo-free: it imports crm_mailwizz.lib and
the fake server crm_mailwizz/tests/fake_mailwizz.py as bare packages (their
``__init__.py`` not run), like tests/conftest.py does. The fake drops the form
variables beyond PHP's ``max_input_vars`` like a real server; the client sizes its
bulk calls to stay under it (``--fields`` = fields sent per subscriber).
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
for name, folder in (("crm_mailwizz", ROOT / "crm_mailwizz"), ("crm_mailwizz.tests", ROOT / "crm_mailwizz/tests")):
    if name not in sys.modules:
        pkg = types.ModuleType(name)
        pkg.__path__ = [str(folder)]
        sys.modules[name] = pkg

from crm_mailwizz.lib.client import ApiKeyAuth, MailWizzClient, SignatureAuth
from crm_mailwizz.tests.fake_mailwizz import FakeMailWizz


def targets(count, fields=3):
    extra = max(0, fields - 3)
    for i in range(count):
        values = {"EMAIL": f"target{i}@bench.example.org", "FNAME": f"First{i}", "LNAME": "Bench"}
        values.update({f"X{j}": f"value {j}" for j in range(extra)})
        yield (i, values, None)


def serve(conn, api_version, fields, max_input_vars, bulk_limit):
    """Child process: run the fake server so the parent measures the client alone."""
    with FakeMailWizz(api_version=api_version, bulk_limit=bulk_limit, max_input_vars=max_input_vars) as server:
        list_uid = server.add_list("Benchmark list", fields=[(f"X{j}", f"X{j}", "no") for j in range(fields - 3)])
        conn.send((server.url, server.public_key, server.private_key, server.api_key, list_uid))
        conn.recv()  # "stop"
        conn.send((len(server.subscribers(list_uid)), len(server.requests), server.truncated_requests))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--api-version", choices=["1", "2"], default="1")
    parser.add_argument("--chunk", type=int, default=100, help="bulk chunk size (server limit: max(100, it))")
    parser.add_argument("--fields", type=int, default=3, help="fields sent per subscriber (>= 3)")
    parser.add_argument("--max-input-vars", type=int, default=1000, help="PHP max_input_vars of server and client")
    args = parser.parse_args()
    args.fields = max(3, args.fields)

    parent_conn, child_conn = multiprocessing.Pipe()
    proc = multiprocessing.Process(
        target=serve,
        args=(child_conn, args.api_version, args.fields, args.max_input_vars, max(100, args.chunk)),
        daemon=True,
    )
    proc.start()
    url, public_key, private_key, api_key, list_uid = parent_conn.recv()
    if args.api_version == "1":
        auth = SignatureAuth(public_key, private_key)
    else:
        auth = ApiKeyAuth(api_key)
    client = MailWizzClient(url, auth, bulk_chunk_size=args.chunk, max_input_vars=args.max_input_vars, timeout=30)
    tracemalloc.start()
    start = time.perf_counter()
    summary = client.push_subscribers(list_uid, targets(args.count, args.fields), keep_uids=False,
                                      on_chunk=lambda results: None)
    seconds = time.perf_counter() - start
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    parent_conn.send("stop")
    stored, server_calls, truncated = parent_conn.recv()
    proc.join(10)

    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # client process only
    print(f"targets pushed      : {args.count}")
    print(f"api version         : {args.api_version}  (chunk {args.chunk}, {args.fields} fields, "
          f"max_input_vars {args.max_input_vars}: {client.bulk_chunk_for(args.fields)} a call)")
    print(f"created / failed    : {summary.created} / {summary.failed}  (server holds {stored})")
    print(f"HTTP calls (client) : {summary.http_calls}  (server saw {server_calls}, {truncated} truncated)")
    print(f"seconds             : {seconds:.2f}  ({args.count / seconds:,.0f} targets/s)")
    print(f"peak traced memory  : {peak / 1024 / 1024:.1f} MiB (tracemalloc, client process; server runs in a child)")
    print(f"max RSS (client)    : {rss_mb:.0f} MiB")
    expected_calls = -(-args.count // client.bulk_chunk_for(args.fields))
    ok = summary.http_calls <= expected_calls * 1.1 and summary.failed == 0 and stored == args.count and not truncated
    print("RESULT              :", f"OK (<= {expected_calls * 1.1:,.0f} calls)" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
