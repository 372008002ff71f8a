"""Signing factory-made progress notes in tests, through notes.services (the
same path as the editor's "Sign", co-sign and addendum buttons), so that a
test never holds a signature the application could not have made."""

from __future__ import annotations

from notes import services
from notes.models import ProgressNote

FIXTURE_REASON = "Chosen by the test fixture"


def sign_progress_note(note: ProgressNote, *, cosigner=None, addenda=()) -> ProgressNote:
    """Sign ``note`` as its author (keeping the CPT code the factory gave it,
    with a reason where it differs from the suggestion), co-sign it as
    ``cosigner`` and add ``addenda`` as (author, text) pairs."""
    author = note.author
    services.note_update(
        note=note, actor=author, cpt_code=note.cpt_code, cpt_override_reason=FIXTURE_REASON
    )
    services.note_sign(note=note, actor=author, override_reason=FIXTURE_REASON)
    if cosigner is not None:
        services.note_cosign(note=ProgressNote.objects.get(pk=note.pk), actor=cosigner)
    signed = ProgressNote.objects.get(pk=note.pk)
    for addendum_author, text in addenda:
        services.note_addendum_add(note=signed, actor=addendum_author, text=text)
    return ProgressNote.objects.get(pk=note.pk)
