"""The process-note store. There is deliberately no plaintext column, no title
(a title would be plaintext) and no index on anything derived from the text."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from guardian.models import UserObjectPermissionBase


class ProcessNote(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="+", editable=False
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    # A free date for now: linking to a progress note is left for later.
    session_date = models.DateField(null=True, blank=True)
    # Fernet token (outer layer, PROCESS_NOTES_KEYS, see crypto.py) of the
    # author-sealed inner layer (sealing.py): AES-GCM under the author's data
    # key of the padded UTF-8 text. Notes written before sealing existed hold
    # the padded text directly and have an empty ``sealed_with``.
    ciphertext = models.TextField(editable=False)
    # Non-secret fingerprint of the outer key that wrote ``ciphertext``.
    key_id = models.CharField(max_length=8, editable=False)
    # Non-secret fingerprint of the author's data key that sealed the inner
    # layer; empty for a note not yet sealed (see docs/threat-model.md).
    sealed_with = models.CharField(max_length=16, blank=True, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Process note {self.uuid}"

    def __repr__(self) -> str:
        return f"<ProcessNote {self.uuid}>"


class AuthorKey(models.Model):
    """An author's process-note data key, stored only wrapped (sealing.py).

    Each ``*_wrap`` is a self-describing string: the method, its parameters
    and the AES-GCM output, never the key itself:

    - ``password_wrap``: under argon2id(the author's password, a random salt);
      re-wrapped when the author changes their own password. After an admin
      reset it stays under the previous password: the notes are sealed until
      the author proves it on the unseal page.
    - ``recovery_wrap``: to the practice recovery public key (X25519), whose
      private half is kept offline; used only by ``recover_process_notes``.
    - ``handover_wrap``: after a recovery run, under a one-time recovery code
      that the author enters on the unseal page before ``handover_expires_at``.
    """

    author = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    key_id = models.CharField(max_length=16, editable=False)
    password_wrap = models.TextField(blank=True, editable=False)
    recovery_wrap = models.TextField(blank=True, editable=False)
    recovery_key_id = models.CharField(max_length=16, blank=True, editable=False)
    handover_wrap = models.TextField(blank=True, editable=False)
    handover_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Process-note key {self.key_id}"

    def __repr__(self) -> str:
        return f"<AuthorKey {self.key_id}>"


class ProcessNoteUserObjectPermission(UserObjectPermissionBase):
    """Guardian object permissions with a real foreign key, so the grants go
    away with the note when its author deletes it."""

    content_object = models.ForeignKey(ProcessNote, on_delete=models.CASCADE)
