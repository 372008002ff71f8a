"""Signing progress notes for tests, below the (parallel) notes service layer:
the same columns notes.services fills in, set directly."""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

from notes.models import NoteStatus, ProgressNote, ProgressNoteAddendum
from practice.signing import content_hash


def sign_progress_note(note: ProgressNote, *, cosigner=None, addenda=()) -> ProgressNote:
    note.status = NoteStatus.SIGNED
    note.signed_at = timezone.now()
    note.signer_name = note.author.get_full_name() or note.author.username
    note.signer_credentials = note.author.credentials
    note.cosign_required = bool(note.author.requires_cosign)
    note.content_hash = note.compute_hash()
    note.save()
    note = ProgressNote.objects.get(pk=note.pk)
    if cosigner is not None:
        now = timezone.now()
        cosign_hash = content_hash({"note_hash": note.content_hash, "cosigner": str(cosigner.uuid)})
        with connection.cursor() as cur:
            cur.execute(
                "UPDATE notes_progressnote SET cosigned_at = %s, cosigner_id = %s, "
                "cosigner_name = %s, cosigner_credentials = %s, cosign_hash = %s WHERE id = %s",
                [
                    now,
                    cosigner.pk,
                    cosigner.get_full_name() or cosigner.username,
                    cosigner.credentials,
                    cosign_hash,
                    note.pk,
                ],
            )
        note = ProgressNote.objects.get(pk=note.pk)
    for author, text in addenda:
        addendum = ProgressNoteAddendum(
            note=note,
            text=text,
            author=author,
            signed_at=timezone.now(),
            signer_name=author.get_full_name() or author.username,
            signer_credentials=author.credentials,
            content_hash="",
        )
        addendum.content_hash = content_hash(addendum.signed_content())
        addendum.save()
    return note
