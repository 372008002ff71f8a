"""Generate a practice of realistic size, in bulk, into its own database.

At ``--scale 1.0``: 50 clinicians, 5,000 clients (one long-term client with
650 notes), 250,000 signed progress notes, 100,000 signed contact notes,
25,000 process notes encrypted through the store's real encryption path,
about 250,000 billed items (every month before last month is exported) and
about 1,000,000 chained audit events.

Rows go in with ``bulk_create`` and, for the audit trail, PostgreSQL ``COPY``;
signed records carry their real content hashes and the audit events a real
chain (sealed under the key after the COPY, with a signed checkpoint), so the
application's own checks pass on them. Nothing here is used by
the application; run it through ``scripts/bench-data``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal

from bench.audit_write import use_bench_audit_files

BENCH_PASSWORD = "bench-password-not-for-production"  # noqa: S105 (bench data only)
BIG_CLIENT_NOTES = 650
BIG_CLIENT_MRN = "BENCH-000001"
TYPICAL_CLIENT_MRN = "BENCH-000002"
MONTHS = 16  # notes spread over the last 16 months (~15,600 sessions a month at 1.0)
FIRST = [
    "Avery", "Blake", "Casey", "Devon", "Emery", "Finley", "Gray", "Harper", "Indy",
    "Jordan", "Kai", "Logan", "Morgan", "Noel", "Oakley", "Parker", "Quinn", "Riley",
    "Sage", "Taylor", "Uma", "Val", "Wren", "Xen", "Yael", "Zion", "Maria", "Jose",
    "Wei", "Fatima", "Olga", "Kenji", "Amara", "Liam", "Noor", "Santiago",
]  # fmt: skip
LAST = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson",
    "Thomas", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White",
    "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young",
    "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green",
]  # fmt: skip
SENTENCES = [
    "Client reports sleeping about six hours most nights and waking once.",
    "Mood described as 'mostly okay' with two difficult days this week.",
    "Discussed the upcoming family visit and rehearsed a boundary-setting script.",
    "Practised paced breathing in session; client rated distress 6/10 then 3/10.",
    "Reviewed the thought record; identified all-or-nothing thinking at work.",
    "Client attended all planned activities and walked three times.",
    "Affect congruent, speech normal in rate and volume, thought process linear.",
    "Denies suicidal or homicidal ideation, intent or plan.",
    "Continue weekly CBT; homework is two thought records and one pleasant activity.",
    "Functional impairment at work persists: missed one shift due to anxiety.",
]


def _text(rng: random.Random, sentences: int) -> str:
    return " ".join(rng.choice(SENTENCES) for _ in range(sentences))


@contextmanager
def part(name: str, report: Callable[[str], None]):
    started = time.perf_counter()
    yield
    report(f"  {name:<34} {time.perf_counter() - started:8.1f} s")


def counts(scale: float) -> dict[str, int]:
    def n(full: int, least: int) -> int:
        return max(least, round(full * scale))

    return {
        "clinicians": n(50, 3),
        "clients": n(5000, 12),
        "progress_notes": n(250_000, 200),
        "contact_notes": n(100_000, 60),
        "process_notes": n(25_000, 20),
        "audit_events": n(1_000_000, 500),
        "big_client_notes": min(BIG_CLIENT_NOTES, max(30, round(250_000 * scale) // 4)),
    }


def _batches(items: Iterator, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def generate(scale: float, *, seed: int = 18, report: Callable[[str], None] = print) -> dict:
    """Fill the (freshly migrated, empty) configured database. Returns the counts."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from guardian.models import UserObjectPermission

    from billing.models import BillingExport, FeeScheduleEntry, ItemKind
    from billing.selectors import Period, billable_contacts, billable_sessions, last_month
    from billing.services import _insert_items
    from clients.models import CareTeamMember, CareTeamRole, Client, Diagnosis
    from contacts.models import ContactNote, Reason, kind_for_reason
    from notes.models import NoteStatus, ProgressNote, ProgressNoteAddendum
    from notes.psychotherapy import crypto
    from notes.psychotherapy.access import AUTHOR_PERMISSIONS
    from notes.psychotherapy.models import ProcessNote, ProcessNoteUserObjectPermission
    from practice.models import User
    from practice.roles import CARE_TEAM_PERMISSIONS, Role
    from practice.signing import content_hash

    rng = random.Random(seed)  # noqa: S311 (reproducible fake data, not secrets)
    n = counts(scale)
    today = date.today()
    first_day = (today.replace(day=1) - timedelta(days=31 * (MONTHS - 1))).replace(day=1)
    span = (today - first_day).days
    report(f"bench data at scale {scale}: {n}")

    with part("users and roles", report), transaction.atomic():
        password = make_password(BENCH_PASSWORD)
        groups = {g.name: g for g in Group.objects.all()}
        staff = {
            "biller": Role.BILLER,
            "auditor": Role.AUDITOR,
            "admin": Role.PRACTICE_ADMIN,
            "frontdesk": Role.FRONT_DESK,
            "idle": Role.CLINICIAN,  # a clinician with no clients: the minimal page
        }
        users = [
            User(
                username=f"bench-{name}",
                first_name=name.title(),
                last_name="Bench",
                password=password,
                email=f"bench-{name}@example.invalid",
            )
            for name in staff
        ]
        clinicians = [
            User(
                username=f"bench-c{i:03d}",
                first_name=rng.choice(FIRST),
                last_name=rng.choice(LAST),
                credentials=rng.choice(["LCSW", "LPC", "PhD", "PsyD", "LMFT"]),
                npi=f"{1_000_000_000 + i}",
                password=password,
                email=f"bench-c{i:03d}@example.invalid",
            )
            for i in range(n["clinicians"])
        ]
        User.objects.bulk_create(users + clinicians)
        memberships = [
            User.groups.through(user_id=u.pk, group_id=groups[staff[u.username[6:]]].pk)
            for u in users
        ] + [
            User.groups.through(user_id=c.pk, group_id=groups[Role.CLINICIAN].pk)
            for c in clinicians
        ]
        User.groups.through.objects.bulk_create(memberships)
        for code, fee in (("90791", "180"), ("90832", "80"), ("90834", "110"), ("90837", "150")):
            FeeScheduleEntry.objects.get_or_create(
                cpt_code=code,
                defaults={"description": f"Psychotherapy {code}", "fee": Decimal(fee)},
            )
        admin = users[2]
        biller = users[0]

    with part("clients, diagnoses, care teams", report), transaction.atomic():
        clients = [
            Client(
                mrn=f"BENCH-{i + 1:06d}",
                legal_first_name=rng.choice(FIRST),
                legal_last_name=rng.choice(LAST),
                preferred_name=rng.choice(FIRST) if rng.random() < 0.1 else "",
                date_of_birth=date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 55)),
                pronouns=rng.choice(["she/her", "he/him", "they/them"]),
                phone=f"555-{rng.randrange(10_000):04d}",
            )
            for i in range(n["clients"])
        ]
        Client.objects.bulk_create(clients, batch_size=2000)
        Diagnosis.objects.bulk_create(
            [
                Diagnosis(
                    client=c,
                    code=rng.choice(["F41.1", "F32.1", "F43.10", "F33.1"]),
                    description="Covered mental-health diagnosis",
                    is_primary=True,
                    created_by=admin,
                )
                for c in clients
            ],
            batch_size=2000,
        )
        primary = {c.pk: clinicians[i % len(clinicians)] for i, c in enumerate(clients)}
        team = [
            CareTeamMember(
                client=c, clinician=primary[c.pk], role=CareTeamRole.PRIMARY, added_by=admin
            )
            for c in clients
        ]
        # One client in five also has a second clinician (caseloads of ~120 at 1.0).
        for i, c in enumerate(clients):
            if i % 5 == 0 and len(clinicians) > 1:
                other = clinicians[(i + 7) % len(clinicians)]
                if other is not primary[c.pk]:
                    team.append(
                        CareTeamMember(
                            client=c, clinician=other, role=CareTeamRole.MEMBER, added_by=admin
                        )
                    )
        CareTeamMember.objects.bulk_create(team, batch_size=2000)
        client_type = ContentType.objects.get_for_model(Client)
        perms = [
            Permission.objects.get(content_type__app_label="clients", codename=p.split(".")[1])
            for p in CARE_TEAM_PERMISSIONS
        ]
        UserObjectPermission.objects.bulk_create(
            (
                UserObjectPermission(
                    user_id=m.clinician_id,
                    permission=p,
                    content_type=client_type,
                    object_pk=str(m.client_id),
                )
                for m in team
                for p in perms
            ),
            batch_size=5000,
        )

    clients_by_pk = {c.pk: c for c in clients}
    big = clients[0]
    others = clients[1:]

    def service_day() -> date:
        return first_day + timedelta(days=rng.randrange(span))

    def note_rows() -> Iterator[ProgressNote]:
        count = n["progress_notes"]
        for i in range(count):
            client = big if i < n["big_client_notes"] else others[i % len(others)]
            author = primary[client.pk]
            day = service_day()
            hour = 8 + i % 10
            minutes = rng.choice([53, 55, 45, 50, 30])
            cpt = "90837" if minutes >= 53 else ("90834" if minutes >= 38 else "90832")
            signed_at = datetime.combine(day, dtime(21, 0), tzinfo=UTC)
            note = ProgressNote(
                client=client,
                author=author,
                format="soap",
                service_date=day,
                start_time=dtime(hour, 0),
                end_time=dtime(hour, minutes),
                diagnoses=[{"code": "F41.1", "description": "Generalized anxiety disorder"}],
                interventions=["cbt"],
                symptoms=_text(rng, 2),
                functional_impairment=_text(rng, 1),
                progress=_text(rng, 1),
                subjective=_text(rng, 3),
                objective=_text(rng, 2),
                assessment=_text(rng, 2),
                plan=_text(rng, 1),
                risk_level="low",
                cpt_code=cpt,
                cpt_suggested=cpt,
                units=1,
                status=NoteStatus.SIGNED,
                signed_at=signed_at,
                signer_name=f"{author.first_name} {author.last_name}",
                signer_credentials=author.credentials,
            )
            note.content_hash = content_hash(note.signed_content())
            yield note

    with part("signed progress notes", report):
        addenda_for = []
        for batch in _batches(note_rows(), 5000):
            with transaction.atomic():
                ProgressNote.objects.bulk_create(batch)
            addenda_for += [note for note in batch if rng.random() < 0.02]
        addenda = []
        for note in addenda_for:
            addendum = ProgressNoteAddendum(
                note=note,
                text=_text(rng, 1),
                author=note.author,
                signed_at=note.signed_at + timedelta(days=1),
                signer_name=note.signer_name,
                signer_credentials=note.signer_credentials,
            )
            addendum.content_hash = content_hash(addendum.signed_content())
            addenda.append(addendum)
        with transaction.atomic():
            ProgressNoteAddendum.objects.bulk_create(addenda, batch_size=5000)

    with part("signed contact notes", report):
        reasons = [r for r in Reason.values if r != Reason.CRISIS]

        def contact_rows() -> Iterator[ContactNote]:
            for i in range(n["contact_notes"]):
                # The long-term client has its share: 13 times a typical client's.
                client = others[i % len(others)] if i % 400 else big
                author = primary[client.pk]
                at = datetime.combine(service_day(), dtime(9 + i % 8, 15), tzinfo=UTC)
                reason = rng.choice(reasons)
                note = ContactNote(
                    client=client,
                    contact_at=at,
                    person_name=f"{client.legal_first_name} {client.legal_last_name}",
                    relationship="Client",
                    reason=reason,
                    kind=kind_for_reason(reason),
                    means=["phone"],
                    summary=_text(rng, 2),
                    minutes=rng.choice([5, 10, 15, 20, 30]),
                    billable=i % 10 == 0,
                    author=author,
                    status=NoteStatus.SIGNED,
                    signed_at=at + timedelta(hours=1),
                    signer_name=f"{author.first_name} {author.last_name}",
                    signer_credentials=author.credentials,
                )
                note.content_hash = content_hash(note.signed_content())
                yield note

        for batch in _batches(contact_rows(), 5000):
            with transaction.atomic():
                ContactNote.objects.bulk_create(batch)

    with part("process notes (real encryption)", report), transaction.atomic():
        process_type = ContentType.objects.get_for_model(ProcessNote)
        author_perms = [
            Permission.objects.get(content_type=process_type, codename=p.split(".")[-1])
            for p in AUTHOR_PERMISSIONS
        ]

        def process_rows() -> Iterator[ProcessNote]:
            for i in range(n["process_notes"]):
                client = big if i % 400 == 0 else others[i % len(others)]
                token, key_id = crypto.encrypt(_text(rng, 4))
                yield ProcessNote(
                    client=client,
                    author=primary[client.pk],
                    session_date=service_day(),
                    ciphertext=token,
                    key_id=key_id,
                )

        for batch in _batches(process_rows(), 5000):
            ProcessNote.objects.bulk_create(batch)
            ProcessNoteUserObjectPermission.objects.bulk_create(
                [
                    ProcessNoteUserObjectPermission(
                        user_id=note.author_id, permission=p, content_object=note
                    )
                    for note in batch
                    for p in author_perms
                ]
            )

    with part("billed items (months before last)", report):
        start, _end = last_month(today)
        month = first_day
        while month < start:
            following = (month + timedelta(days=32)).replace(day=1)
            period = Period(start=month, end=following - timedelta(days=1))
            with transaction.atomic():
                export = BillingExport.objects.create(
                    created_by=biller, period_start=period.start, period_end=period.end
                )
                _insert_items(export, ItemKind.SESSION, billable_sessions(period))
                _insert_items(export, ItemKind.CONTACT, billable_contacts(period))
            month = following

    with part("audit events (chained, COPY)", report):
        _audit_events(n["audit_events"], rng, clinicians, clients_by_pk, first_day, users)
    with part("audit events sealed (HMAC chain, checkpoint)", report):
        from practice import audit

        audit.seal(force_checkpoint=True)

    return n


