import io

import pytest
from django.core.management import call_command

from clients.models import Appointment, AppointmentStatus
from contacts.models import ContactNote

pytestmark = pytest.mark.django_db


def test_demo_schedule_and_notes_are_seeded_once(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-for-tests")
    call_command("seed_demo", stdout=io.StringIO())
    counts = (Appointment.objects.count(), ContactNote.objects.count())
    statuses = set(Appointment.objects.values_list("status", flat=True))
    assert {AppointmentStatus.COMPLETED, AppointmentStatus.NO_SHOW} <= statuses
    assert AppointmentStatus.LATE_CANCEL in statuses and AppointmentStatus.SCHEDULED in statuses
    parent_call = ContactNote.objects.get(billable=True, relationship="Parent")
    assert parent_call.is_signed and parent_call.roi is not None
    assert ContactNote.objects.filter(reason="no_show", fee_applies=True).exists()
    call_command("seed_demo", stdout=io.StringIO())
    assert (Appointment.objects.count(), ContactNote.objects.count()) == counts
