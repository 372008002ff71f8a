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
    # Fernet token of the padded UTF-8 text (see crypto.py).
    ciphertext = models.TextField(editable=False)
    # Non-secret fingerprint of the key that wrote ``ciphertext``.
    key_id = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Process note {self.uuid}"

    def __repr__(self) -> str:
        return f"<ProcessNote {self.uuid}>"


class ProcessNoteUserObjectPermission(UserObjectPermissionBase):
    """Guardian object permissions with a real foreign key, so the grants go
    away with the note when its author deletes it."""

    content_object = models.ForeignKey(ProcessNote, on_delete=models.CASCADE)
