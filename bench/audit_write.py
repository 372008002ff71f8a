"""Audit-trail write throughput, 1 writer against 4 concurrent writers, and the
time and peak memory of verifying the chain (issue 18).

    .venv/bin/python -m bench.audit_write --events 2000
    .venv/bin/python bench/audit_write.py --events 2000 --database-url postgres://...
    .venv/bin/python -m bench.audit_write --events 200 --bulk 1000000   # verify at 1M

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
certificate of the bench's own, in var/bench-<database>/. The last line printed is the
summary; the exit status is 0 when the target holds.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ehr_bench_audit"
TARGET = 3.0


def use_bench_audit_files(database_url: str, *, fresh: bool = False) -> Path:
    """Point the audit checkpoints and the certificate that signs them at a
    folder of this bench database's own (var/bench-<name>/), made when missing;
    ``fresh`` empties it (the database was just recreated). Call before
    ``django.setup()``; bench/data.py and bench/runner.py do."""
    import shutil

    name = urlparse(database_url).path.lstrip("/")
    folder = ROOT / "var" / f"bench-{name}"
    if fresh and folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = folder / "cert.pem", folder / "key.pem"
    if not (cert.exists() and key.exists()):
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        private = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Bench practice")])
        now = datetime.now(UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(private.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=3650))
            .sign(private, hashes.SHA256())
        )
        key.write_bytes(
            private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    os.environ["AUDIT_CHECKPOINT_DIR"] = str(folder / "audit-checkpoints")
    os.environ["PRACTICE_CERT_FILE"] = str(cert)
    os.environ["PRACTICE_KEY_FILE"] = str(key)
    os.environ["PRACTICE_KEY_PASSPHRASE"] = ""
    return folder


def _setup(database_url: str) -> None:
    use_bench_audit_files(database_url)
    os.environ["DATABASE_URL"] = database_url
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


def _writer(database_url, mode, count, work_ms, start, results) -> None:
    _setup(database_url)
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


def _rate(database_url: str, mode: str, writers: int, events: int, work_ms: float) -> float:
    """Events per second for ``events`` events split over ``writers`` processes."""
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(writers + 1)
    results = ctx.Queue()
    share = max(1, events // writers)
    procs = [
        ctx.Process(
            target=_writer,
            args=(database_url, mode, share, work_ms, start, results),
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
    parser.add_argument(
        "--bulk",
        type=int,
        default=0,
        help="first add this many events in bulk (not timed), so that sealing and "
        "verification are measured over a trail of that size",
    )
    args = parser.parse_args(argv)

    if not args.database_url.startswith("postgres"):
        parser.error("the benchmark needs PostgreSQL")
    _ensure_database(args.database_url)
    _setup(args.database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from practice import audit
    from practice.models import AuditAction

    audit.seal(force_checkpoint=True)  # what is there already is not timed below
    lines = []

    def rate(mode: str, writers: int) -> float:
        return _rate(args.database_url, mode, writers, args.events, args.work_ms)

    print(f"{args.events} events a measurement, {args.work_ms:g} ms other work a transaction")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {_CEILING_TABLE} (LIKE practice_auditevent INCLUDING ALL)"
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
    if args.bulk:
        from django.utils import timezone

        from practice.models import AuditEvent

        now = timezone.now()
        for first in range(0, args.bulk, 10_000):
            AuditEvent.objects.bulk_create(
                AuditEvent(
                    created_at=now,
                    username="bench",
                    role="clinician",
                    action=AuditAction.VIEW,
                    object_type="bench.event",
                    object_id=str(i),
                    detail={"n": i},
                )
                for i in range(first, min(args.bulk, first + 10_000))
            )
        print(f"added {args.bulk} events in bulk")
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
