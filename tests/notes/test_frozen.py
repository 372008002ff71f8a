"""The freeze of signed progress notes, below the service layer."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from notes.models import NoteStatus, ProgressNote
from practice.signing import FrozenRecordError
from tests.factories import ProgressNoteFactory

pytestmark = pytest.mark.django_db


def _sign_in_db(note: ProgressNote) -> ProgressNote:
    note.status = NoteStatus.SIGNED
    note.signed_at = timezone.now()
    note.signer_name = "Alice Adams"
    note.content_hash = note.compute_hash()
    note.save()
    return ProgressNote.objects.get(pk=note.pk)


def test_a_signed_note_refuses_orm_save_and_delete(client_record, alice):
    note = _sign_in_db(ProgressNoteFactory(client=client_record, author=alice))
    note.plan = "Changed after signing"
    with pytest.raises(FrozenRecordError):
        note.save()
    with pytest.raises(FrozenRecordError):
        note.delete()
    assert ProgressNote.objects.get(pk=note.pk).hash_matches()


@pytest.mark.postgres
def test_the_trigger_rejects_raw_sql_on_signed_content_but_allows_one_cosign(
    client_record, alice, sue
):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL trigger")
    note = _sign_in_db(ProgressNoteFactory(client=client_record, author=alice))
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE notes_progressnote SET plan = 'x' WHERE id = %s", [note.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM notes_progressnote WHERE id = %s", [note.pk])
    # The co-signature columns may be filled in once...
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE notes_progressnote SET cosigned_at = now(), cosigner_id = %s, "
            "cosigner_name = 'Sue Stone', cosign_hash = 'abc' WHERE id = %s",
            [sue.pk, note.pk],
        )
    # ...and are then frozen as well.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE notes_progressnote SET cosigner_name = 'x' WHERE id = %s", [note.pk])
    assert ProgressNote.objects.get(pk=note.pk).plan == note.plan


@pytest.mark.postgres
def test_a_draft_is_freely_editable_in_sql(client_record, alice):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL trigger")
    note = ProgressNoteFactory(client=client_record, author=alice)
    with connection.cursor() as cur:
        cur.execute("UPDATE notes_progressnote SET plan = 'edited' WHERE id = %s", [note.pk])
    assert ProgressNote.objects.get(pk=note.pk).plan == "edited"
