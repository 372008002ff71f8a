"""Audit-trail write throughput, 1 writer against 4 concurrent writers, and the
time and peak memory of verifying the chain (issue 18).

    .venv/bin/python -m bench.audit_write --events 2000
    .venv/bin/python bench/audit_write.py --events 2000 --database-url postgres://...

Each writer is a process of its own (its own database connection, no shared
GIL) writing events through ``practice.audit.record``, one transaction per
event, as requests do. Events/s with 4 writers divided by events/s with one is
the ratio; the target is >= 3. ``--legacy`` also measures the design this
replaced (a global advisory lock and a read of the previous hash per event),
for comparison. Then the trail is sealed and ``verify`` runs over every event
in the database: its time and its peak memory growth are printed.

The database is ``--database-url`` (default $BENCH_DATABASE_URL, else
postgres://postgres@127.0.0.1:5432/ehr_bench_audit), created and migrated when
missing; never point it at a practice's database. Checkpoints are signed with a
throw-away certificate in a temporary directory. The last line printed is the
summary; the exit status is 0 when the target holds.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ehr_bench_audit"
TARGET = 3.0


def _setup(database_url: str, scratch: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["AUDIT_CHECKPOINT_DIR"] = str(Path(scratch) / "checkpoints")
    os.environ["PRACTICE_CERT_FILE"] = str(Path(scratch) / "cert.pem")
    os.environ["PRACTICE_KEY_FILE"] = str(Path(scratch) / "key.pem")
    os.environ["PRACTICE_KEY_PASSPHRASE"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practice.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _ensure_database(database_url: str) -> None:
    import psycopg

    parsed = urlparse(database_url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


_CEILING_TABLE = "bench_audit_ceiling"
_CEILING_INSERT = (
    f"INSERT INTO {_CEILING_TABLE} (created_at, username, role, action, object_type, "  # noqa: S608
    "object_id, user_agent, detail, prev_hash, hash) "
    "VALUES (now(), '', '', 'view', 'bench.event', %s, '', '{}', '', '')"
)


def _writer(database_url, scratch, mode, count, work_ms, start, results) -> None:
    _setup(database_url, scratch)
    from django.db import connection, transaction

    from practice import audit
    from practice.models import AuditAction, AuditEvent

    connection.ensure_connection()
    start.wait()  # a barrier: every writer is set up and connected
    began = time.perf_counter()
    with connection.cursor() as cursor:
        for i in range(count):
            # One request's transaction: its audit event, then the rest of its
            # work (``work_ms`` in the database) before it commits.
            with transaction.atomic():
                if mode == "ceiling":
                    # The same row into a table with no audit logic at all: what
                    # this machine allows any design.
                    cursor.execute(_CEILING_INSERT, [str(i)])
                elif mode == "legacy":
                    # The replaced design: a global lock held until commit and a
                    # read of the previous row before every insert.
                    cursor.execute("SELECT pg_advisory_xact_lock(7311001)")
                    AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
                if mode != "ceiling":
                    audit.record(AuditAction.VIEW, object_type="bench.event", object_id=str(i))
                if work_ms:
                    cursor.execute("SELECT pg_sleep(%s)", [work_ms / 1000])
    results.put(time.perf_counter() - began)
    connection.close()


def _rate(
    database_url: str, scratch: str, mode: str, writers: int, events: int, work_ms: float
) -> float:
    """Events per second for ``events`` events split over ``writers`` processes."""
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(writers + 1)
    results = ctx.Queue()
    share = max(1, events // writers)
    procs = [
        ctx.Process(
            target=_writer,
            args=(database_url, scratch, mode, share, work_ms, start, results),
        )
        for _ in range(writers)
    ]
    for proc in procs:
        proc.start()
    start.wait(timeout=300)
    began = time.perf_counter()
    for proc in procs:
        proc.join()
    wall = time.perf_counter() - began
    if any(proc.exitcode for proc in procs):
        raise SystemExit("a writer failed")
    return share * writers / wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000, help="events per measurement")
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument(
        "--work-ms",
        type=float,
        default=5.0,
        help="database time each writer's transaction spends after its audit insert, as a "
        "request's does (0: bare inserts, bound by commit flushes and CPU)",
    )
    parser.add_argument("--legacy", action="store_true", help="also measure the old design")
    parser.add_argument("--no-verify", action="store_true")
    args = parser.parse_args(argv)

    if not args.database_url.startswith("postgres"):
        parser.error("the benchmark needs PostgreSQL")
    scratch = tempfile.mkdtemp(prefix="bench-audit-")
    _ensure_database(args.database_url)
    _setup(args.database_url, scratch)
    from django.core.management import call_command

    from practice.pdf import make_self_signed_certificate

    call_command("migrate", verbosity=0)
    cert, key = make_self_signed_certificate(common_name="Bench", organization="Bench")
    Path(os.environ["PRACTICE_CERT_FILE"]).write_bytes(cert)
    Path(os.environ["PRACTICE_KEY_FILE"]).write_bytes(key)

    from practice import audit

    audit.seal(force_checkpoint=True)  # what is there already is not timed below
    lines = []

    def rate(mode: str, writers: int) -> float:
        return _rate(args.database_url, scratch, mode, writers, args.events, args.work_ms)

    print(f"{args.events} events a measurement, {args.work_ms:g} ms other work a transaction")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {_CEILING_TABLE} "
            "(LIKE practice_auditevent INCLUDING ALL)"
        )
    base_one = rate("ceiling", 1)
    base_many = rate("ceiling", args.writers)
    print(
        f"machine ceiling (raw INSERTs into a copy of the table, no ORM): 1 writer {base_one:.0f} "
        f"events/s, {args.writers} writers {base_many:.0f} events/s, "
        f"ratio {base_many / base_one:.2f}x"
    )
    one = rate("lock-free", 1)
    many = rate("lock-free", args.writers)
    ratio = many / one
    print(f"lock-free: 1 writer {one:.0f} events/s, {args.writers} writers {many:.0f} events/s")
    if args.legacy:
        old_one = rate("legacy", 1)
        old_many = rate("legacy", args.writers)
        print(
            f"legacy lock: 1 writer {old_one:.0f} events/s, {args.writers} writers "
            f"{old_many:.0f} events/s, ratio {old_many / old_one:.2f}x"
        )
    began = time.perf_counter()
    sealed = audit.seal(force_checkpoint=True)
    print(f"sealed {sealed.sealed} events in {time.perf_counter() - began:.1f} s")
    if not args.no_verify:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        began = time.perf_counter()
        result = audit.verify(seal_first=False)
        took = time.perf_counter() - began
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"verify: {result.checked} events in {took:.1f} s "
            f"({result.checked / max(took, 1e-9):.0f}/s), peak RSS growth {peak - before:.0f} MB, "
            f"{'intact' if result.ok else 'BROKEN: ' + result.reason}"
        )
        if not result.ok:
            return 1
    ok = ratio >= TARGET
    lines.append(
        f"{args.writers} writers / 1 writer = {ratio:.2f}x "
        f"({'meets' if ok else 'MISSES'} the >= {TARGET:.0f}x target; "
        f"this machine's ceiling {base_many / base_one:.2f}x)"
    )
    print(lines[-1])
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
