"""Signed notes carry a keyed hash (HMAC under SIGNED_RECORD_HMAC_KEY). Someone
with the database who changes a signed note below the application, freeze
trigger off, and recomputes an unkeyed hash is caught: on the note page, in the
printed and exported PDFs, and by `verify_audit_chain` (issue 13, attack 4)."""

from __future__ import annotations

import hashlib
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from contacts import services as contact_services
from notes.models import ProgressNote
from practice.models import AuditAction, AuditEvent
from practice.signing import canonical_json, content_hash
from tests.documents.signing import sign_progress_note
from tests.factories import ProgressNoteFactory

pytestmark = pytest.mark.django_db

ORIGINAL = "Client reports sleeping better since the last session."
FORGED = "Client denies any suicidal ideation."


def _rewrite(table: str, pk: int, **values):
    """UPDATE a signed row as the app's database role can: freeze trigger off,
    write, trigger on."""
    columns = ", ".join(f"{name} = %s" for name in values)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute(f"UPDATE {table} SET {columns} WHERE id = %s", [*values.values(), pk])
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def _unkeyed(record) -> str:
    return hashlib.sha256(canonical_json(record.signed_content())).hexdigest()


@pytest.fixture
def signed_note(alice, client_record):
    return sign_progress_note(
        ProgressNoteFactory(
            client=client_record,
            author=alice,
            service_date=timezone.localdate() - timedelta(days=2),
            subjective=ORIGINAL,
        ),
        addenda=[(alice, "Addendum: the client asked for an earlier slot.")],
    )


def _forge_progress_note(note: ProgressNote) -> ProgressNote:
    forged = ProgressNote.objects.get(pk=note.pk)
    forged.subjective = FORGED
    _rewrite("notes_progressnote", note.pk, subjective=FORGED, content_hash=_unkeyed(forged))
    return ProgressNote.objects.get(pk=note.pk)


def _failures(obj):
    return AuditEvent.objects.filter(action=AuditAction.INTEGRITY_FAILURE, object_id=str(obj.uuid))


def test_the_content_hash_is_keyed(signed_note, settings):
    content = signed_note.signed_content()
    assert signed_note.content_hash == content_hash(content)
    assert signed_note.content_hash != _unkeyed(signed_note)
    settings.SIGNED_RECORD_HMAC_KEY = b"another-key-" * 4
    assert not signed_note.hash_matches()


def test_an_untouched_signed_note_reads_intact_without_a_warning(signed_note, alice, login):
    response = login(alice).get(reverse("notes:detail", args=[signed_note.uuid]))
    assert response.status_code == 200
    assert b"Integrity warning" not in response.content
    assert b"Intact" in response.content
    assert not _failures(signed_note).exists()


def test_a_note_rewritten_with_a_recomputed_unkeyed_hash_shows_a_warning_and_is_audited(
    signed_note, alice, audrey, login
):
    forged = _forge_progress_note(signed_note)
    assert not forged.hash_matches()
    for reader in (alice, audrey):
        response = login(reader).get(reverse("notes:detail", args=[forged.uuid]))
        assert response.status_code == 200
        assert b"Integrity warning" in response.content
        assert b"Does not match the note" in response.content
    events = _failures(forged)
    assert events.count() == 2
    assert {e.user for e in events} == {alice, audrey}
    assert events.first().detail == {"hash": "content", "context": "note_page"}
    assert events.first().client_uuid == forged.client.uuid


def test_a_rewritten_addendum_shows_a_warning(signed_note, alice, login):
    addendum = signed_note.addenda.get()
    _rewrite("notes_progressnoteaddendum", addendum.pk, text="Addendum: nothing to add.")
    response = login(alice).get(reverse("notes:detail", args=[signed_note.uuid]))
    assert b"Integrity warning" in response.content
    assert b"Addendum does not match its signed hash" in response.content
    assert _failures(addendum).count() == 1


def test_a_rewritten_contact_note_shows_a_warning(alice, client_record, login):
    note = contact_services.contact_note_create(
        client=client_record,
        author=alice,
        contact_at=timezone.now() - timedelta(hours=1),
        reason="treatment_update",
        means=["phone"],
        minutes=10,
        billable=False,
        summary="Spoke with the client about the new schedule.",
        sign=True,
    )
    note.summary = "Client agreed to stop treatment."
    _rewrite("contacts_contactnote", note.pk, summary=note.summary, content_hash=_unkeyed(note))
    response = login(alice).get(reverse("contacts:detail", args=[note.uuid]))
    assert response.status_code == 200
    assert b"Integrity warning" in response.content
    assert _failures(note).count() == 1


