"""Every read and write of a progress note leaves an audit row, with ids and
field names only, never clinical text."""

import pytest
from django.db import DatabaseError, connection, transaction

from notes import services
from notes.models import ProgressNote
from practice.models import AuditEvent
from tests.notes.conftest import BODY
from tests.notes.test_editor import form_data

pytestmark = pytest.mark.django_db


def test_the_lifecycle_is_audited_without_clinical_text(team, alice, sam, sue, audrey, login):
    http = login(alice)
    http.post(
        f"/notes/client/{team.uuid}/new/",
        {"format": "soap", "service_type": "individual", "service_date": "2026-01-05"},
    )
    note = ProgressNote.objects.get(client=team)
    http.get(f"/notes/{note.uuid}/edit/")
    http.post(
        f"/notes/{note.uuid}/autosave/",
        form_data(note, subjective=BODY, start_time="09:00", end_time="09:45"),
    )
    http.post(f"/notes/{note.uuid}/sign/", {"override_reason": f"because {BODY}"})
    http.get(f"/notes/{note.uuid}/")
    http.post(f"/notes/{note.uuid}/addenda/", {"text": f"addendum {BODY}"})
    login(audrey).get(f"/notes/{note.uuid}/")
    login(sue).get(f"/notes/{note.uuid}/")

    events = AuditEvent.objects.filter(client_uuid=team.uuid).exclude(object_type="clients.client")
    trail = [(e.username, e.action, e.object_type) for e in events.order_by("id")]
    assert trail == [
        ("alice", "create", "notes.progressnote"),
        ("alice", "view", "notes.progressnote"),  # the editor
        ("alice", "view", "plans.treatmentplan"),  # the editor's treatment-plan goals
        ("alice", "update", "notes.progressnote"),  # the autosave
        ("alice", "sign", "notes.progressnote"),
        ("alice", "view", "notes.progressnote"),
        ("alice", "sign", "notes.progressnoteaddendum"),
        ("audrey", "view", "notes.progressnote"),
        ("sue", "view", "notes.progressnote"),
    ]
    for event in events:
        assert BODY not in str(event.detail)
    assert all(e.object_id == str(note.uuid) for e in events if e.object_type.endswith("note"))


def test_raw_sql_cannot_change_a_note_signed_through_the_service(signed):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL trigger")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE notes_progressnote SET cpt_code = '90832' WHERE id = %s", [signed.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE notes_progressnote SET status = 'draft' WHERE id = %s", [signed.pk])
    addendum = services.note_addendum_add(note=signed, actor=signed.author, text="x")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE notes_progressnoteaddendum SET text = 'y' WHERE id = %s", [addendum.pk])
    assert ProgressNote.objects.get(pk=signed.pk).hash_matches()
