"""Sealed process notes: each author's notes are encrypted under a data key of
their own (the DEK), inside the practice-wide PROCESS_NOTES_KEYS layer.

The DEK is stored only wrapped (``AuthorKey``):

- under argon2id(the author's password, a random salt): unwrapped at sign-in
  (``practice.credentials.password_verified``) and kept for the session only,
  encrypted in the session vault whose key is in the browser's cookie
  (``practice.session_vault``); re-wrapped when the author changes their own
  password;
- to the practice recovery public key (X25519 + HKDF + AES-GCM), whose private
  half is never on the server (``manage.py recover_process_notes``);
- after a recovery run, under a one-time recovery code the author redeems on
  the unseal page.

An admin who resets someone's password or MFA and then signs in as them gets
no DEK: every note shows "sealed". See docs/threat-model.md and
docs/recovery.md.

Notes written before sealing existed ("legacy", ``sealed_with == ""``) are
sealed lazily at the author's next sign-in with a password of their own (not
one set through a reset); until then, or after a reset, they open only through
a recovery run. No view ever shows a legacy note unsealed.

Nothing here puts a key, a password or note text into an exception, a log line
or the audit trail.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from datetime import timedelta

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from notes.psychotherapy import crypto
from notes.psychotherapy.models import AuthorKey, ProcessNote
from practice import audit
from practice.models import AuditAction
from practice.refusals import Refused
from practice.session_vault import vault_drop, vault_get, vault_put

VAULT_NAME = "process_notes_key"
KEY_OBJECT_TYPE = "psychotherapy.authorkey"
HANDOVER_HOURS = 72
_RECOVERY_INFO = b"ehr process-notes recovery v1"
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class ProcessNoteSealed(Refused):
    """The note is sealed for this session; the message is safe to show."""

    def __init__(self, message: str = ""):
        super().__init__(
            message or "This note is sealed: your process-note key is not open in this session."
        )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def key_id_of(dek: bytes) -> str:
    """A non-secret fingerprint of a data key."""
    return hashlib.sha256(b"ehr-process-note-dek\x00" + dek).hexdigest()[:16]


def _aad(author) -> bytes:
    # A wrap opens only for its author: copying one into another user's row fails.
    return f"process-notes-dek:{author.uuid}".encode()


# --- wrapping under a secret (password or recovery code) ---------------------


@sensitive_variables()
def _kek(secret: str, salt: bytes, time_cost: int, memory_kib: int) -> bytes:
    return hash_secret_raw(
        secret.encode("utf-8"),
        salt,
        time_cost=time_cost,
        memory_cost=memory_kib,
        parallelism=1,
        hash_len=32,
        type=Type.ID,
    )


@sensitive_variables()
def wrap_with_secret(dek: bytes, secret: str, aad: bytes) -> str:
    time_cost = settings.PROCESS_NOTES_KDF_TIME_COST
    memory_kib = settings.PROCESS_NOTES_KDF_MEMORY_KIB
    salt, nonce = os.urandom(16), os.urandom(12)
    sealed = AESGCM(_kek(secret, salt, time_cost, memory_kib)).encrypt(nonce, dek, aad)
    return f"argon2id$t={time_cost},m={memory_kib}${_b64(salt)}${_b64(nonce + sealed)}"


@sensitive_variables()
def unwrap_with_secret(wrap: str, secret: str, aad: bytes) -> bytes | None:
    """The DEK, or None when the secret is wrong (or the wrap is empty)."""
    try:
        method, params, salt, blob = wrap.split("$")
        costs = dict(part.split("=") for part in params.split(","))
        time_cost, memory_kib = int(costs["t"]), int(costs["m"])
        salt_bytes, blob_bytes = _unb64(salt), _unb64(blob)
    except (ValueError, KeyError):
        return None
    if method != "argon2id":
        return None
    try:
        kek = _kek(secret, salt_bytes, time_cost, memory_kib)
        return AESGCM(kek).decrypt(blob_bytes[:12], blob_bytes[12:], aad)
    except InvalidTag:
        return None


# --- wrapping to the recovery public key ---------------------------------------


def recovery_public_key() -> X25519PublicKey | None:
    raw = getattr(settings, "PROCESS_NOTES_RECOVERY_PUBLIC_KEY", "")
    if not raw:
        return None
    return X25519PublicKey.from_public_bytes(_unb64(raw))


def recovery_key_id(public: X25519PublicKey) -> str:
    return hashlib.sha256(b"ehr-recovery\x00" + _public_bytes(public)).hexdigest()[:16]


def _public_bytes(public: X25519PublicKey) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _recovery_kek(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=ephemeral + recipient, info=_RECOVERY_INFO
    ).derive(shared)


@sensitive_variables()
def wrap_for_recovery(dek: bytes, aad: bytes, public: X25519PublicKey) -> str:
    ephemeral = X25519PrivateKey.generate()
    ephemeral_pub = _public_bytes(ephemeral.public_key())
    kek = _recovery_kek(ephemeral.exchange(public), ephemeral_pub, _public_bytes(public))
    nonce = os.urandom(12)
    sealed = AESGCM(kek).encrypt(nonce, dek, aad)
    return f"x25519${recovery_key_id(public)}${_b64(ephemeral_pub)}${_b64(nonce + sealed)}"


@sensitive_variables()
def unwrap_with_recovery(wrap: str, private: X25519PrivateKey, aad: bytes) -> bytes | None:
    try:
        method, _key_id, ephemeral_b64, blob_b64 = wrap.split("$")
        ephemeral_pub, blob = _unb64(ephemeral_b64), _unb64(blob_b64)
        ephemeral = X25519PublicKey.from_public_bytes(ephemeral_pub)
    except ValueError:
        return None
    if method != "x25519":
        return None
    recipient = _public_bytes(private.public_key())
    kek = _recovery_kek(private.exchange(ephemeral), ephemeral_pub, recipient)
    try:
        return AESGCM(kek).decrypt(blob[:12], blob[12:], aad)
    except InvalidTag:
        return None


def load_recovery_private_key(text: str) -> X25519PrivateKey:
    """Parse the offline private key as typed or pasted (base64 of 32 bytes)."""
    raw = _unb64("".join(text.split()))
    if len(raw) != 32:
        raise ValueError("not a 32-byte key")
    return X25519PrivateKey.from_private_bytes(raw)


def new_recovery_key_pair() -> tuple[str, str]:
    """(private, public), each base64 of 32 bytes: for the key ceremony."""
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )

    private = X25519PrivateKey.generate()
    private_raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return _b64(private_raw), _b64(_public_bytes(private.public_key()))


# --- the inner layer of a note ---------------------------------------------------


def _note_aad(note_uuid) -> bytes:
    # Binds the sealed text to its note: swapping ciphertexts between notes fails.
    return f"process-note:{note_uuid}".encode()


@sensitive_variables()
def seal_text(dek: bytes, note_uuid, text: str) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(dek).encrypt(
        nonce, crypto.pad(text.encode("utf-8")), _note_aad(note_uuid)
    )


@sensitive_variables()
def open_text(dek: bytes, note_uuid, sealed: bytes) -> str:
    try:
        padded = AESGCM(dek).decrypt(sealed[:12], sealed[12:], _note_aad(note_uuid))
        return crypto.unpad(padded).decode("utf-8")
    except (InvalidTag, ValueError, UnicodeError):
        raise crypto.ProcessNoteKeyError("sealed") from None


@sensitive_variables()
def encrypt_note(dek: bytes, note_uuid, text: str) -> tuple[str, str, str]:
    """Both layers: returns (outer token, outer key id, DEK id)."""
    token, outer_id = crypto.encrypt_bytes(seal_text(dek, note_uuid, text))
    return token, outer_id, key_id_of(dek)


@sensitive_variables()
def decrypt_note(note: ProcessNote, dek: bytes | None) -> str:
    """The text of a sealed note with its author's DEK; ProcessNoteSealed when
    this session has no (matching) key or the note is not sealed yet."""
    if not note.sealed_with:
        raise ProcessNoteSealed(
            "This note was written before notes were sealed and has not been sealed under "
            "your key yet. It opens after a recovery run (docs/recovery.md)."
        )
    if dek is None or key_id_of(dek) != note.sealed_with:
        raise ProcessNoteSealed()
    inner = crypto.decrypt_bytes(note.ciphertext, note.key_id)
    return open_text(dek, note.uuid, inner)


# --- the author's key ----------------------------------------------------------------


def author_key(user) -> AuthorKey | None:
    return AuthorKey.objects.filter(author=user).first()


def _new_code() -> str:
    return "-".join("".join(secrets.choice(_CODE_ALPHABET) for _ in range(5)) for _ in range(5))


@sensitive_variables()
def author_key_create(*, author, password: str, request=None) -> bytes:
    """A new DEK for ``author``, wrapped under the password (and the recovery
    key when configured). Returns the DEK."""
    dek = AESGCM.generate_key(bit_length=256)
    key = AuthorKey(
        author=author,
        key_id=key_id_of(dek),
        password_wrap=wrap_with_secret(dek, password, _aad(author)),
    )
    public = recovery_public_key()
    if public is not None:
        key.recovery_wrap = wrap_for_recovery(dek, _aad(author), public)
        key.recovery_key_id = recovery_key_id(public)
    key.save()
    audit.record(
        AuditAction.CREATE,
        request=request,
        user=author,
        obj=key,
        object_type=KEY_OBJECT_TYPE,
        object_id=key.key_id,
        detail={"recovery_key_id": key.recovery_key_id or None},
    )
    return dek


@sensitive_variables()
def unlock_with_password(author, password: str) -> bytes | None:
    key = author_key(author)
    if key is None or not key.password_wrap:
        return None
    return unwrap_with_secret(key.password_wrap, password, _aad(author))


@sensitive_variables()
def unlock_with_secret(author, secret: str) -> tuple[bytes | None, str]:
    """Try a previous password, then a recovery code: (DEK or None, which)."""
    key = author_key(author)
    if key is None:
        return None, ""
    if key.password_wrap:
        dek = unwrap_with_secret(key.password_wrap, secret, _aad(author))
        if dek is not None:
            return dek, "previous_password"
    if key.handover_wrap and key.handover_expires_at and key.handover_expires_at > timezone.now():
        dek = unwrap_with_secret(key.handover_wrap, secret, _aad(author))
        if dek is not None:
            return dek, "recovery_code"
    return None, ""


@sensitive_variables()
def rewrap_password(*, author, dek: bytes, password: str, request=None, reason: str) -> None:
    """Wrap the DEK under ``password`` (the one-time recovery code goes)."""
    key = author_key(author)
    if key is None or key.key_id != key_id_of(dek):
        return
    key.password_wrap = wrap_with_secret(dek, password, _aad(author))
    key.handover_wrap, key.handover_expires_at = "", None
    key.save(update_fields=["password_wrap", "handover_wrap", "handover_expires_at", "updated_at"])
    audit.record(
        AuditAction.UPDATE,
        request=request,
        user=author,
        object_type=KEY_OBJECT_TYPE,
        object_id=key.key_id,
        detail={"rewrapped": "password", "reason": reason},
    )


@sensitive_variables()
def ensure_recovery_wrap(*, author, dek: bytes) -> None:
    """Wrap to the configured recovery key when missing or made for an older one
    (a new recovery key pair is taken up at each author's next sign-in)."""
    public = recovery_public_key()
    key = author_key(author)
    if public is None or key is None or key.key_id != key_id_of(dek):
        return
    if key.recovery_key_id == recovery_key_id(public):
        return
    key.recovery_wrap = wrap_for_recovery(dek, _aad(author), public)
    key.recovery_key_id = recovery_key_id(public)
    key.save(update_fields=["recovery_wrap", "recovery_key_id", "updated_at"])


@sensitive_variables()
def seal_legacy_notes(*, author, dek: bytes, request=None, via: str) -> int:
    """Seal the author's notes that predate sealing under their DEK. Each note
    is its own small transaction: an interrupted run resumes at the next one."""
    sealed = 0
    for note in ProcessNote.objects.filter(author=author, sealed_with=""):
        try:
            text = crypto.decrypt(note.ciphertext, note.key_id)
        except crypto.ProcessNoteKeyError:
            continue  # the outer key is missing: left as it is, never overwritten
        token, outer_id, dek_id = encrypt_note(dek, note.uuid, text)
        with transaction.atomic():
            sealed += ProcessNote.objects.filter(pk=note.pk, sealed_with="").update(
                ciphertext=token, key_id=outer_id, sealed_with=dek_id
            )
    if sealed:
        audit.record(
            AuditAction.UPDATE,
            request=request,
            user=author,
            object_type=KEY_OBJECT_TYPE,
            object_id=key_id_of(dek),
            detail={"sealed_legacy_notes": sealed, "via": via},
        )
    return sealed


def keep_in_session(request, dek: bytes, *, fresh: bool = False) -> None:
    vault_put(request, VAULT_NAME, dek, fresh=fresh)


def forget_in_session(request) -> None:
    vault_drop(request, VAULT_NAME)


def session_key(request) -> bytes | None:
    """The signed-in author's DEK for this session, or None (sealed)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    dek = vault_get(request, VAULT_NAME)
    if dek is None:
        return None
    key = author_key(user)
    if key is None or key.key_id != key_id_of(dek):
        return None
    return dek


@sensitive_variables()
def recover(*, author, private_key: X25519PrivateKey, operator: str = "") -> tuple[str, int]:
    """The offline recovery: open the author's DEK with the recovery private key
    (or make one when the author has none yet), seal their legacy notes under
    it, and wrap it under a new one-time recovery code for the author to
    redeem on the unseal page. Returns (code, legacy notes sealed). Audited."""
    key = author_key(author)
    if key is None:
        dek = AESGCM.generate_key(bit_length=256)
        key = AuthorKey(author=author, key_id=key_id_of(dek))
        public = private_key.public_key()
        key.recovery_wrap = wrap_for_recovery(dek, _aad(author), public)
        key.recovery_key_id = recovery_key_id(public)
    else:
        if not key.recovery_wrap:
            raise ValueError("This author's key was never wrapped to a recovery key.")
        dek = unwrap_with_recovery(key.recovery_wrap, private_key, _aad(author))
        if dek is None:
            raise ValueError("The private key does not open this author's key.")
    code = _new_code()
    key.handover_wrap = wrap_with_secret(dek, code, _aad(author))
    key.handover_expires_at = timezone.now() + timedelta(hours=HANDOVER_HOURS)
    key.save()
    sealed = seal_legacy_notes(author=author, dek=dek, via="recovery")
    audit.record(
        AuditAction.KEY_ROTATION,
        user=None,
        object_type=KEY_OBJECT_TYPE,
        object_id=key.key_id,
        detail={
            "operation": "process_note_recovery",
            "author": str(author.uuid),
            "username": "operator:" + (operator or "unknown")[:60],
            "recovery_key_id": recovery_key_id(private_key.public_key()),
            "legacy_notes_sealed": sealed,
            "code_expires_hours": HANDOVER_HOURS,
        },
    )
    return code, sealed
