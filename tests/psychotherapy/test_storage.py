"""What the database (and so every backup of it) holds: no plaintext."""

import base64

import pytest
from django.db import connection

from notes.psychotherapy import crypto
from notes.psychotherapy.models import ProcessNote
from tests.psychotherapy.conftest import KEY_A, SECRET

pytestmark = pytest.mark.django_db


def _raw_rows():
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM psychotherapy_processnote")
        return cursor.fetchall()


def test_raw_row_holds_no_plaintext_nor_its_base64(note):
    rows = _raw_rows()
    assert len(rows) == 1
    dumped = repr(rows).encode()
    for needle in (SECRET, "Lorenzo", "Countertransference", "grief"):
        assert needle.encode() not in dumped
        assert needle.lower().encode() not in dumped.lower()
        assert base64.b64encode(needle.encode()) not in dumped
        assert base64.urlsafe_b64encode(needle.encode())[:12] not in dumped
    with connection.cursor() as cursor:
        cursor.execute("SELECT ciphertext FROM psychotherapy_processnote")
        (ciphertext,) = cursor.fetchone()
    assert ciphertext.startswith("gAAAA")  # a Fernet token, nothing else


def test_the_table_has_no_text_column_and_no_title():
    names = {f.name for f in ProcessNote._meta.get_fields()}
    assert not names & {"text", "body", "title", "summary", "plaintext", "content"}
    indexed = {f.name for f in ProcessNote._meta.fields if f.db_index or f.unique}
    assert indexed <= {"id", "uuid", "client", "author"}


def test_key_id_is_a_fingerprint_not_the_key(note):
    assert note.key_id == crypto.key_id_of(KEY_A)
    assert len(note.key_id) == 8
    assert note.key_id not in KEY_A


def test_same_text_twice_gives_different_ciphertexts(alice, client_record, write_note):
    first = write_note(alice, client_record)
    second = write_note(alice, client_record)
    assert first.ciphertext != second.ciphertext


def test_length_is_hidden_inside_a_256_byte_bucket():
    short, _ = crypto.encrypt("a")
    longer, _ = crypto.encrypt("a" * 250)
    assert len(short) == len(longer)
    much_longer, _ = crypto.encrypt("a" * 300)
    assert len(much_longer) > len(short)


@pytest.mark.parametrize("text", ["", "x", "ends with nul\x00", "ü" * 300, "\x80\x00\x80"])
def test_round_trip_keeps_every_text_exactly(text):
    token, key_id = crypto.encrypt(text)
    assert crypto.decrypt(token, key_id) == text


def test_repr_and_str_never_show_ciphertext(note):
    assert note.ciphertext not in repr(note)
    assert note.ciphertext not in str(note)


def test_a_bad_key_setting_names_the_entry_not_the_key(settings):
    settings.PROCESS_NOTES_KEYS = f"{KEY_A},not-a-real-key-material"
    with pytest.raises(crypto.ProcessNoteStoreUnavailable) as caught:
        crypto.keyset()
    assert "#2" in str(caught.value)
    assert "not-a-real-key-material" not in str(caught.value)
    assert KEY_A not in str(caught.value)
