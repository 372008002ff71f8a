"""Process-note fixtures: a key set of the tests' own, and notes written
through the real service (so guardian grants and audit happen as in use)."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from clients import services as client_services
from clients.models import CareTeamRole
from notes.psychotherapy import services
from tests.factories import ClientFactory, process_note_key

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()
SECRET = "Countertransference: the client's grief about Lorenzo stirs my own"


@pytest.fixture(autouse=True)
def process_keys(settings):
    settings.PROCESS_NOTES_KEYS = KEY_A
    return settings


@pytest.fixture
def write_note():
    def _write(author, client, text=SECRET, session_date=None):
        return services.process_note_create(
            author=author,
            client=client,
            text=text,
            key=process_note_key(author),
            session_date=session_date,
        )

    return _write


@pytest.fixture
def note(alice, client_record, write_note):
    return write_note(alice, client_record)


@pytest.fixture
def sams_client(db, sam, ada):
    """A client on Sam's caseload; Sue joins the care team as his supervisor."""
    record = ClientFactory(legal_first_name="Robin", legal_last_name="Quill")
    client_services.care_team_add(
        client=record, clinician=sam, actor=ada, role=CareTeamRole.PRIMARY
    )
    return record


@pytest.fixture
def sams_note(sam, sams_client, write_note):
    return write_note(sam, sams_client, text="Sam's private reflection on rupture and repair")
