from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _documents(documents_settings):
    return documents_settings


@pytest.fixture
def make_contact_note(client_record):
    """make_contact_note(author, sign=True, ...) through the real contacts service."""
    from datetime import timedelta

    from django.utils import timezone

    from contacts import services

    def _make(author, *, sign=True, minutes=15, billable=False, reason="treatment_update", **kw):
        return services.contact_note_create(
            client=kw.pop("client", client_record),
            author=author,
            contact_at=kw.pop("contact_at", timezone.now() - timedelta(hours=1)),
            reason=reason,
            means=kw.pop("means", ["phone"]),
            minutes=minutes,
            billable=billable,
            summary=kw.pop("summary", f"SUMMARY-{reason}-{minutes}"),
            sign=sign,
            **kw,
        )

    return _make
