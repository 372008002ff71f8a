"""The one signed-record module: every kind of signed record (progress notes,
contact notes, their addenda, and later treatment plans and group notes) uses
these pieces.

- ``SignStatus``: the one draft/signed status enum.
- ``content_hash``: the one hashing function (SHA-256 of canonical JSON).
- ``FrozenWhenSigned`` / ``SignedAddendum``: abstract base models; the
  application half of the freeze (``practice.migration_ops.freeze_signed_rows``
  is the database half).
- ``sign(...)``: the draft -> signed conditional update (two clicks sign once).
- ``signed_addendum_add(...)``: the one write an addendum gets.

The content hash is keyed: HMAC-SHA256 under SIGNED_RECORD_HMAC_KEY, a secret
held outside the database. Someone who can write the database can switch the
trigger off and change a signed note, but cannot compute the hash that would
make the change pass (docs/audit-trail.md); ``practice.integrity`` checks it on
every read of a signed note and in the chart export.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models

from practice import audit
from practice.models import AuditAction
from practice.refusals import Refused

ALREADY_SIGNED = "This note is already signed."


class FrozenRecordError(Exception):
    """Raised when code tries to change or delete a signed record (a bug, not a
    user's mistake: views never offer it)."""


class SignStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"


def canonical_json(data: dict[str, Any]) -> bytes:
    """Deterministic JSON: sorted keys, no whitespace, dates as ISO strings."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=str).encode("utf-8")


def content_hash(data: dict[str, Any]) -> str:
    """HMAC-SHA256 (hex) under SIGNED_RECORD_HMAC_KEY of the canonical JSON of a
    record's signed content."""
    return hmac.new(
        settings.SIGNED_RECORD_HMAC_KEY, canonical_json(data), hashlib.sha256
    ).hexdigest()


def hash_matches(stored: str, data: dict[str, Any]) -> bool:
    """Whether ``stored`` is the keyed hash of ``data`` (constant-time compare)."""
    return bool(stored) and hmac.compare_digest(stored, content_hash(data))


def signer_name(user) -> str:
    """The name a signature carries: the full name, or the username without one."""
    return user.get_full_name() or user.username


class FrozenWhenSigned(models.Model):
    """A record that is frozen once signed: ``save()`` and ``delete()`` refuse
    once the row was loaded (or saved) as signed. The application-level half of
    the guard; PostgreSQL triggers enforce the same below the ORM. Concrete
    models have ``status`` (``SignStatus``), ``signed_at``, ``signer_name``,
    ``signer_credentials``, ``content_hash`` and ``updated_at`` fields, a
    ``signed_content()`` method, and name themselves in ``frozen_label`` (e.g.
    "progress notes") for the error message.
    """

    frozen_label = "signed records"

    if TYPE_CHECKING:  # the fields every concrete signed record has
        status: str
        signed_at: datetime | None
        signer_name: str
        signer_credentials: str
        content_hash: str
        objects: Any

        def signed_content(self) -> dict: ...

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if getattr(self, "_loaded_status", None) == SignStatus.SIGNED:
            raise FrozenRecordError(
                f"Signed {self.frozen_label} cannot be changed; add an addendum."
            )
        super().save(*args, **kwargs)
        self._loaded_status = self.status

    def delete(self, *args, **kwargs):
        if getattr(self, "_loaded_status", self.status) == SignStatus.SIGNED:
            raise FrozenRecordError(f"Signed {self.frozen_label} cannot be deleted.")
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_status = instance.__dict__.get("status")
        return instance

    @property
    def is_signed(self) -> bool:
        return self.status == SignStatus.SIGNED

    def compute_hash(self) -> str:
        return content_hash(self.signed_content())


class SignedAddendum(models.Model):
    """A signed correction or addition to a signed record.

    Signed when written, then frozen: ``save()`` refuses an update, ``delete()``
    always refuses, and PostgreSQL triggers do the same below the ORM. A concrete
    addendum adds ``note = ForeignKey(<its note>, related_name="addenda")``.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    text = models.TextField()
    author = models.ForeignKey("practice.User", on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()
    signer_name = models.CharField(max_length=200)
    signer_credentials = models.CharField(max_length=60, blank=True)
    content_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    if TYPE_CHECKING:  # the concrete addendum's ForeignKey to its note
        note: Any

    class Meta:
        abstract = True
        ordering = ["signed_at", "id"]

    def __str__(self) -> str:
        return f"Addendum {self.uuid}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise FrozenRecordError("Addenda are signed when written and cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FrozenRecordError("Addenda cannot be deleted.")

    def signed_content(self) -> dict:
        return {
            "uuid": str(self.uuid),
            "note": str(self.note.uuid),
            "note_hash": self.note.content_hash,
            "text": self.text,
            "author": str(self.author.uuid),
            "signer_name": self.signer_name,
            "signer_credentials": self.signer_credentials,
            "signed_at": self.signed_at.astimezone(UTC).isoformat(),
        }

    def hash_matches(self) -> bool:
        """Whether the addendum still matches the keyed hash taken when it was signed."""
        return hash_matches(self.content_hash, self.signed_content())


def sign(
    record: FrozenWhenSigned,
    *,
    actor,
    now: datetime,
    refusal: type[Refused] = Refused,
    **fields: Any,
) -> None:
    """Sign ``record`` (a draft the caller loaded with ``select_for_update`` and
    checked): set the signer, time, any extra signed ``fields`` and the content
    hash, then write them with a conditional update from draft. A second click
    (or a racing request) changes no row and is refused with ``refusal``.
    """
    record.status = SignStatus.SIGNED
    record.signed_at = now
    record.signer_name = signer_name(actor)
    record.signer_credentials = actor.credentials
    for name, value in fields.items():
        setattr(record, name, value)
    record.content_hash = record.compute_hash()
    updated = (
        type(record)
        .objects.filter(pk=record.pk, status=SignStatus.DRAFT)
        .update(
            status=SignStatus.SIGNED,
            signed_at=now,
            signer_name=record.signer_name,
            signer_credentials=record.signer_credentials,
            content_hash=record.content_hash,
            updated_at=now,
            **fields,
        )
    )
    if updated != 1:
        raise refusal({None: ALREADY_SIGNED})


def signed_addendum_add(model, *, note, actor, text: str, now, request=None):
    """Write one signed addendum (``model`` is the note kind's addendum model):
    the signer, the time and the hash of its content, then audit the signature.

    The caller has checked that ``note`` is signed and ``actor`` may add to it;
    addenda are signed when written, so this is the only write they get.
    """
    addendum = model(
        note=note,
        text=text,
        author=actor,
        signed_at=now,
        signer_name=signer_name(actor),
        signer_credentials=actor.credentials,
    )
    addendum.content_hash = content_hash(addendum.signed_content())
    addendum.save()
    audit.record(
        AuditAction.SIGN,
        request=request,
        user=actor,
        obj=addendum,
        client=note.client,
        detail={"note": str(note.uuid), "addendum": True},
    )
    return addendum
