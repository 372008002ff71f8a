"""The smaller frictions of the first week (issue 14, point 7), each checked
the way a user would notice it."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clients import services as client_services
from clients.models import CollateralContact, ReleaseOfInformation
from contacts import services as contact_services
from contacts.chart import PAGE_SIZE
from tests.documents.signing import sign_progress_note
from tests.factories import ClientFactory, CollateralFactory, ProgressNoteFactory, ReleaseFactory

pytestmark = pytest.mark.django_db


def test_first_new_client_after_the_demo_archive_record_gets_the_next_number(ada):
    ClientFactory(mrn="RB-000007")
    ClientFactory(mrn="RB-R09001")  # the retention demo's archive record
    ClientFactory(mrn="RB-0001234")  # another shape: not in the sequence
    assert client_services.next_mrn() == "RB-000008"


def test_revoke_is_not_offered_or_accepted_on_an_expired_release(client_record, fran, login):
    contact = CollateralFactory(client=client_record, name="Pat Rivera")
    today = timezone.localdate()
    expired = ReleaseFactory(
        contact=contact, signed_date=today - timedelta(days=400), expires_on=today - timedelta(1)
    )
    active = ReleaseFactory(contact=contact)
    http = login(fran)
    chart = http.get(reverse("records:chart", args=[client_record.uuid])).content.decode()
    assert reverse("clients:roi_revoke", args=[client_record.uuid, active.uuid]) in chart
    assert reverse("clients:roi_revoke", args=[client_record.uuid, expired.uuid]) not in chart
    response = http.post(
        reverse("clients:roi_revoke", args=[client_record.uuid, expired.uuid]), {"reason": "x"}
    )
    assert "already expired" in response.content.decode()
    assert ReleaseOfInformation.objects.get(pk=expired.pk).revoked_at is None


def test_a_previous_therapist_can_be_recorded(client_record, fran, login):
    login(fran).post(
        reverse("clients:collateral_add", args=[client_record.uuid]),
        {"name": "Dr. Former", "relationship": "previous_provider", "phone": "555-0111"},
    )
    contact = CollateralContact.objects.get()
    assert contact.get_relationship_display() == "Previous therapist / outside provider"


def test_a_note_signed_long_after_the_session_is_flagged_late(client_record, alice, login):
    today = timezone.localdate()
    late = sign_progress_note(
        ProgressNoteFactory(
            client=client_record,
            author=alice,
            service_date=today - timedelta(days=800),
            start_time=time(10),
            end_time=time(10, 53),
        )
    )
    on_time = sign_progress_note(
        ProgressNoteFactory(
            client=client_record,
            author=alice,
            service_date=today,
            start_time=time(10),
            end_time=time(10, 53),
        )
    )
    assert late.late_documentation_days == 800 and on_time.late_documentation_days is None
    http = login(alice)
    late_page = http.get(reverse("notes:detail", args=[late.uuid])).content.decode()
    assert "Late documentation" in late_page
    assert "Late documentation" not in (
        http.get(reverse("notes:detail", args=[on_time.uuid])).content.decode()
    )


def test_the_contact_log_pages_back_in_time_and_within_a_busy_period(
    client_record, alice, login
):
    now = timezone.now()
    for i in range(PAGE_SIZE + 2):
        contact_services.contact_note_create(
            client=client_record,
            author=alice,
            contact_at=now - timedelta(hours=i + 1),
            reason="treatment_update",
            means=["phone"],
            minutes=5,
            summary=f"note {i}",
        )
    contact_services.contact_note_create(
        client=client_record,
        author=alice,
        contact_at=now - timedelta(days=45),
        reason="treatment_update",
        means=["phone"],
        minutes=5,
        summary="OLD-CALL",
    )
    http = login(alice)
    url = reverse("records:chart", args=[client_record.uuid])
    body = http.get(url).content.decode()
    assert "OLD-CALL" not in body and "Page 1 of 2" in body
    assert "Older notes" in body and "Earlier period" in body
    today = timezone.localdate()
    earlier = (today - timedelta(days=61), today - timedelta(days=31))
    body = http.get(
        url, {"contacts_from": earlier[0].isoformat(), "contacts_to": earlier[1].isoformat()}
    ).content.decode()
    assert "OLD-CALL" in body and "Later period" in body
    page2 = http.get(url, {"contacts_page": 2}).content.decode()
    assert "Page 2 of 2" in page2 and "note 26" in page2


def test_the_audit_trail_says_a_process_note_list_was_opened_not_a_note(
    client_record, alice, ada, login
):
    login(alice).get(reverse("psychotherapy:list", args=[client_record.uuid]))
    body = login(ada).get(reverse("clients:audit", args=[client_record.uuid])).content.decode()
    assert "Process note list (their own; no note opened)" in body


