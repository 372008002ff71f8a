"""Restore drill (docs/backup.md): dump the database with pg_dump, restore it
into a fresh database with pg_restore, and find everything intact there: the
counts, the audit hash chain, and the process notes (still encrypted, readable
with the key, which is not in the dump)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.utils import timezone

from clients.models import Client
from contacts import services as contact_services
from contacts.models import ContactNote
from notes.psychotherapy import services as pn_services
from notes.psychotherapy.models import ProcessNote
from practice import audit
from practice.models import AuditEvent
from tests.factories import process_note_key

ROOT = Path(__file__).resolve().parents[2]
SECRET_TEXT = "Restore drill: the client's dream about the lighthouse"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump needs PostgreSQL"),
    pytest.mark.skipif(not shutil.which("pg_dump"), reason="pg_dump is not installed"),
]

VERIFY = """
import json, django
django.setup()
from clients.models import Client
from contacts.models import ContactNote
from notes.psychotherapy import sealing
from notes.psychotherapy.models import ProcessNote
from practice.audit import verify
from practice.models import AuditEvent
# Read-only: the chain was sealed and checkpointed before the dump.
result = verify(seal_first=False)
# Sealed under the author's key: opened with the author's password, as at sign-in.
notes = [
    sealing.decrypt_note(n, sealing.unlock_with_password(n.author, "correct-horse-battery-staple"))
    for n in ProcessNote.objects.order_by("id")
]
print(json.dumps({
    "clients": Client.objects.count(),
    "contact_notes": ContactNote.objects.count(),
    "process_notes": ProcessNote.objects.count(),
    "audit": AuditEvent.objects.count(),
    "last_hash": AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first(),
    "chain_checked": result.checked,
    "chain_ok": result.ok,
    "chain_reason": result.reason,
    "texts": notes,
}))
"""


def _pg_env(db: dict) -> dict:
    env = dict(os.environ)
    env.update(
        PGHOST=db.get("HOST") or "127.0.0.1",
        PGPORT=str(db.get("PORT") or 5432),
        PGUSER=db.get("USER") or "postgres",
    )
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


@pytest.mark.django_db(transaction=True)
def test_dump_and_restore_keeps_counts_audit_chain_and_encrypted_notes(
    alice, client_record, settings, tmp_path, audit_certificate
):
    key = Fernet.generate_key().decode()
    settings.PROCESS_NOTES_KEYS = key
    pn_services.process_note_create(
        author=alice, client=client_record, text=SECRET_TEXT, key=process_note_key(alice)
    )
    contact_services.contact_note_create(
        client=client_record,
        author=alice,
        contact_at=timezone.now() - timedelta(hours=1),
        reason="treatment_update",
        means=["phone"],
        minutes=10,
        billable=False,
        summary="Restore drill contact",
        sign=True,
    )
    assert audit.verify().ok  # seals the trail and writes its checkpoint
    expected = {
        "clients": Client.objects.count(),
        "contact_notes": ContactNote.objects.count(),
        "process_notes": ProcessNote.objects.count(),
        "audit": AuditEvent.objects.count(),
        "last_hash": AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first(),
    }

    db = connection.settings_dict
    env = _pg_env(db)
    dump = tmp_path / "ehr.dump"
    # -Z0: uncompressed, so the checks below can look inside the file.
    subprocess.run(
        ["pg_dump", "--format=custom", "-Z0", "--no-owner", f"--file={dump}", db["NAME"]],
        env=env,
        check=True,
        timeout=120,
    )
    raw = dump.read_bytes()
    assert SECRET_TEXT.encode() not in raw  # process notes are ciphertext in the dump
    assert key.encode() not in raw  # and their key is not in it

    scratch = f"{db['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    subprocess.run(["createdb", scratch], env=env, check=True, timeout=60)
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={scratch}", str(dump)],
            env=env,
            check=True,
            timeout=120,
        )
        user = db.get("USER") or "postgres"
        url = f"postgres://{user}@{env['PGHOST']}:{env['PGPORT']}/{scratch}"
        run_env = dict(
            env,
            DATABASE_URL=url,
            DJANGO_SETTINGS_MODULE="practice.settings",
            # The checkpoints and the certificate live outside the database:
            # the restored copy is checked against the same ones.
            AUDIT_CHECKPOINT_DIR=str(settings.AUDIT_CHECKPOINT_DIR),
            PRACTICE_CERT_FILE=str(settings.PRACTICE_CERT_FILE),
            PRACTICE_KEY_FILE=str(settings.PRACTICE_KEY_FILE),
            PRACTICE_KEY_PASSPHRASE=settings.PRACTICE_KEY_PASSPHRASE,
        )

        def verify(keys: str) -> subprocess.CompletedProcess:
            return subprocess.run(
                [sys.executable, "-c", VERIFY],
                cwd=ROOT,
                env=dict(run_env, PROCESS_NOTES_KEYS=keys),
                capture_output=True,
                text=True,
                timeout=120,
            )

        restored = verify(key)
        assert restored.returncode == 0, restored.stderr
        found = json.loads(restored.stdout.strip().splitlines()[-1])
        for name, value in expected.items():
            assert found[name] == value, name
        assert found["chain_ok"], found["chain_reason"]
        assert found["chain_checked"] == expected["audit"]
        assert found["texts"] == [SECRET_TEXT]

        # Restored without the right key, the notes stay unreadable.
        wrong = verify(Fernet.generate_key().decode())
        assert wrong.returncode != 0
        assert SECRET_TEXT not in wrong.stdout + wrong.stderr
    finally:
        subprocess.run(
            ["dropdb", "--if-exists", "--force", scratch], env=env, check=False, timeout=60
        )
    listed = subprocess.run(
        ["psql", "-Atc", "SELECT datname FROM pg_database", "postgres"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert scratch not in listed.stdout.split()
