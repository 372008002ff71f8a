"""Break-the-glass: time-boxed, flagged, audited, reviewed, read-only, never process notes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.models import EmergencyAccess
from practice.models import AuditAction, AuditEvent
from tests.factories import process_note_key

REASON = "Crisis call from the client; Dr Adams is on leave today."


def open_emergency(http, client_record, reason=REASON):
    return http.post(
        reverse("clients:emergency_start"),
        {"mrn": client_record.mrn, "reason": reason, "confirm": "on"},
    )


def test_outsider_gets_404_until_emergency_access(login, bob, client_record):
    http = login(bob)
    chart = reverse("records:chart", args=[client_record.uuid])
    assert http.get(chart).status_code == 404
    response = open_emergency(http, client_record)
    assert response.status_code == 302 and response["Location"] == chart
    page = http.get(chart)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Emergency access." in html and "Zebulon" in html
    grant = EmergencyAccess.objects.get(user=bob, client=client_record)
    assert grant.reason == REASON
    assert grant.expires_at - grant.started_at == timedelta(minutes=60)
    start = AuditEvent.objects.get(action=AuditAction.EMERGENCY_ACCESS, detail__event="start")
    assert start.username == "bob" and start.client_uuid == client_record.uuid
    assert REASON not in str(start.detail)  # the reason stays on the grant, not in the log
    uses = AuditEvent.objects.filter(action=AuditAction.EMERGENCY_ACCESS, detail__event="use")
    assert uses.count() == 1 and uses.get().detail["grant"] == str(grant.uuid)


def test_emergency_access_is_read_only(login, bob, client_record):
    http = login(bob)
    open_emergency(http, client_record)
    assert http.get(reverse("clients:edit", args=[client_record.uuid])).status_code == 403
    assert http.get(reverse("clients:diagnosis_add", args=[client_record.uuid])).status_code == 403
    assert http.get(reverse("contacts:create", args=[client_record.uuid])).status_code in (403,)
    assert http.get(reverse("clients:audit", args=[client_record.uuid])).status_code == 403


def test_emergency_access_never_opens_process_notes(login, alice, bob, client_record, settings):
    from cryptography.fernet import Fernet

    settings.PROCESS_NOTES_KEYS = Fernet.generate_key().decode()
    from notes.psychotherapy import services as pn_services

    note = pn_services.process_note_create(
        author=alice,
        client=client_record,
        text="Private hypothesis.",
        key=process_note_key(alice),
        session_date=None,
    )
    http = login(bob)
    open_emergency(http, client_record)
    chart = http.get(reverse("records:chart", args=[client_record.uuid])).content.decode()
    assert "process note" not in chart.lower()
    assert http.get(reverse("psychotherapy:detail", args=[note.uuid])).status_code == 404
    assert http.get(reverse("psychotherapy:list", args=[client_record.uuid])).status_code == 404


def test_emergency_access_expires(login, bob, client_record):
    http = login(bob)
    open_emergency(http, client_record)
    EmergencyAccess.objects.filter(user=bob).update(
        started_at=timezone.now() - timedelta(minutes=61),
        expires_at=timezone.now() - timedelta(minutes=1),
    )
    assert http.get(reverse("records:chart", args=[client_record.uuid])).status_code == 404


def test_reason_is_required_and_mrn_must_exist(login, bob, client_record):
    http = login(bob)
    short = open_emergency(http, client_record, reason="need it")
    assert short.status_code == 200 and "at least 15 characters" in short.content.decode()
    missing = http.post(
        reverse("clients:emergency_start"),
        {"mrn": "NOPE-1", "reason": REASON, "confirm": "on"},
    )
    assert "No client has this MRN" in missing.content.decode()
    unconfirmed = http.post(
        reverse("clients:emergency_start"), {"mrn": client_record.mrn, "reason": REASON}
    )
    assert unconfirmed.status_code == 200
    assert not EmergencyAccess.objects.exists()


def test_care_team_member_is_sent_to_the_chart_without_a_grant(login, alice, client_record):
    response = open_emergency(login(alice), client_record)
    assert response["Location"] == reverse("records:chart", args=[client_record.uuid])
    assert not EmergencyAccess.objects.exists()


@pytest.mark.parametrize("who", ["fran", "bill", "audrey", "ada", "root"])
def test_only_clinicians_can_break_the_glass(login, people, client_record, who):
    http = login(people[who])
    assert http.get(reverse("clients:emergency_start")).status_code == 403
    assert open_emergency(http, client_record).status_code == 403
    assert not EmergencyAccess.objects.exists()


def test_admin_reviews_emergency_access(login, bob, ada, client_record):
    http = login(bob)
    open_emergency(http, client_record)
    http.get(reverse("records:chart", args=[client_record.uuid]))
    admin = login(ada)
    page = admin.get(reverse("clients:emergency_review"))
    html = page.content.decode()
    assert REASON in html and "bob" in html and client_record.mrn in html
    grant = EmergencyAccess.objects.get()
    assert page.context["page"].object_list[0].pages == 1
    admin.post(reverse("clients:emergency_review_mark", args=[grant.uuid]), {"note": "Justified"})
    grant.refresh_from_db()
    assert grant.reviewed_by == ada and grant.review_note == "Justified"
    assert REASON not in admin.get(reverse("clients:emergency_review")).content.decode()
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_id=str(grant.uuid), detail__emergency_access="reviewed"
    ).exists()


@pytest.mark.parametrize("who,status", [("audrey", 200), ("bob", 403), ("fran", 403)])
def test_review_list_is_for_admins_and_auditors(login, people, who, status):
    assert login(people[who]).get(reverse("clients:emergency_review")).status_code == status


def test_auditor_cannot_mark_reviewed(login, bob, audrey, client_record):
    open_emergency(login(bob), client_record)
    grant = EmergencyAccess.objects.get()
    response = login(audrey).post(reverse("clients:emergency_review_mark", args=[grant.uuid]))
    assert response.status_code == 403


def test_every_chart_page_under_emergency_access_is_flagged_and_audited(
    login, alice, bob, client_record
):
    from contacts import services as contact_services

    note = contact_services.contact_note_create(
        client=client_record,
        author=alice,
        contact_at=timezone.now() - timedelta(hours=2),
        reason="treatment_update",
        means=["phone"],
        minutes=10,
        billable=False,
        summary="Signed contact summary",
        sign=True,
    )
    http = login(bob)
    open_emergency(http, client_record)
    page = http.get(reverse("contacts:detail", args=[note.uuid]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Emergency access." in html and "Signed contact summary" in html
    assert AuditEvent.objects.filter(
        action=AuditAction.EMERGENCY_ACCESS,
        detail__event="use",
        detail__path=reverse("contacts:detail", args=[note.uuid]),
    ).exists()
    # Pages outside the chart carry no flag.
    assert "Emergency access." not in http.get(reverse("clients:caseload")).content.decode()
    # Writing stays closed.
    assert http.get(reverse("contacts:addendum_add", args=[note.uuid])).status_code == 405
    assert (
        http.post(reverse("contacts:addendum_add", args=[note.uuid]), {"text": "x"}).status_code
        == 403
    )


def test_marking_an_unknown_grant_is_not_found_and_outsiders_learn_nothing(login, ada, fran):
    import uuid

    url = reverse("clients:emergency_review_mark", args=[uuid.uuid4()])
    assert login(ada).post(url).status_code == 404
    # The front desk is refused before any lookup: the same 403 as for a real grant.
    assert login(fran).post(url).status_code == 403
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED, user=fran).exists()


def test_reading_the_review_list_is_audited(login, bob, ada, client_record):
    open_emergency(login(bob), client_record)
    assert login(ada).get(reverse("clients:emergency_review")).status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_type="clients.emergencyaccess")
    assert event.user == ada and event.detail["results"] == 1
    assert REASON not in str(event.detail)
