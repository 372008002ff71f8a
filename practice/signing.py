"""Shared pieces for signed, frozen records (progress notes, contact notes,
addenda): the canonical content hash and the PostgreSQL trigger that freezes a
row once it is signed.

The content hash is keyed: HMAC-SHA256 under SIGNED_RECORD_HMAC_KEY, a secret
held outside the database. Someone who can write the database can switch the
trigger off and change a signed note, but cannot compute the hash that would
make the change pass (docs/audit-trail.md); ``practice.integrity`` checks it on
every read of a signed note and in the chart export.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from django.conf import settings
from django.db import migrations


class FrozenRecordError(Exception):
    """Raised when code tries to change or delete a signed record."""


def canonical_json(data: dict[str, Any]) -> bytes:
    """Deterministic JSON: sorted keys, no whitespace, dates as ISO strings."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=str).encode("utf-8")


def content_hash(data: dict[str, Any]) -> str:
    """HMAC-SHA256 (hex) under SIGNED_RECORD_HMAC_KEY of the canonical JSON of a
    record's signed content."""
    return hmac.new(
        settings.SIGNED_RECORD_HMAC_KEY, canonical_json(data), hashlib.sha256
    ).hexdigest()


def hash_matches(stored: str, data: dict[str, Any]) -> bool:
    """Whether ``stored`` is the keyed hash of ``data`` (constant-time compare)."""
    return bool(stored) and hmac.compare_digest(stored, content_hash(data))


def signer_name(user) -> str:
    """The name a signature carries: the full name, or the username without one."""
    return user.get_full_name() or user.username


def signed_addendum_add(model, *, note, actor, text: str, now, request=None):
    """Write one signed addendum (``model`` is the note kind's addendum model):
    the signer, the time and the hash of its content, then audit the signature.

    The caller has checked that ``note`` is signed and ``actor`` may add to it;
    addenda are signed when written, so this is the only write they get.
    """
    from practice import audit
    from practice.models import AuditAction

    addendum = model(
        note=note,
        text=text,
        author=actor,
        signed_at=now,
        signer_name=signer_name(actor),
        signer_credentials=actor.credentials,
    )
    addendum.content_hash = content_hash(addendum.signed_content())
    addendum.save()
    audit.record(
        AuditAction.SIGN,
        request=request,
        user=actor,
        obj=addendum,
        client=note.client,
        detail={"note": str(note.uuid), "addendum": True},
    )
    return addendum


_TRIGGER = """
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF {locked} THEN
            RAISE EXCEPTION '{table}: signed records are frozen; DELETE rejected'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN OLD;
    END IF;
    IF {locked} AND (to_jsonb(NEW) - {mutable}::text[])
                    IS DISTINCT FROM (to_jsonb(OLD) - {mutable}::text[]) THEN
        RAISE EXCEPTION '{table}: signed records are frozen; UPDATE of signed content rejected'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS {name} ON {table};
CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {name}();
"""


def freeze_signed_rows(
    table: str,
    *,
    locked_when: str,
    mutable_columns: tuple[str, ...] = (),
    name: str = "",
) -> migrations.RunPython:
    """A migration operation: on PostgreSQL, once ``locked_when`` (an SQL
    expression on OLD, e.g. ``OLD.signed_at IS NOT NULL``) holds, the row can no
    longer be deleted and only ``mutable_columns`` may change (e.g. a
    co-signature or the export it was billed in). No-op on SQLite, where the
    application's own checks are the only guard. ``name`` tells apart several
    such triggers on one table (e.g. a second, stricter one after co-signing).
    """
    name = name or f"{table}_frozen_when_signed"
    mutable = "ARRAY[" + ",".join(f"'{c}'" for c in mutable_columns) + "]"
    create = _TRIGGER.format(name=name, table=table, locked=locked_when, mutable=mutable)
    drop = f"DROP TRIGGER IF EXISTS {name} ON {table}; DROP FUNCTION IF EXISTS {name}();"

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(create, params=None)

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(drop, params=None)

    return migrations.RunPython(forwards, backwards)