def test_verify_audit_chain_fails_on_a_rewritten_note(signed_note, audit_certificate, capsys):
    call_command("verify_audit_chain")
    assert "Signed records intact" in capsys.readouterr().out
    forged = _forge_progress_note(signed_note)
    # The addendum's signature covers the note's hash, so it fails with it; the
    # client's treatment plan (tests/conftest.py) is the third signed record.
    with pytest.raises(CommandError, match=f"CHANGED after signing: 2 of 3 .*{forged.uuid}"):
        call_command("verify_audit_chain")
    assert _failures(forged).get().detail["context"] == "verify_command"


def test_the_chart_export_marks_a_rewritten_note(
    signed_note, audrey, login, documents_settings, django_capture_on_commit_callbacks, tmp_path
):
    from practice.documents.models import DocumentJob, JobStatus
    from tests.documents.helpers import job_bytes, pdf_pages

    forged = _forge_progress_note(signed_note)
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        login(audrey).post(
            reverse("records:chart_export"),
            {
                "client": str(forged.client.uuid),
                "start": (today - timedelta(days=30)).isoformat(),
                "end": today.isoformat(),
            },
        )
    job = DocumentJob.objects.get(requested_by=audrey)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    data = job_bytes(job)
    if os.environ.get("SCREENSHOT_DIR"):  # to look at it: pdftoppm -png
        (Path(os.environ["SCREENSHOT_DIR"]) / "chart-export-integrity.pdf").write_bytes(data)
    text = " ".join(" ".join(pdf_pages(data, tmp_path)).split())
    assert "Integrity warning: 2 signed records in this export do not match" in text
    assert "INTEGRITY WARNING: this note does not match" in text
    assert "INTEGRITY WARNING: this addendum does not match" in text
    event = _failures(forged).get()
    assert event.user == audrey and event.detail["context"] == "chart_export"


def test_records_hashed_before_the_key_are_rehashed_once_and_only_once(
    signed_note, alice, client_record, capsys
):
    """After upgrading: a note and addendum still carrying the old unkeyed hash
    move to the keyed hash; a note that matches neither is listed and left; a
    second run is refused (an unkeyed hash then means a rewrite)."""
    _rewrite("notes_progressnote", signed_note.pk, content_hash=_unkeyed(signed_note))
    old_note = ProgressNote.objects.get(pk=signed_note.pk)
    addendum = old_note.addenda.get()
    _rewrite("notes_progressnoteaddendum", addendum.pk, content_hash=_unkeyed(addendum))
    changed = sign_progress_note(ProgressNoteFactory(client=client_record, author=alice))
    _rewrite("notes_progressnote", changed.pk, subjective=FORGED)
    assert not old_note.hash_matches()

    call_command("rehash_signed_records")

    note = ProgressNote.objects.get(pk=signed_note.pk)
    assert note.hash_matches() and note.addenda.get().hash_matches()
    assert not ProgressNote.objects.get(pk=changed.pk).hash_matches()
    assert str(changed.uuid) in capsys.readouterr().out
    event = AuditEvent.objects.get(action=AuditAction.KEY_ROTATION)
    assert event.detail["mismatched"] == 1
    assert event.detail["rehashed"] == {"notes.progressnote": 1, "notes.progressnoteaddendum": 1}

    forged = _forge_progress_note(note)
    with pytest.raises(CommandError, match="already re-hashed"):
        call_command("rehash_signed_records")
    assert not ProgressNote.objects.get(pk=forged.pk).hash_matches()


def test_checking_a_chart_exports_records_takes_no_query_per_note(alice, client_record):
    from django.test.utils import CaptureQueriesContext

    from clients.records import chart_export
    from contacts.models import ContactNote
    from notes.models import ProgressNote
    from practice import integrity

    today = timezone.localdate()
    for days in (3, 4, 5):
        sign_progress_note(
            ProgressNoteFactory(
                client=client_record, author=alice, service_date=today - timedelta(days=days)
            ),
            addenda=[(alice, f"Addendum {days}")],
        )
    contact_services.contact_note_create(
        client=client_record,
        author=alice,
        contact_at=timezone.now() - timedelta(hours=1),
        reason="treatment_update",
        means=["phone"],
        minutes=10,
        billable=False,
        summary="Spoke with the client.",
        sign=True,
    )
    # The export loads its notes a part at a time, with what the check reads.
    notes = [
        *chart_export.progress_notes_part(
            list(ProgressNote.objects.filter(client=client_record).values_list("id", flat=True))
        ),
        *chart_export.contact_notes_part(
            list(ContactNote.objects.filter(client=client_record).values_list("id", flat=True))
        ),
    ]
    signed = [record for note in notes for record in (note, *note.addenda.all())]
    assert len(signed) == 7
    with CaptureQueriesContext(connection) as queries:
        failed = integrity.check_signed(signed, context="chart_export")
    assert failed == [] and all(r.integrity_ok for r in signed)
    assert len(queries) == 0, [q["sql"] for q in queries]
