"""Writes and reads of process notes. Each one audits with ids only: the audit
trail records that a note was created, read, changed or deleted, never what it
says. The text lives only in local variables marked sensitive, so Django's
error reports leave it out.

Every write and read takes ``key``: the author's data key as opened for this
session (``sealing.session_key``). Without it a note is sealed: nothing is
written and nothing is read."""

from __future__ import annotations

import uuid
from datetime import date

from django.db import transaction
from django.views.decorators.debug import sensitive_variables
from guardian.shortcuts import assign_perm

from clients.models import Client
from notes.psychotherapy import crypto, sealing
from notes.psychotherapy.access import AUTHOR_PERMISSIONS, OBJECT_TYPE, may_write_for
from notes.psychotherapy.models import ProcessNote
from practice import audit
from practice.models import AuditAction
from practice.refusals import Refused


class ServiceError(Refused):
    """A rule refused the change; the message is safe to show to the user."""


@sensitive_variables()
@transaction.atomic
def process_note_create(
    *,
    author,
    client: Client,
    text: str,
    key: bytes | None,
    session_date: date | None = None,
    request=None,
) -> ProcessNote:
    if not may_write_for(author, client):
        raise ServiceError("Only clinicians on this client's care team can keep process notes.")
    own_key = _require_own_key(author, key)
    note_uuid = uuid.uuid4()
    token, key_id, sealed_with = sealing.encrypt_note(own_key, note_uuid, text)
    note = ProcessNote(
        uuid=note_uuid,
        client=client,
        author=author,
        session_date=session_date,
        ciphertext=token,
        key_id=key_id,
        sealed_with=sealed_with,
    )
    note.full_clean()
    note.save()
    for codename in AUTHOR_PERMISSIONS:
        assign_perm(codename, author, note)
    audit.record(
        AuditAction.CREATE,
        request=request,
        user=author,
        obj=note,
        object_type=OBJECT_TYPE,
        client=client,
        detail={"key_id": key_id},
    )
    return note


def _require_own_key(author, key: bytes | None) -> bytes:
    """The author's own unsealed key, or ProcessNoteSealed."""
    own = sealing.author_key(author)
    if key is None or own is None or own.key_id != sealing.key_id_of(key):
        raise sealing.ProcessNoteSealed(
            "Your process notes are sealed in this session: nothing can be written or read "
            "until you unseal them."
        )
    return key


@sensitive_variables()
def process_note_read(
    *, note: ProcessNote, actor, key: bytes | None, request=None, purpose: str = "read"
) -> str:
    """Decrypt the note for its author and audit the read (also a failed one:
    a sealed note or a missing outer key)."""
    try:
        text = sealing.decrypt_note(note, key)
    except (crypto.ProcessNoteKeyError, sealing.ProcessNoteSealed) as exc:
        sealed = isinstance(exc, sealing.ProcessNoteSealed)
        audit.record(
            AuditAction.VIEW,
            request=request,
            user=actor,
            obj=note,
            object_type=OBJECT_TYPE,
            client=note.client,
            detail={
                "purpose": purpose,
                "decrypted": False,
                "sealed": sealed,
                "key_id": note.key_id,
            },
        )
        raise
    audit.record(
        AuditAction.VIEW,
        request=request,
        user=actor,
        obj=note,
        object_type=OBJECT_TYPE,
        client=note.client,
        detail={"purpose": purpose, "decrypted": True},
    )
    return text


@sensitive_variables()
@transaction.atomic
def process_note_update(
    *,
    note: ProcessNote,
    actor,
    text: str,
    key: bytes | None,
    session_date: date | None,
    changed: list[str],
    request=None,
) -> ProcessNote:
    own_key = _require_own_key(note.author, key)
    token, key_id, sealed_with = sealing.encrypt_note(own_key, note.uuid, text)
    note.ciphertext, note.key_id, note.sealed_with = token, key_id, sealed_with
    note.session_date = session_date
    note.full_clean()
    note.save(update_fields=["ciphertext", "key_id", "sealed_with", "session_date", "updated_at"])
    audit.record(
        AuditAction.UPDATE,
        request=request,
        user=actor,
        obj=note,
        object_type=OBJECT_TYPE,
        client=note.client,
        detail={"fields": sorted(changed), "key_id": key_id},
    )
    return note


@transaction.atomic
def process_note_delete(*, note: ProcessNote, actor, request=None) -> None:
    """Really delete the row: process notes are not part of the designated record
    set, so the author may destroy them (docs/decisions.md). The audit keeps the
    fact of the deletion; the guardian grants go with the row (CASCADE)."""
    note_uuid, client = note.uuid, note.client
    deleted, _ = ProcessNote.objects.filter(pk=note.pk).delete()
    if not deleted:
        raise ServiceError("This note was already deleted.")
    # AuditAction has no plain "delete" (records are otherwise never deleted);
    # the outcome says this attempt succeeded.
    audit.record(
        AuditAction.DELETE_ATTEMPT,
        request=request,
        user=actor,
        object_type=OBJECT_TYPE,
        object_id=str(note_uuid),
        client=client,
        detail={"outcome": "deleted"},
    )
