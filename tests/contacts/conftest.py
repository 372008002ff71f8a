from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from clients.schedule import services as scheduling
from contacts import services
from tests.factories import CollateralFactory, ReleaseFactory


@pytest.fixture
def parent(client_record):
    """Client's parent with a release active today."""
    contact = CollateralFactory(client=client_record, name="Pat Rivera", relationship="parent")
    ReleaseFactory(contact=contact)
    return contact


@pytest.fixture
def doctor(client_record):
    """Client's physician with no release on file."""
    return CollateralFactory(client=client_record, name="Dr. Lee Novak", relationship="physician")


@pytest.fixture
def make_note(client_record):
    def _make(author, *, sign=True, minutes=15, billable=False, reason="treatment_update", **kw):
        return services.contact_note_create(
            client=client_record,
            author=author,
            contact_at=kw.pop("contact_at", timezone.now() - timedelta(hours=1)),
            reason=reason,
            means=kw.pop("means", ["phone"]),
            minutes=minutes,
            billable=billable,
            summary=kw.pop("summary", f"SECRET-{reason}-{minutes}"),
            sign=sign,
            **kw,
        )

    return _make


@pytest.fixture
def appointment(client_record, alice, fran):
    """A 50-minute appointment with Alice tomorrow at 10:00 local."""
    start = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    start += timedelta(days=1)
    return scheduling.appointment_book(
        client=client_record,
        clinician=alice,
        start=start,
        duration_minutes=50,
        service_type="individual",
        actor=fran,
    )
