"""The editor: starting a note, autosave (JSON), "Save draft" without JS, hints, audit."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clients.schedule import services as scheduling
from notes import services
from notes.forms import NoteForm
from notes.language import hints_for_text
from notes.models import ProgressNote
from practice.models import AuditEvent
from tests.factories import ProgressNoteFactory

pytestmark = pytest.mark.django_db


def form_data(note, **overrides):
    """What the editor posts for ``note``, as a browser would send it."""
    data = {}
    for key, value in NoteForm.initial_from(note).items():
        if value is None:
            continue
        if isinstance(value, bool):
            if value:
                data[key] = "on"
            continue
        if hasattr(value, "strftime"):
            value = value.strftime("%H:%M") if "time" in key else value.isoformat()
        data[key] = value
    data.update(overrides)
    return data


def test_starting_a_note_creates_a_draft_with_the_primary_diagnosis(client_record, alice, login):
    http = login(alice)
    page = http.get(f"/notes/client/{client_record.uuid}/new/").content.decode()
    assert "SOAP" in page and "DAP" in page and "BIRP" in page
    response = http.post(
        f"/notes/client/{client_record.uuid}/new/",
        {
            "format": "dap",
            "service_type": "individual",
            "service_date": timezone.localdate().isoformat(),
        },
    )
    note = ProgressNote.objects.get(client=client_record)
    assert response.status_code == 302 and response["Location"] == f"/notes/{note.uuid}/edit/"
    assert note.format == "dap" and note.author == alice and not note.is_signed
    assert note.diagnoses == [{"code": "F41.1", "description": "Generalized anxiety disorder"}]
    assert AuditEvent.objects.filter(action="create", object_id=str(note.uuid)).exists()


def test_autosave_saves_and_answers_json(draft, alice, login):
    http = login(alice)
    response = http.post(
        f"/notes/{draft.uuid}/autosave/",
        form_data(draft, subjective="Typed in the editor", end_time="10:40"),
    )
    assert response.status_code == 200
    payload = response.json()
    assert payload["ok"] is True
    assert payload["saved_at"] == timezone.localtime(
        ProgressNote.objects.get(pk=draft.pk).updated_at
    ).strftime("%H:%M")
    assert set(payload["changed"]) >= {"subjective", "end_time", "cpt_code", "cpt_suggested"}
    assert (payload["minutes"], payload["cpt_suggested"]) == (40, "90834")
    draft.refresh_from_db()
    assert draft.subjective == "Typed in the editor" and draft.cpt_code == "90834"
    event = AuditEvent.objects.filter(action="update", object_id=str(draft.uuid)).get()
    assert event.detail["autosave"] is True and "subjective" in event.detail["fields"]
    assert "Typed in the editor" not in str(event.detail)


def test_autosave_with_nothing_changed_writes_and_audits_nothing(draft, alice, login):
    http = login(alice)
    before = draft.updated_at
    response = http.post(f"/notes/{draft.uuid}/autosave/", form_data(draft))
    assert response.json()["changed"] == []
    assert ProgressNote.objects.get(pk=draft.pk).updated_at == before
    assert not AuditEvent.objects.filter(action="update", object_id=str(draft.uuid)).exists()


def test_autosave_refuses_bad_values_with_field_errors(draft, alice, login):
    response = login(alice).post(
        f"/notes/{draft.uuid}/autosave/", form_data(draft, start_time="25:99")
    )
    assert response.status_code == 400
    assert "start_time" in response.json()["errors"]
    assert ProgressNote.objects.get(pk=draft.pk).start_time == draft.start_time


def test_autosave_after_the_session_expired_is_a_401_not_a_redirect(draft, client):
    response = client.post(f"/notes/{draft.uuid}/autosave/", {"subjective": "x"})
    assert response.status_code == 401
    assert response.json()["error"] == "session"


def test_autosave_is_post_only(draft, alice, login):
    assert login(alice).get(f"/notes/{draft.uuid}/autosave/").status_code == 405


def test_save_draft_without_javascript(draft, alice, login):
    http = login(alice)
    response = http.post(
        f"/notes/{draft.uuid}/edit/", form_data(draft, plan="Saved by the button", action="save")
    )
    assert response.status_code == 302
    assert ProgressNote.objects.get(pk=draft.pk).plan == "Saved by the button"
    # "Review and sign" saves first, then opens the review.
    response = http.post(
        f"/notes/{draft.uuid}/edit/", form_data(draft, plan="Then signed", action="sign")
    )
    assert response["Location"] == f"/notes/{draft.uuid}/sign/"
    assert ProgressNote.objects.get(pk=draft.pk).plan == "Then signed"


def test_the_draft_survives_sign_out_and_is_there_on_sign_in(draft, alice, login):
    login(alice).post(f"/notes/{draft.uuid}/autosave/", form_data(draft, plan="Before expiry"))
    page = login(alice).get(f"/notes/{draft.uuid}/edit/").content.decode()
    assert "Before expiry" in page


def test_diagnoses_come_from_the_clients_active_diagnoses(client_record, draft, alice, login):
    from tests.factories import DiagnosisFactory

    DiagnosisFactory(client=client_record, code="F32.1", description="MDD", is_primary=False)
    DiagnosisFactory(
        client=client_record,
        code="F43.10",
        description="PTSD",
        is_primary=False,
        resolved_date=timezone.localdate(),
    )
    http = login(alice)
    page = http.get(f"/notes/{draft.uuid}/edit/").content.decode()
    assert "F32.1 MDD" in page and "F43.10" not in page
    http.post(f"/notes/{draft.uuid}/autosave/", form_data(draft, diagnoses=["F41.1", "F32.1"]))
    draft.refresh_from_db()
    assert draft.diagnoses == [
        {"code": "F41.1", "description": "Generalized anxiety disorder"},
        {"code": "F32.1", "description": "MDD"},
    ]
    response = http.post(f"/notes/{draft.uuid}/autosave/", form_data(draft, diagnoses=["F43.10"]))
    assert response.status_code == 400
    with pytest.raises(services.NoteRefused):
        services.note_update(note=draft, actor=alice, diagnosis_codes=["Z99.9"])


def test_reads_of_the_editor_and_the_review_are_audited(draft, alice, login):
    http = login(alice)
    http.get(f"/notes/{draft.uuid}/edit/")
    http.get(f"/notes/{draft.uuid}/sign/")
    views = AuditEvent.objects.filter(action="view", object_id=str(draft.uuid))
    assert sorted(next(iter(e.detail)) for e in views) == ["editor", "sign_review"]


def test_sign_through_the_review_page(draft, alice, login):
    http = login(alice)
    response = http.post(f"/notes/{draft.uuid}/sign/", {"override_reason": ""})
    assert response.status_code == 302
    assert ProgressNote.objects.get(pk=draft.pk).is_signed


def test_the_review_page_shows_what_is_missing_and_signs_with_a_reason(client_record, alice, login):
    note = ProgressNoteFactory(client=client_record, author=alice, functional_impairment="")
    http = login(alice)
    page = http.get(f"/notes/{note.uuid}/sign/").content.decode()
    assert "Missing for an insurer" in page and "Functional impairment" in page
    response = http.post(f"/notes/{note.uuid}/sign/", {"override_reason": ""})
    assert response.status_code == 400
    assert "give the reason for signing without them" in response.content.decode()
    response = http.post(f"/notes/{note.uuid}/sign/", {"override_reason": "Assessed next time"})
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.necessity_missing == ["functional_impairment"]


def test_high_risk_review_shows_the_hard_requirements_and_no_sign_button(
    client_record, alice, login
):
    note = ProgressNoteFactory(client=client_record, author=alice, risk_level="high")
    page = login(alice).get(f"/notes/{note.uuid}/sign/").content.decode()
    assert "Complete before signing" in page
    assert "write the risk narrative" in page
    assert "Sign the note" not in page


# -- person-first language ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("Client is a cutter since age 14.", "engages in self-harm"),
        ("Her brother is an addict.", "has a substance use disorder"),
        ("He is a borderline, per prior records.", "has borderline personality disorder"),
        ("Client is homeless since March.", "is experiencing homelessness"),
        ("Father was schizophrenic.", "person with schizophrenia"),
        ("Uncle committed suicide in 2019.", "died by suicide"),
    ],
)
def test_person_first_language_hints(text, suggestion):
    hints = hints_for_text(text)
    assert len(hints) == 1 and suggestion in hints[0].suggestion


def test_no_hint_for_person_first_wording():
    assert not hints_for_text(
        "Client has a substance use disorder and is experiencing homelessness."
    )
    assert not hints_for_text("Client has a substance use disorder and lives with a friend.")


def test_hints_show_in_the_editor_and_before_signing_but_never_block(client_record, alice, login):
    note = ProgressNoteFactory(
        client=client_record, author=alice, subjective="Reports she is a cutter."
    )
    http = login(alice)
    assert (
        "consider “engages in self-harm" in http.get(f"/notes/{note.uuid}/edit/").content.decode()
    )
    response = http.post(
        f"/notes/{note.uuid}/autosave/",
        form_data(note, objective="Appears to be an addict? is an addict"),
    )
    assert any(h["field"] == "Objective" for h in response.json()["hints"])
    assert "Person-first language" in http.get(f"/notes/{note.uuid}/sign/").content.decode()
    assert http.post(f"/notes/{note.uuid}/sign/", {}).status_code == 302


# -- dashboard ----------------------------------------------------------------


def test_dashboard_lists_own_drafts_older_than_24_hours(client_record, alice, bob, login):
    old = ProgressNoteFactory(client=client_record, author=alice)
    ProgressNote.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=25))
    fresh = ProgressNoteFactory(client=client_record, author=alice)
    page = login(alice).get("/clients/caseload/").content.decode()
    assert "Unsigned drafts older than 24 hours" in page
    assert f"/notes/{old.uuid}/edit/" in page and f"/notes/{fresh.uuid}/edit/" not in page
    assert "Unsigned drafts" not in login(bob).get("/clients/caseload/").content.decode()


def test_supervisor_dashboard_lists_notes_awaiting_their_co_signature(sam_signed, sue, login):
    page = login(sue).get("/clients/caseload/").content.decode()
    assert "Notes awaiting your co-signature" in page and str(sam_signed.uuid) in page
    assert str(sam_signed.uuid) in login(sue).get("/notes/").content.decode()
    services.note_cosign(note=sam_signed, actor=sue)
    assert str(sam_signed.uuid) not in login(sue).get("/clients/caseload/").content.decode()


def test_a_new_note_links_the_session_booked_that_day(
    frozen_midday, client_record, alice, fran, login
):
    start = timezone.localtime().replace(second=0, microsecond=0) - timedelta(minutes=50)
    appointment = scheduling.appointment_book(
        client=client_record,
        clinician=alice,
        start=start,
        duration_minutes=45,
        service_type="individual",
        actor=fran,
        now=start - timedelta(days=1),
    )
    login(alice).post(
        f"/notes/client/{client_record.uuid}/new/",
        {
            "format": "soap",
            "service_type": "individual",
            "service_date": timezone.localdate().isoformat(),
        },
    )
    note = ProgressNote.objects.get(client=client_record)
    assert note.appointment == appointment
    assert note.start_time == start.time() and note.duration_minutes == 45
    assert note.cpt_suggested == "90834"
