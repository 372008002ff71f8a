"""Signed checkpoints of the audit chain's head, kept outside the database.

Each checkpoint is one JSON line appended to ``AUDIT_CHECKPOINT_DIR/
audit-checkpoints.jsonl``: the chain position (``seq``), the id and keyed hash
of the event there, when, and a signature over all of it by the practice
certificate's private key (the key that signs the practice's PDFs). Someone who
can write the database but not this file, nor read the signing key, cannot cut
the newest events or rewrite the chain without a checkpoint disagreeing.

The file is opened for appending only (O_APPEND), one line per write under an
exclusive lock; production keeps the directory on another volume than the
database, marked append-only (``chattr +a``) and backed up.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from django.conf import settings

FILE_NAME = "audit-checkpoints.jsonl"
VERSION = 1


class CheckpointError(Exception):
    """A checkpoint file that cannot be trusted (bad signature, out of order)."""


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    last_id: int
    hmac: str
    at: str


def path() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR) / FILE_NAME


def _canonical(body: dict) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def _private_key():
    key_file = Path(settings.PRACTICE_KEY_FILE)
    if not key_file.exists():
        return None
    passphrase = (getattr(settings, "PRACTICE_KEY_PASSPHRASE", "") or "").encode() or None
    return serialization.load_pem_private_key(key_file.read_bytes(), password=passphrase)


def _certificate() -> x509.Certificate | None:
    cert_file = Path(settings.PRACTICE_CERT_FILE)
    if not cert_file.exists():
        return None
    return x509.load_pem_x509_certificate(cert_file.read_bytes())


def _fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def _sign(key, message: bytes) -> bytes:
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(message, ec.ECDSA(hashes.SHA256()))
    raise CheckpointError("the practice key is neither RSA nor EC: cannot sign checkpoints")


def _verify(public_key, signature: bytes, message: bytes) -> bool:
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
        else:
            return False
    except InvalidSignature:
        return False
    return True


def _tail_line(file: Path) -> str:
    """The last non-empty line of ``file`` (reads from the end: the file grows)."""
    with file.open("rb") as fh:
        fh.seek(0, os.SEEK_END)
        end = fh.tell()
        block = b""
        position = end
        while position > 0:
            step = min(4096, position)
            position -= step
            fh.seek(position)
            block = fh.read(step) + block
            lines = block.rstrip(b"\n").split(b"\n")
            if len(lines) > 1 or position == 0:
                return lines[-1].decode()
    return ""


def _parse(line: str) -> tuple[Checkpoint, dict]:
    try:
        data = json.loads(line)
        mark = Checkpoint(
            seq=int(data["seq"]), last_id=int(data["last_id"]), hmac=data["hmac"], at=data["at"]
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise CheckpointError(f"unreadable line in {path()}") from exc
    return mark, data


def last() -> Checkpoint | None:
    """The newest checkpoint (signature not checked: ``read_all`` does that)."""
    file = path()
    if not file.exists():
        return None
    line = _tail_line(file)
    return _parse(line)[0] if line.strip() else None


def append_if_due(*, seq: int, last_id: int, hmac: str, force: bool = False) -> bool:
    """Append a signed checkpoint of this head unless it is already the newest
    one, or (without ``force``) the newest is younger than
    AUDIT_CHECKPOINT_SECONDS. Returns whether a line was written. Without a
    practice certificate nothing is written (verification then fails loudly)."""
    if seq == 0:
        return False
    now = datetime.now(UTC)
    newest = last()
    if newest is not None:
        if newest.seq == seq and newest.hmac == hmac:
            return False
        age = now - datetime.fromisoformat(newest.at)
        if not force and age < timedelta(seconds=settings.AUDIT_CHECKPOINT_SECONDS):
            return False
    key = _private_key()
    cert = _certificate()
    if key is None or cert is None:
        return False
    body = {
        "v": VERSION,
        "seq": seq,
        "last_id": last_id,
        "hmac": hmac,
        "at": now.isoformat(timespec="microseconds"),
        "cert": _fingerprint(cert),
    }
    signature = base64.b64encode(_sign(key, _canonical(body))).decode()
    line = json.dumps({**body, "sig": signature}, sort_keys=True) + "\n"
    file = path()
    file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return True


def iter_verified() -> Iterator[Checkpoint]:
    """Every checkpoint in file order, each signature checked against the
    practice certificate and each at or after the one before. Raises
    CheckpointError at the first line that fails. Streams: a line a minute is
    about 500,000 a year, and memory stays flat.
    """
    file = path()
    if not file.exists():
        return
    cert = _certificate()
    if cert is None:
        raise CheckpointError(
            "the practice certificate is missing: the signed checkpoints cannot be checked"
        )
    fingerprint = _fingerprint(cert)
    public_key = cert.public_key()
    previous: Checkpoint | None = None
    with file.open() as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            mark, data = _parse(line)
            body = {k: v for k, v in data.items() if k != "sig"}
            if body.get("cert") != fingerprint:
                raise CheckpointError(
                    f"checkpoint line {number} was signed by another certificate "
                    f"(SHA-256 {str(body.get('cert'))[:16]}...): verify it with that one"
                )
            try:
                signature = base64.b64decode(data.get("sig", ""), validate=True)
            except ValueError:
                signature = b""
            if not _verify(public_key, signature, _canonical(body)):
                raise CheckpointError(
                    f"checkpoint line {number} has a bad signature: the checkpoint file was edited"
                )
            if previous and (mark.seq < previous.seq or mark.at < previous.at):
                raise CheckpointError(
                    f"checkpoint line {number} goes back to position {mark.seq} after "
                    f"{previous.seq}: the chain was cut and sealed again"
                )
            previous = mark
            yield mark
