"""Key rotation: re-encrypt under the newest key, resumable, lossless."""

from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command

from notes.psychotherapy import crypto, sealing
from notes.psychotherapy.models import ProcessNote
from practice.models import AuditAction, AuditEvent
from tests.factories import process_note_key
from tests.psychotherapy.conftest import KEY_A, KEY_B

pytestmark = pytest.mark.django_db

TEXTS = [f"reflection number {i}: {'ü' * i}" for i in range(7)]


@pytest.fixture
def notes_under_a(alice, client_record, write_note):
    return [write_note(alice, client_record, text=t) for t in TEXTS]


def _rotate(**kwargs):
    out = StringIO()
    call_command("rotate_process_note_keys", stdout=out, stderr=out, **kwargs)
    return out.getvalue()


def _read_all():
    # Both layers: the outer key set rotates, the author's sealed layer is untouched.
    return {
        n.uuid: sealing.decrypt_note(n, process_note_key(n.author))
        for n in ProcessNote.objects.all()
    }


def test_rotation_reencrypts_everything_and_the_old_key_can_then_be_dropped(
    notes_under_a, settings
):
    id_a, id_b = crypto.key_id_of(KEY_A), crypto.key_id_of(KEY_B)
    before = {n.uuid: (n.ciphertext, n.updated_at) for n in ProcessNote.objects.all()}
    assert {n.key_id for n in notes_under_a} == {id_a}

    settings.PROCESS_NOTES_KEYS = f"{KEY_B},{KEY_A}"
    output = _rotate(batch_size=3)
    assert f"Re-encrypted {len(TEXTS)} note(s) under key {id_b}" in output
    assert "older keys can be removed" in output
    for n in ProcessNote.objects.all():
        assert n.key_id == id_b
        assert n.ciphertext != before[n.uuid][0]
        assert n.updated_at == before[n.uuid][1]  # rotation is not an edit

    settings.PROCESS_NOTES_KEYS = KEY_B  # A is gone for good
    assert sorted(_read_all().values()) == sorted(TEXTS)

    event = AuditEvent.objects.get(action=AuditAction.KEY_ROTATION)
    assert event.detail["rotated"] == len(TEXTS) and event.detail["failed"] == 0
    assert event.detail["key_id"] == id_b


def test_a_second_run_changes_nothing(notes_under_a, settings):
    settings.PROCESS_NOTES_KEYS = f"{KEY_B},{KEY_A}"
    _rotate()
    after_first = dict(ProcessNote.objects.values_list("uuid", "ciphertext"))
    assert "Re-encrypted 0 note(s)" in _rotate()
    assert dict(ProcessNote.objects.values_list("uuid", "ciphertext")) == after_first


def test_an_interrupted_rotation_resumes_and_loses_nothing(notes_under_a, settings):
    settings.PROCESS_NOTES_KEYS = f"{KEY_B},{KEY_A}"
    real = crypto.reencrypt
    calls = {"n": 0}

    def crash_on_the_fifth(token, key_id=""):
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt  # the operator's Ctrl-C, mid-batch
        return real(token, key_id)

    with (
        mock.patch.object(crypto, "reencrypt", side_effect=crash_on_the_fifth),
        pytest.raises(KeyboardInterrupt),
    ):
        _rotate(batch_size=2)
    id_b = crypto.key_id_of(KEY_B)
    # Two whole batches committed; the interrupted one rolled back.
    assert ProcessNote.objects.filter(key_id=id_b).count() == 4
    assert sorted(_read_all().values()) == sorted(TEXTS)

    _rotate(batch_size=2)
    assert set(ProcessNote.objects.values_list("key_id", flat=True)) == {id_b}
    settings.PROCESS_NOTES_KEYS = KEY_B
    assert sorted(_read_all().values()) == sorted(TEXTS)


def test_a_note_no_key_can_decrypt_is_reported_skipped_and_never_overwritten(
    alice, client_record, write_note, notes_under_a, settings
):
    from cryptography.fernet import Fernet

    key_c = Fernet.generate_key().decode()
    settings.PROCESS_NOTES_KEYS = key_c
    orphan = write_note(alice, client_record, text="written under a key that is then lost")
    settings.PROCESS_NOTES_KEYS = f"{KEY_B},{KEY_A}"

    with pytest.raises(CommandError, match="could not be decrypted"):
        _rotate()
    orphan_row = ProcessNote.objects.get(pk=orphan.pk)
    assert orphan_row.ciphertext == orphan.ciphertext
    assert orphan_row.key_id == crypto.key_id_of(key_c)
    id_b = crypto.key_id_of(KEY_B)
    assert ProcessNote.objects.filter(key_id=id_b).count() == len(TEXTS)
    event = AuditEvent.objects.get(action=AuditAction.KEY_ROTATION)
    assert event.detail["failed_ids"] == [str(orphan.uuid)]

    # The lost key comes back: the rerun finishes the job.
    settings.PROCESS_NOTES_KEYS = f"{KEY_B},{KEY_A},{key_c}"
    _rotate()
    settings.PROCESS_NOTES_KEYS = KEY_B
    assert "written under a key that is then lost" in _read_all().values()


def test_rotation_without_keys_stops_with_a_clear_message(notes_under_a, settings):
    settings.PROCESS_NOTES_KEYS = ""
    with pytest.raises(CommandError, match="no encryption key is configured"):
        _rotate()
