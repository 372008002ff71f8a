"""What one audit row says: who, which role, what, which record and client,
when, from where and with what browser; and never the clinical text."""

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from practice.models import AuditAction, AuditEvent
from tests.conftest import mark_mfa_verified

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chromium/130"


def _http(user):
    http = HttpClient(REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT=BROWSER)
    http.force_login(user)
    mark_mfa_verified(http, user)
    return http


def test_a_chart_view_records_every_field(alice, client_record):
    _http(alice).get(reverse("records:chart", args=[client_record.uuid]))
    # The chart's treatment-plan section records its own read of the plan.
    plan_view = AuditEvent.objects.get(action=AuditAction.VIEW, object_type="plans.treatmentplan")
    assert plan_view.user == alice and plan_view.client_uuid == client_record.uuid
    event = (
        AuditEvent.objects.filter(action=AuditAction.VIEW, user=alice)
        .exclude(pk=plan_view.pk)
        .get()
    )
    assert event.username == "alice" and event.role == "clinician"
    assert event.object_type == "clients.client"
    assert event.object_id == str(client_record.uuid)
    assert event.client_uuid == client_record.uuid
    assert event.created_at is not None
    assert event.ip_address == "203.0.113.7"
    assert event.user_agent == BROWSER


def test_a_refusal_records_who_and_where_from(bob, client_record):
    _http(bob).get(reverse("records:chart", args=[client_record.uuid]))
    event = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED, user=bob).get()
    assert event.role == "clinician" and event.client_uuid == client_record.uuid
    assert event.ip_address == "203.0.113.7" and event.user_agent == BROWSER


def test_an_update_names_the_changed_fields_not_their_values(fran, client_record):
    url = reverse("clients:edit", args=[client_record.uuid])
    data = {
        "legal_first_name": client_record.legal_first_name,
        "legal_last_name": client_record.legal_last_name,
        "date_of_birth": "1990-05-17",
        "mrn": client_record.mrn,
        "pronouns": client_record.pronouns,
        "phone": "555-0142",
    }
    assert _http(fran).post(url, data).status_code == 302
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, user=fran).get()
    assert event.role == "front_desk" and event.client_uuid == client_record.uuid
    assert "phone" in str(event.detail) and "555-0142" not in str(event.detail)
