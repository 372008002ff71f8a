from __future__ import annotations

import pytest

from clients import services as client_services
from notes import services
from tests.factories import ProgressNoteFactory

BODY = "SECRET-BODY-TEXT"


@pytest.fixture
def team(client_record, sam, ada):
    """Sam (pre-licensed) joins Alice's client; his supervisor Sue joins with him."""
    client_services.care_team_add(client=client_record, clinician=sam, actor=ada)
    return client_record


@pytest.fixture
def draft(client_record, alice):
    """Alice's complete SOAP draft (passes the necessity check)."""
    return ProgressNoteFactory(client=client_record, author=alice, subjective=BODY)


@pytest.fixture
def signed(draft, alice):
    return services.note_sign(note=draft, actor=alice)


@pytest.fixture
def sam_signed(team, sam):
    note = ProgressNoteFactory(client=team, author=sam, subjective=BODY)
    return services.note_sign(note=note, actor=sam)
