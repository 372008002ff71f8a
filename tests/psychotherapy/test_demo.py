"""Demo process notes: idempotent, and absent when no key is configured."""

import random

import pytest

from clients import services as client_services
from clients.models import CareTeamRole
from demo import process_notes as demo
from notes.psychotherapy import crypto, sealing
from notes.psychotherapy.models import ProcessNote
from tests.factories import PASSWORD, ClientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_users(alice, sue, ada):
    return {"clinician": alice, "supervisor": sue, "admin": ada}


@pytest.fixture
def demo_clients(alice, ada):
    record = ClientFactory()
    client_services.care_team_add(
        client=record, clinician=alice, actor=ada, role=CareTeamRole.PRIMARY
    )
    return [record, ClientFactory()]


def test_seed_writes_two_notes_sealed_under_the_demo_password_once(demo_users, demo_clients):
    demo.seed(demo_users, demo_clients, random.Random(1), password=PASSWORD)
    demo.seed(demo_users, demo_clients, random.Random(2), password=PASSWORD)
    notes = list(ProcessNote.objects.all())
    assert len(notes) == 2
    assert {n.author for n in notes} == {demo_users["clinician"]}
    assert {n.client for n in notes} == {demo_clients[0]}
    key = sealing.unlock_with_password(demo_users["clinician"], PASSWORD)
    assert {sealing.decrypt_note(n, key) for n in notes} == set(demo.DEMO_TEXTS)
    # Only the clinician's password opens them: the outer key alone does not.
    with pytest.raises(crypto.ProcessNoteKeyError):
        crypto.decrypt(notes[0].ciphertext, notes[0].key_id)


def test_seed_skips_quietly_without_a_key(demo_users, demo_clients, settings):
    settings.PROCESS_NOTES_KEYS = ""
    demo.seed(demo_users, demo_clients, random.Random(1))
    assert not ProcessNote.objects.exists()
