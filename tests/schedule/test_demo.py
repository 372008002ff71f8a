import io

import pytest
from django.core.management import call_command

from clients.models import Appointment, CollateralContact
from clients.schedule.models import AppointmentSeries

pytestmark = pytest.mark.django_db


def test_demo_has_personal_representatives_and_a_weekly_series_once(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-for-tests")
    call_command("seed_demo", stdout=io.StringIO())
    reps = CollateralContact.objects.filter(is_personal_representative=True)
    assert reps.exists() and all(r.client.is_minor for r in reps)
    made = AppointmentSeries.objects.get()
    assert made.rrule == "FREQ=WEEKLY;INTERVAL=1;COUNT=10"
    count = Appointment.objects.count()
    assert Appointment.objects.filter(series_occurrence__series=made).count() >= 9
    call_command("seed_demo", stdout=io.StringIO())
    assert AppointmentSeries.objects.count() == 1 and Appointment.objects.count() == count