def _audit_events(count: int, rng: random.Random, clinicians, clients_by_pk, first_day, staff):
    """``count`` chained events, in time order, written with COPY."""
    from django.db import connection, transaction
    from psycopg.types.json import Jsonb

    from practice.models import AuditEvent

    fields = [
        "created_at",
        "user_id",
        "username",
        "role",
        "action",
        "object_type",
        "object_id",
        "client_uuid",
        "ip_address",
        "user_agent",
        "detail",
        "prev_hash",
        "hash",
    ]
    clients = list(clients_by_pk.values())
    actions = [("view", 70), ("create", 8), ("update", 8), ("sign", 6), ("login", 5), ("search", 3)]
    weighted = [a for a, w in actions for _ in range(w)]
    start = datetime.combine(first_day, dtime(12, 0), tzinfo=UTC)
    end = datetime.now(UTC) - timedelta(hours=1)
    step = (end - start) / count
    people = clinicians + [u for u in staff if u.username != "bench-idle"]
    roles = {u.pk: ("clinician" if u in clinicians else u.username[6:]) for u in people}
    with transaction.atomic():
        table = connection.ops.quote_name(AuditEvent._meta.db_table)
        columns = ", ".join(fields)
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for i in range(count):
                    user = rng.choice(people)
                    client = rng.choice(clients)
                    action = rng.choice(weighted)
                    # No chain here: the sealer chains these rows afterwards,
                    # under the key, as it does the application's own events.
                    event = AuditEvent(
                        created_at=start + step * i,
                        user_id=user.pk,
                        username=user.username,
                        role=roles[user.pk],
                        action=action,
                        object_type="" if action == "login" else "clients.client",
                        object_id="" if action == "login" else str(client.uuid),
                        client_uuid=None if action == "login" else client.uuid,
                        ip_address=f"10.0.0.{1 + i % 200}",
                        user_agent="bench",
                        detail={"results": 3} if action == "search" else {},
                    )
                    copy.write_row(
                        [
                            event.created_at,
                            event.user_id,
                            event.username,
                            event.role,
                            event.action,
                            event.object_type,
                            event.object_id,
                            event.client_uuid,
                            event.ip_address,
                            event.user_agent,
                            Jsonb(event.detail),
                            event.prev_hash,
                            event.hash,
                        ]
                    )


DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/ehr_bench"


def recreate_database(url: str) -> None:
    """Drop and create the bench database named in ``url`` (never the configured app's)."""
    from urllib.parse import urlparse

    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if not name.startswith(("ehr_bench", "test_")):
        raise SystemExit(f"refusing to recreate {name!r}: bench databases are named ehr_bench*")
    admin_url = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _mark(url: str, scale: float) -> None:
    """Note which scale the database holds (bench/run reuses it at that scale)."""
    import json
    from pathlib import Path
    from urllib.parse import urlparse

    name = urlparse(url).path.lstrip("/")
    folder = Path(__file__).resolve().parent.parent / "var"
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.json").write_text(
        json.dumps({"scale": scale, "at": datetime.now(UTC).isoformat(timespec="seconds")})
    )


def main(argv: list[str] | None = None) -> int:
    import argparse
    import os
    import sys

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.1, help="1.0 = the full practice")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="PostgreSQL database to (re)create; default $BENCH_DATABASE_URL or ehr_bench",
    )
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args(argv)
    if not 0 < args.scale <= 2:
        parser.error("--scale must be in (0, 2]")

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practice.settings")
    started = time.perf_counter()
    with part("create database and migrate", print):
        recreate_database(args.database_url)
        # A new database starts a new audit trail: its checkpoints start afresh.
        use_bench_audit_files(args.database_url, fresh=True)
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    generate(args.scale, seed=args.seed)
    from django.db import connection

    with part("vacuum analyze", print), connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"  {'total':<34} {time.perf_counter() - started:8.1f} s")
    sys.stdout.flush()
    _mark(args.database_url, args.scale)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
