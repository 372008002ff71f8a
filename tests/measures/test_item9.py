"""PHQ-9 item 9 above 0: the alert fires, the next progress note is held until
its risk block is complete, and signing anyway records the override."""

from __future__ import annotations

import pytest

from clients import services as client_services
from notes import services as note_services
from notes.measures.rules import SUICIDE_ITEM_KEY, open_alerts
from practice.models import AuditAction, AuditEvent
from tests.factories import ClientFactory, ProgressNoteFactory
from tests.measures.conftest import phq9

pytestmark = pytest.mark.django_db


def test_the_alert_fires_on_a_positive_item9(give, client_record):
    result = give("phq9", phq9(6, item9=1))
    assert result.alert is True
    assert list(open_alerts(client_record)) == [result]


def test_no_alert_when_item9_is_zero_or_for_gad7(give, client_record):
    give("phq9", phq9(24, item9=0))
    give("gad7", [3] * 7)
    assert not open_alerts(client_record).exists()


def test_the_clinician_is_told_on_submit_on_the_chart_and_on_the_caseload(
    client_record, alice, login
):
    http = login(alice)
    answers = {f"item_{i}": "0" for i in range(1, 9)} | {"item_9": "2"}
    response = http.post(f"/measures/client/{client_record.uuid}/give/phq9/", answers, follow=True)
    page = response.content.decode()
    assert "PHQ-9 item 9 (thoughts of death or self-harm) was answered above 0" in page
    chart = http.get(f"/clients/{client_record.uuid}/").content.decode()
    assert "Suicide-item alert." in chart
    caseload = http.get("/clients/caseload/").content.decode()
    assert "Suicide-item alerts" in caseload and client_record.display_name in caseload


def test_the_next_note_is_blocked_without_a_risk_block(give, client_record, alice):
    give("phq9", phq9(12, item9=1))
    note = ProgressNoteFactory(client=client_record, author=alice)
    with pytest.raises(note_services.NoteRefused) as exc:
        note_services.note_sign(note=note, actor=alice)
    assert "positive phq-9 item 9" in exc.value.errors["override_reason"].lower()
    note.refresh_from_db()
    assert not note.is_signed


def test_a_completed_risk_block_signs_and_answers_the_alert(give, client_record, alice):
    give("phq9", phq9(12, item9=1))
    note = ProgressNoteFactory(
        client=client_record, author=alice, cssrs_result="negative", safety_plan="reviewed"
    )
    signed = note_services.note_sign(note=note, actor=alice)
    assert signed.necessity_missing == []
    assert not open_alerts(client_record).exists()
    # The note after that one is not held any more.
    later = ProgressNoteFactory(client=client_record, author=alice)
    assert note_services.note_sign(note=later, actor=alice).is_signed


def test_half_a_risk_block_is_not_enough(give, client_record, alice):
    give("phq9", phq9(12, item9=1))
    note = ProgressNoteFactory(client=client_record, author=alice, cssrs_result="negative")
    with pytest.raises(note_services.NoteRefused):
        note_services.note_sign(note=note, actor=alice)


def test_signing_anyway_records_the_override(give, client_record, alice):
    give("phq9", phq9(12, item9=1))
    note = ProgressNoteFactory(client=client_record, author=alice)
    signed = note_services.note_sign(
        note=note, actor=alice, override_reason="Client left early; risk assessed by phone after"
    )
    assert SUICIDE_ITEM_KEY in signed.necessity_missing
    assert signed.necessity_override_reason == "Client left early; risk assessed by phone after"
    event = AuditEvent.objects.filter(action=AuditAction.SIGN, object_id=str(note.uuid)).get()
    assert event.detail["override"] is True and SUICIDE_ITEM_KEY in event.detail["missing"]
    # The override answered the alert: it is on the signed note, not open any more.
    assert not open_alerts(client_record).exists()


def test_a_note_signed_before_the_alert_does_not_answer_it(give, client_record, alice):
    earlier = ProgressNoteFactory(
        client=client_record, author=alice, cssrs_result="negative", safety_plan="reviewed"
    )
    note_services.note_sign(note=earlier, actor=alice)
    give("phq9", phq9(3, item9=1))
    assert open_alerts(client_record).exists()


def test_the_sign_review_page_lists_the_missing_risk_block(give, client_record, alice, login):
    give("phq9", phq9(12, item9=1))
    note = ProgressNoteFactory(client=client_record, author=alice)
    page = login(alice).get(f"/notes/{note.uuid}/sign/").content.decode()
    assert "Risk assessment after a positive PHQ-9 item 9" in page


def test_another_clients_alert_does_not_hold_this_note(give, client_record, alice, ada):
    other = ClientFactory()
    client_services.care_team_add(client=other, clinician=alice, actor=ada)
    give("phq9", phq9(12, item9=1), client=other)
    note = ProgressNoteFactory(client=client_record, author=alice)
    assert note_services.note_sign(note=note, actor=alice).is_signed
