"""Encryption for process notes, with a key set of its own.

The keys come from ``settings.PROCESS_NOTES_KEYS`` (comma-separated Fernet
keys, newest first; or ``PROCESS_NOTES_KEYS_FILE``), never from SECRET_KEY and
never from the database. New text is encrypted with the newest key; every
listed key can decrypt, so a key can be retired after
``rotate_process_note_keys`` has re-encrypted the notes it wrote.

Fernet tokens reveal the plaintext length rounded up to 16 bytes. To blur that
hint the UTF-8 text is padded (ISO/IEC 7816-4: one 0x80 byte, then zeros) to a
multiple of ``PAD_BLOCK`` bytes before encryption, so the database only tells
which 256-byte bucket a note falls into.

Nothing in this module ever puts plaintext or key material into an exception,
a log line or a return value other than ``decrypt``'s.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.views.decorators.debug import sensitive_variables

PAD_BLOCK = 256


class ProcessNoteStoreUnavailable(Exception):
    """No usable key set is configured: nothing can be written or read."""


class ProcessNoteKeyError(Exception):
    """One note cannot be decrypted with the configured keys. The message is
    safe to show: it names the key id, never key material or text."""

    def __init__(self, key_id: str = ""):
        self.key_id = key_id or "unknown"
        super().__init__(
            f"This note cannot be decrypted with the configured keys (key id {self.key_id}). "
            "Ask your practice admin to restore the key that wrote it."
        )


def key_id_of(key: bytes | str) -> str:
    """A non-secret fingerprint naming a key: the first 8 hex digits of its SHA-256."""
    raw = key.encode() if isinstance(key, str) else key
    return hashlib.sha256(raw).hexdigest()[:8]


class KeySet:
    def __init__(self, keys: list[str]):
        fernets = []
        for position, key in enumerate(keys, start=1):
            try:
                fernets.append(Fernet(key.encode()))
            except (ValueError, TypeError):
                # The message says which entry is bad, never what it contains.
                raise ProcessNoteStoreUnavailable(
                    f"PROCESS_NOTES_KEYS entry #{position} is not a valid Fernet key."
                ) from None
        self.ids = [key_id_of(key) for key in keys]
        self.primary_id = self.ids[0]
        self._multi = MultiFernet(fernets)

    def __repr__(self) -> str:
        return f"<KeySet ids={self.ids}>"


@lru_cache(maxsize=4)
def _keyset_for(raw: str) -> KeySet:
    keys = [part.strip() for part in raw.split(",") if part.strip()]
    if not keys:
        raise ProcessNoteStoreUnavailable(
            "The private process-notes store is unavailable: no encryption key is configured "
            "(PROCESS_NOTES_KEYS). Ask your practice admin."
        )
    return KeySet(keys)


def keyset() -> KeySet:
    """The configured key set; raises ProcessNoteStoreUnavailable when there is none."""
    return _keyset_for(getattr(settings, "PROCESS_NOTES_KEYS", "") or "")


def is_configured() -> bool:
    try:
        keyset()
    except ProcessNoteStoreUnavailable:
        return False
    return True


@sensitive_variables()
def _pad(data: bytes) -> bytes:
    padded = data + b"\x80"
    return padded + b"\x00" * (-len(padded) % PAD_BLOCK)


@sensitive_variables()
def _unpad(data: bytes) -> bytes:
    stripped = data.rstrip(b"\x00")
    if not stripped.endswith(b"\x80"):
        raise ValueError("bad padding")
    return stripped[:-1]


@sensitive_variables()
def encrypt(text: str) -> tuple[str, str]:
    """Encrypt ``text`` with the newest key. Returns (token, key id)."""
    keys = keyset()
    token = keys._multi.encrypt(_pad(text.encode("utf-8")))
    return token.decode("ascii"), keys.primary_id


@sensitive_variables()
def decrypt(token: str, key_id: str = "") -> str:
    """Decrypt a stored token; ProcessNoteKeyError names ``key_id`` when no key fits."""
    keys = keyset()
    try:
        return _unpad(keys._multi.decrypt(token.encode("ascii"))).decode("utf-8")
    except (InvalidToken, ValueError, UnicodeError):
        raise ProcessNoteKeyError(key_id) from None


@sensitive_variables()
def encrypt_bytes(data: bytes) -> tuple[str, str]:
    """The outer layer over already-sealed bytes (no padding: the inner layer
    padded the text). Returns (token, key id)."""
    keys = keyset()
    return keys._multi.encrypt(data).decode("ascii"), keys.primary_id


@sensitive_variables()
def decrypt_bytes(token: str, key_id: str = "") -> bytes:
    keys = keyset()
    try:
        return keys._multi.decrypt(token.encode("ascii"))
    except (InvalidToken, ValueError):
        raise ProcessNoteKeyError(key_id) from None


def pad(data: bytes) -> bytes:
    return _pad(data)


def unpad(data: bytes) -> bytes:
    return _unpad(data)


@sensitive_variables()
def reencrypt(token: str, key_id: str = "") -> tuple[str, str]:
    """Re-encrypt a stored token under the newest key without handing the text back."""
    keys = keyset()
    try:
        return keys._multi.rotate(token.encode("ascii")).decode("ascii"), keys.primary_id
    except (InvalidToken, ValueError):
        raise ProcessNoteKeyError(key_id) from None
