"""The author's own use of the store, and what it leaves behind."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils.html import escape

from notes.psychotherapy import sealing
from notes.psychotherapy.models import ProcessNote
from practice.models import AuditAction, AuditEvent
from tests.factories import process_note_key
from tests.psychotherapy.conftest import KEY_A, KEY_B, SECRET

pytestmark = pytest.mark.django_db

NOTICE = (
    "Private process notes: only you can ever read these. Do not record session times, "
    "medication, diagnoses or test results here"
)


def _events(**filters):
    return AuditEvent.objects.filter(object_type="psychotherapy.processnote", **filters)


def _assert_no_text_anywhere_in_the_audit_trail(*needles):
    for event in AuditEvent.objects.all():
        blob = repr((event.detail, event.object_id, event.object_type, event.user_agent))
        for needle in needles:
            assert needle not in blob


def test_author_creates_reads_edits_and_deletes(alice, client_record, login):
    http = login(alice)
    form = http.get(reverse("psychotherapy:create", args=[client_record.uuid]))
    assert form.status_code == 200
    assert NOTICE in form.content.decode()
    assert b"private-zone" in form.content
    assert "Private — only you can see this" in form.content.decode()

    session = date.today() - timedelta(days=2)
    created = http.post(
        reverse("psychotherapy:create", args=[client_record.uuid]),
        {"text": SECRET, "session_date": session.isoformat()},
    )
    note = ProcessNote.objects.get()
    assert created.status_code == 302
    assert created.url == reverse("psychotherapy:detail", args=[note.uuid])
    assert note.author == alice and note.client == client_record
    assert note.session_date == session

    detail = http.get(created.url)
    assert detail.status_code == 200
    assert escape(SECRET).encode() in detail.content
    assert "no-store" in detail["Cache-Control"]

    listing = http.get(reverse("psychotherapy:list", args=[client_record.uuid]))
    assert str(note.uuid).encode() in listing.content
    assert b"Lorenzo" not in listing.content  # the list shows dates, never text

    edit_form = http.get(reverse("psychotherapy:edit", args=[note.uuid]))
    assert escape(SECRET).encode() in edit_form.content
    edited = http.post(
        reverse("psychotherapy:edit", args=[note.uuid]),
        {"text": "Revised: less about Lorenzo, more about me", "session_date": ""},
    )
    assert edited.status_code == 302
    note.refresh_from_db()
    assert note.session_date is None
    assert (
        sealing.decrypt_note(note, process_note_key(alice))
        == "Revised: less about Lorenzo, more about me"
    )

    confirm = http.get(reverse("psychotherapy:delete", args=[note.uuid]))
    assert confirm.status_code == 200 and ProcessNote.objects.exists()
    deleted = http.post(reverse("psychotherapy:delete", args=[note.uuid]))
    assert deleted.status_code == 302
    assert not ProcessNote.objects.exists()
    assert http.get(reverse("psychotherapy:detail", args=[note.uuid])).status_code == 404

    uid = str(note.uuid)
    assert _events(action=AuditAction.CREATE, object_id=uid, user=alice).count() == 1
    assert _events(action=AuditAction.VIEW, object_id=uid, user=alice).count() >= 2
    update = _events(action=AuditAction.UPDATE, object_id=uid, user=alice).get()
    assert update.detail["fields"] == ["session_date", "text"]
    delete = _events(action=AuditAction.DELETE_ATTEMPT, object_id=uid, user=alice).get()
    assert delete.detail == {"outcome": "deleted"}
    assert delete.client_uuid == client_record.uuid
    _assert_no_text_anywhere_in_the_audit_trail(SECRET, "Lorenzo", "Revised")


def test_deleting_takes_the_guardian_grants_with_the_row(alice, note, login):
    from notes.psychotherapy.models import ProcessNoteUserObjectPermission

    assert ProcessNoteUserObjectPermission.objects.filter(content_object=note).count() == 3
    login(alice).post(reverse("psychotherapy:delete", args=[note.uuid]))
    assert not ProcessNoteUserObjectPermission.objects.exists()


def test_saving_an_unchanged_form_writes_nothing(alice, note, login):
    before = note.ciphertext
    login(alice).post(reverse("psychotherapy:edit", args=[note.uuid]), {"text": SECRET})
    note.refresh_from_db()
    assert note.ciphertext == before
    assert not _events(action=AuditAction.UPDATE).exists()


def test_bad_input_is_explained_beside_the_field_and_the_text_is_kept(alice, client_record, login):
    tomorrow = date.today() + timedelta(days=1)
    response = login(alice).post(
        reverse("psychotherapy:create", args=[client_record.uuid]),
        {"text": "Keep this draft thought", "session_date": tomorrow.isoformat()},
    )
    assert response.status_code == 200
    assert b"The session date cannot be in the future." in response.content
    assert b"Keep this draft thought" in response.content
    assert not ProcessNote.objects.exists()


def test_blank_text_is_refused(alice, client_record, login):
    response = login(alice).post(
        reverse("psychotherapy:create", args=[client_record.uuid]), {"text": "   \n "}
    )
    assert response.status_code == 200
    assert b"Write something, or cancel." in response.content
    assert not ProcessNote.objects.exists()


def test_a_note_no_configured_key_can_open_shows_a_clear_error(alice, note, login, settings):
    settings.PROCESS_NOTES_KEYS = KEY_B  # the key that wrote it is gone
    response = login(alice).get(reverse("psychotherapy:detail", args=[note.uuid]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "This note cannot be decrypted with the configured keys" in body
    assert f"key id {note.key_id}" in body
    assert "Ask your practice admin to restore the key that wrote it." in body
    assert KEY_A not in body and KEY_B not in body
    failed = _events(action=AuditAction.VIEW, object_id=str(note.uuid)).get()
    assert failed.detail["decrypted"] is False


def test_editing_a_note_that_cannot_be_decrypted_is_refused_and_keeps_it(
    alice, note, login, settings
):
    before = note.ciphertext
    settings.PROCESS_NOTES_KEYS = KEY_B
    http = login(alice)
    response = http.post(reverse("psychotherapy:edit", args=[note.uuid]), {"text": "new"})
    assert response.status_code == 200
    assert b"cannot be decrypted" in response.content
    note.refresh_from_db()
    assert note.ciphertext == before


def test_one_unreadable_note_does_not_break_the_list_or_the_others(
    alice, client_record, write_note, login, settings
):
    old = write_note(alice, client_record, text="written under A")
    settings.PROCESS_NOTES_KEYS = f"{KEY_B}"
    new = write_note(alice, client_record, text="written under B")
    http = login(alice)
    assert http.get(reverse("psychotherapy:list", args=[client_record.uuid])).status_code == 200
    assert b"written under B" in http.get(reverse("psychotherapy:detail", args=[new.uuid])).content
    assert (
        b"cannot be decrypted" in http.get(reverse("psychotherapy:detail", args=[old.uuid])).content
    )


def test_without_any_key_the_store_says_it_is_unavailable_and_refuses_writes(
    alice, note, client_record, login, settings
):
    settings.PROCESS_NOTES_KEYS = ""
    http = login(alice)
    listing = http.get(reverse("psychotherapy:list", args=[client_record.uuid]))
    assert listing.status_code == 200
    assert b"no encryption key is configured" in listing.content

    new = http.post(
        reverse("psychotherapy:create", args=[client_record.uuid]), {"text": "anything"}
    )
    assert new.status_code == 503
    assert b"no encryption key is configured" in new.content
    assert ProcessNote.objects.count() == 1

    detail = http.get(reverse("psychotherapy:detail", args=[note.uuid]))
    assert detail.status_code == 503
    assert b"unavailable" in detail.content


def test_a_clinician_may_not_write_about_a_client_off_their_caseload_via_the_service(
    bob, client_record
):
    from notes.psychotherapy import services

    with pytest.raises(services.ServiceError):
        services.process_note_create(
            author=bob, client=client_record, text="x", key=process_note_key(bob)
        )
    assert not ProcessNote.objects.exists()


def test_messages_and_session_never_carry_the_text(alice, client_record, login):
    http = login(alice)
    response = http.post(
        reverse("psychotherapy:create", args=[client_record.uuid]),
        {"text": SECRET},
        follow=True,
    )
    assert response.status_code == 200
    session = http.session
    for value in dict(session.items()).values():
        assert "Lorenzo" not in repr(value)
    for morsel in http.cookies.values():
        assert "Lorenzo" not in morsel.value
