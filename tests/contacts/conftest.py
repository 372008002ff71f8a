from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from clients.schedule import services as scheduling
from tests.factories import CollateralFactory, ReleaseFactory, contact_note


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
    """make_note(author, sign=True, ...): the summary starts with SECRET (leak checks)."""

    def _make(author, **kw):
        return contact_note(
            kw.pop("client", client_record), author, summary_prefix="SECRET", **kw
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
