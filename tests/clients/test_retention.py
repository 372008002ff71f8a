"""Retention dates and the admin's report of records past retention."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clients import retention
from clients.models import Appointment, AppointmentStatus, Client
from practice.models import PracticeSettings
from tests.factories import ClientFactory, ProgressNoteFactory


def _aware(day: date):
    return timezone.make_aware(datetime(day.year, day.month, day.day, 10, 0))


def completed_appointment(client, clinician, day: date, status=AppointmentStatus.COMPLETED):
    return Appointment.objects.create(
        client=client, clinician=clinician, start=_aware(day), status=status
    )


def test_adult_is_kept_seven_years_after_the_last_completed_service(alice):
    client = ClientFactory(date_of_birth=date(1980, 1, 1))
    completed_appointment(client, alice, date(2020, 3, 4))
    completed_appointment(client, alice, date(2021, 6, 7))
    # A no-show is not a service.
    completed_appointment(client, alice, date(2022, 1, 1), status=AppointmentStatus.NO_SHOW)
    r = retention.retention_for(client)
    assert r.last_service == date(2021, 6, 7)
    assert r.retain_until == date(2028, 6, 7) and not r.minor_rule


def test_progress_notes_count_as_service(alice):
    client = ClientFactory(date_of_birth=date(1980, 1, 1))
    completed_appointment(client, alice, date(2020, 3, 4))
    ProgressNoteFactory(client=client, author=alice, service_date=date(2023, 2, 1))
    assert retention.retention_for(client).last_service == date(2023, 2, 1)


def test_minor_is_kept_until_majority_plus_the_period(alice):
    client = ClientFactory(date_of_birth=date(2015, 5, 17))
    completed_appointment(client, alice, date(2022, 9, 1))
    r = retention.retention_for(client)
    assert r.retain_until == date(2040, 5, 17) and r.minor_rule


def test_practice_settings_change_the_dates(alice):
    PracticeSettings.objects.filter(pk=PracticeSettings.load().pk).update(
        retention_years=10, age_of_majority=21
    )
    adult = ClientFactory(date_of_birth=date(1980, 1, 1))
    completed_appointment(adult, alice, date(2020, 2, 29))
    assert retention.retention_for(adult).retain_until == date(2030, 2, 28)
    minor = ClientFactory(date_of_birth=date(2010, 1, 1))
    completed_appointment(minor, alice, date(2020, 1, 1))
    assert retention.retention_for(minor).retain_until == date(2041, 1, 1)


def test_never_served_counts_from_registration(db):
    client = ClientFactory(date_of_birth=date(1980, 1, 1))
    r = retention.retention_for(client)
    assert r.last_service is None
    assert r.retain_until == timezone.localdate().replace(year=timezone.localdate().year + 7)


def test_report_lists_only_records_past_retention(login, ada, alice):
    old = ClientFactory(legal_last_name="Oldfield", date_of_birth=date(1950, 1, 1))
    completed_appointment(old, alice, timezone.localdate() - timedelta(days=365 * 8))
    recent = ClientFactory(legal_last_name="Newman", date_of_birth=date(1950, 1, 1))
    completed_appointment(recent, alice, timezone.localdate() - timedelta(days=30))
    response = login(ada).get(reverse("clients:retention_report"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Oldfield" in html and "Newman" not in html
    # Listing is not deleting.
    assert Client.objects.filter(pk=old.pk).exists()


@pytest.mark.parametrize("who", ["alice", "fran", "bill", "audrey", "root"])
def test_report_is_for_practice_admins_only(login, people, who):
    assert login(people[who]).get(reverse("clients:retention_report")).status_code == 403


def test_chart_shows_retain_until_to_admins_only(login, ada, alice, client_record):
    chart = reverse("records:chart", args=[client_record.uuid])
    assert "Retain until" in login(ada).get(chart).content.decode()
    assert "Retain until" not in login(alice).get(chart).content.decode()


def test_the_application_never_deletes_clients_or_signed_records():
    """No view or service calls delete() on a client or a signed record."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for app in ("clients", "contacts", "notes", "practice", "billing"):
        for path in (root / app).rglob("*.py"):
            if "migrations" in path.parts or "psychotherapy" in path.parts:
                continue  # process notes are not part of the record set (docs/decisions.md)
            text = path.read_text()
            for m in re.finditer(r"(client|note|addend\w*|amendment\w*|req)\.delete\(\)", text):
                offenders.append(f"{path.relative_to(root)}: {m.group(0)}")
    assert offenders == []
