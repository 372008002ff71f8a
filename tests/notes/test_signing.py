"""Signing: the medical-necessity check, risk requirements, freezing, co-signature, addenda."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.utils import timezone

from notes import necessity, services
from notes.models import NoteStatus, ProgressNote, ProgressNoteAddendum
from practice.models import AuditEvent
from practice.signing import FrozenRecordError, content_hash
from tests.factories import ProgressNoteFactory

pytestmark = pytest.mark.django_db


def _bare(client, author, **kw):
    """A draft with the session times but none of the necessity elements."""
    fields = {
        "diagnoses": [],
        "interventions": [],
        "symptoms": "",
        "functional_impairment": "",
        "progress": "",
        "plan": "",
        "risk_level": "",
        **kw,
    }
    return ProgressNoteFactory(client=client, author=author, **fields)


def test_a_complete_note_signs_and_records_signer_credentials_time_and_hash(draft, alice):
    assert necessity.missing_items(draft) == []
    note = services.note_sign(note=draft, actor=alice)
    assert note.status == NoteStatus.SIGNED
    assert note.signer_name == "Alice Adams"
    assert note.signer_credentials == "LCSW"
    assert note.signed_at is not None
    assert len(note.content_hash) == 64
    assert note.content_hash == content_hash(note.signed_content())
    assert note.hash_matches()
    assert note.necessity_missing == [] and note.necessity_override_reason == ""
    assert AuditEvent.objects.filter(action="sign", object_id=str(note.uuid)).count() == 1


def test_missing_necessity_items_block_signing_without_a_reason(client_record, alice):
    note = _bare(client_record, alice)
    keys = [m.key for m in necessity.missing_items(note)]
    assert keys == [
        "covered_diagnosis",
        "symptoms",
        "functional_impairment",
        "interventions",
        "progress",
        "plan",
        "risk_assessment",
    ]
    with pytest.raises(services.NoteRefused) as exc:
        services.note_sign(note=note, actor=alice)
    assert "override_reason" in exc.value.errors
    assert "functional impairment" in exc.value.errors["override_reason"]
    assert ProgressNote.objects.get(pk=note.pk).status == NoteStatus.DRAFT


def test_an_explicit_override_reason_signs_and_is_recorded(client_record, alice):
    note = _bare(client_record, alice, symptoms="Worry", plan="Weekly")
    signed = services.note_sign(
        note=note, actor=alice, override_reason="Crisis walk-in; intake to follow"
    )
    assert signed.is_signed
    assert signed.necessity_missing == [
        "covered_diagnosis",
        "functional_impairment",
        "interventions",
        "progress",
        "risk_assessment",
    ]
    assert signed.necessity_override_reason == "Crisis walk-in; intake to follow"
    # The override is covered by the signature.
    assert signed.signed_content()["necessity_override_reason"] == signed.necessity_override_reason
    assert signed.hash_matches()
    event = AuditEvent.objects.get(action="sign", object_id=str(note.uuid))
    assert event.detail["override"] is True
    assert "Crisis walk-in" not in str(event.detail)  # reasons stay out of the audit detail


def test_a_non_f_code_is_not_a_covered_diagnosis(client_record, alice):
    note = ProgressNoteFactory(
        client=client_record,
        author=alice,
        diagnoses=[{"code": "Z63.0", "description": "Relationship distress"}],
    )
    assert [m.key for m in necessity.missing_items(note)] == ["covered_diagnosis"]


def test_birp_response_and_intervention_sections_count_for_necessity(client_record, alice):
    note = ProgressNoteFactory(
        client=client_record,
        author=alice,
        format="birp",
        interventions=[],
        progress="",
        intervention="Exposure hierarchy",
        response="Engaged",
    )
    assert necessity.missing_items(note) == []


@pytest.mark.parametrize("level", ["moderate", "high"])
def test_elevated_risk_needs_narrative_and_safety_plan_and_no_override_excuses_it(
    level, client_record, alice
):
    note = ProgressNoteFactory(client=client_record, author=alice, risk_level=level)
    with pytest.raises(services.NoteRefused) as exc:
        services.note_sign(note=note, actor=alice, override_reason="I will document it later")
    assert set(exc.value.errors) == {"risk_narrative", "safety_plan"}
    services.note_update(note=note, actor=alice, risk_narrative="Passive SI, no plan or intent.")
    with pytest.raises(services.NoteRefused) as exc:
        services.note_sign(note=note, actor=alice, override_reason="later")
    assert set(exc.value.errors) == {"safety_plan"}
    services.note_update(note=note, actor=alice, safety_plan="created")
    assert services.note_sign(note=note, actor=alice).is_signed


@pytest.mark.parametrize("level", ["none", "low"])
def test_low_or_no_risk_needs_no_narrative(level, client_record, alice):
    note = ProgressNoteFactory(client=client_record, author=alice, risk_level=level)
    assert services.note_sign(note=note, actor=alice).is_signed


def test_signing_needs_session_times_and_a_past_service_date(client_record, alice):
    note = ProgressNoteFactory(
        client=client_record,
        author=alice,
        start_time=None,
        service_date=timezone.localdate() + timedelta(days=1),
    )
    with pytest.raises(services.NoteRefused) as exc:
        services.note_sign(note=note, actor=alice, override_reason="x")
    assert {"start_time", "service_date"} <= set(exc.value.errors)


def test_two_sign_clicks_sign_once(draft, alice):
    services.note_sign(note=draft, actor=alice)
    with pytest.raises(services.NoteRefused):
        services.note_sign(note=draft, actor=alice)
    assert AuditEvent.objects.filter(action="sign", object_id=str(draft.uuid)).count() == 1


def test_only_the_author_signs(draft, bob):
    with pytest.raises(services.NoteRefused):
        services.note_sign(note=draft, actor=bob)


def test_a_signed_note_is_frozen_for_the_service_the_orm_and_the_editor(signed, alice, login):
    with pytest.raises(services.NoteRefused):
        services.note_update(note=signed, actor=alice, plan="changed")
    fresh = ProgressNote.objects.get(pk=signed.pk)
    fresh.plan = "changed"
    with pytest.raises(FrozenRecordError):
        fresh.save()
    with pytest.raises(FrozenRecordError):
        fresh.delete()
    http = login(alice)
    assert http.get(f"/notes/{signed.uuid}/edit/").status_code == 403
    assert http.post(f"/notes/{signed.uuid}/edit/", {"plan": "x"}).status_code == 403
    assert http.post(f"/notes/{signed.uuid}/autosave/", {"plan": "x"}).status_code == 403
    assert http.post(f"/notes/{signed.uuid}/sign/").status_code == 403
    page = http.get(f"/notes/{signed.uuid}/").content.decode()
    assert "Continue the draft" not in page and "/edit/" not in page
    assert ProgressNote.objects.get(pk=signed.pk).hash_matches()


def test_no_admin_registration_for_progress_notes():
    # The operator console has no clinical model: nothing there can change a note.
    assert ProgressNote not in admin.site._registry
    assert ProgressNoteAddendum not in admin.site._registry


def test_addenda_are_signed_frozen_and_listed_in_order(signed, alice, login):
    first = services.note_addendum_add(note=signed, actor=alice, text="First correction")
    second = services.note_addendum_add(note=signed, actor=alice, text="Second correction")
    assert first.signer_name == "Alice Adams" and first.signer_credentials == "LCSW"
    assert first.content_hash == content_hash(first.signed_content())
    with pytest.raises(FrozenRecordError):
        first.save()
    with pytest.raises(FrozenRecordError):
        first.delete()
    assert list(signed.addenda.all()) == [first, second]
    assert signed.display_status() == "Amended"
    page = login(alice).get(f"/notes/{signed.uuid}/").content.decode()
    assert page.index("First correction") < page.index("Second correction")
    # The note itself is untouched.
    assert ProgressNote.objects.get(pk=signed.pk).hash_matches()


def test_addenda_need_a_signed_note_and_text(draft, signed, alice):
    with pytest.raises(services.NoteRefused):
        services.note_addendum_add(note=draft, actor=alice, text="x")
    with pytest.raises(services.NoteRefused) as exc:
        services.note_addendum_add(note=signed, actor=alice, text="   ")
    assert "text" in exc.value.errors


def test_addendum_form_posts_and_refuses_empty_text(signed, alice, login):
    http = login(alice)
    response = http.post(f"/notes/{signed.uuid}/addenda/", {"text": ""})
    assert response.status_code == 400
    # The refused form shows the note again: that read is audited like any other.
    assert signed.subjective in response.content.decode()
    assert AuditEvent.objects.filter(action="view", user=alice, object_id=str(signed.uuid)).exists()
    response = http.post(f"/notes/{signed.uuid}/addenda/", {"text": "Late entry: called GP"})
    assert response.status_code == 302
    assert signed.addenda.get().text == "Late entry: called GP"


# -- co-signature -------------------------------------------------------------


def test_a_pre_licensed_authors_note_awaits_co_signature(sam_signed):
    assert sam_signed.cosign_required
    assert sam_signed.awaiting_cosign
    assert not sam_signed.is_billable
    assert sam_signed.display_status() == "Awaiting co-signature"


def test_the_authors_supervisor_co_signs_once(sam_signed, sue, login):
    http = login(sue)
    assert http.post(f"/notes/{sam_signed.uuid}/cosign/").status_code == 302
    note = ProgressNote.objects.get(pk=sam_signed.pk)
    assert note.cosigner == sue and note.cosigner_name == "Sue Stone"
    assert note.cosigner_credentials == "PhD"
    assert len(note.cosign_hash) == 64
    assert note.cosign_hash == content_hash(services.cosign_content(note))
    assert note.display_status() == "Co-signed" and note.is_billable
    assert note.hash_matches()  # the author's signature is untouched
    # A second click: refused, nothing changes, one audit row.
    assert http.post(f"/notes/{sam_signed.uuid}/cosign/").status_code == 403
    with pytest.raises(services.NoteRefused):
        services.note_cosign(note=note, actor=sue)
    assert ProgressNote.objects.get(pk=note.pk).cosigned_at == note.cosigned_at
    assert AuditEvent.objects.filter(action="cosign", object_id=str(note.uuid)).count() == 1


def test_only_the_authors_supervisor_co_signs(sam_signed, alice, sue, bob, login):
    other_supervisor = type(sue).objects.create(username="sup2")
    for user in (alice, other_supervisor):
        with pytest.raises(services.NoteRefused):
            services.note_cosign(note=sam_signed, actor=user)
    # Alice reads the note (care team) but may not co-sign it: 403.
    assert login(alice).post(f"/notes/{sam_signed.uuid}/cosign/").status_code == 403
    assert login(bob).post(f"/notes/{sam_signed.uuid}/cosign/").status_code == 404
    assert ProgressNote.objects.get(pk=sam_signed.pk).cosigned_at is None


def test_a_licensed_authors_note_needs_no_co_signature(signed, sue):
    assert not signed.cosign_required
    with pytest.raises(services.NoteRefused):
        services.note_cosign(note=signed, actor=sue)


def test_the_supervisor_sees_the_co_sign_button_the_author_does_not(sam_signed, sam, sue, login):
    assert "Co-sign as" in login(sue).get(f"/notes/{sam_signed.uuid}/").content.decode()
    page = login(sam).get(f"/notes/{sam_signed.uuid}/").content.decode()
    assert "Co-sign as" not in page and "Awaiting co-signature" in page


def test_the_author_discards_a_draft_never_a_signed_note(client_record, alice, bob, login):
    draft = ProgressNoteFactory(client=client_record, author=alice)
    with pytest.raises(services.NoteRefused):
        services.note_discard(note=draft, actor=bob)
    assert login(alice).post(f"/notes/{draft.uuid}/discard/").status_code == 302
    assert not ProgressNote.objects.filter(pk=draft.pk).exists()
    event = AuditEvent.objects.get(action="delete_attempt", object_id=str(draft.uuid))
    assert event.detail["outcome"] == "deleted"
    signed = services.note_sign(
        note=ProgressNoteFactory(client=client_record, author=alice), actor=alice
    )
    assert login(alice).post(f"/notes/{signed.uuid}/discard/").status_code == 403
    with pytest.raises(services.NoteRefused):
        services.note_discard(note=signed, actor=alice)
    assert ProgressNote.objects.filter(pk=signed.pk).exists()


def test_signing_reads_the_draft_under_a_row_lock(draft, alice):
    """An autosave landing between the read and the update would leave a hash of
    older content on the note: the sign locks the row before reading it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        services.note_sign(note=draft, actor=alice)
    reads = [q["sql"] for q in ctx.captured_queries if 'FROM "notes_progressnote"' in q["sql"]]
    assert reads and "FOR UPDATE" in reads[0]
    signed = ProgressNote.objects.get(pk=draft.pk)
    assert signed.hash_matches()
