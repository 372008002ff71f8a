"""Who may read, write, sign and co-sign progress notes, and how much they see.

Every view loads a progress note through ``get_progress_note_for_user``. The
client is loaded first through ``clients.access`` (outsiders get a 404,
audited); then the note's own rules apply:

- care-team clinicians (and supervisors, who join the care team with their
  supervisees) read every signed note of the client in full;
- auditors read signed notes in full, read-only;
- billers see date, duration, CPT, diagnoses and clinician, never the body;
- the front desk and practice admins see no progress notes at all (403);
- a draft is seen, edited and signed by its author only (404 for anyone else);
- only the author's own supervisor co-signs, once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import NoReturn

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from clients import access as client_access
from clients.models import Client
from notes.models import NoteStatus, ProgressNote

FULL = "full"
BILLING = "billing"

READ, EDIT, SIGN, COSIGN, ADDEND, PRINT = "read", "edit", "sign", "cosign", "addend", "print"
ACTIONS = (READ, EDIT, SIGN, COSIGN, ADDEND, PRINT)

# Audit vocabulary for refusals: the permission that was missing.
_PERMS = {
    READ: "notes.view_progressnote",
    EDIT: "notes.change_progressnote",
    SIGN: "notes.change_progressnote",
    COSIGN: "notes.cosign_progressnote",
    ADDEND: "notes.add_progressnoteaddendum",
    PRINT: client_access.CLINICAL,
}


def read_level(user, client: Client) -> str | None:
    """How much of this client's progress notes the user may see, or None."""
    if client_access.can(user, client_access.CLINICAL, client):
        return FULL
    if client_access.can(user, client_access.BILLING, client):
        return BILLING
    return None


def can_write(user, client: Client) -> bool:
    """Clinicians on the care team write progress notes (auditors only read)."""
    return client_access.can(user, client_access.DOCUMENT, client)


def notes_visible_to(user, client: Client) -> QuerySet[ProgressNote]:
    """The client's notes the user may list: signed ones, plus their own drafts."""
    level = read_level(user, client)
    if level is None:
        return ProgressNote.objects.none()
    notes = ProgressNote.objects.filter(client=client)
    if level == BILLING:
        return notes.filter(status=NoteStatus.SIGNED)
    return notes.filter(Q(status=NoteStatus.SIGNED) | Q(author=user))


def is_cosigner_for(user, note: ProgressNote) -> bool:
    """The author's own supervisor, for a note that awaits co-signature."""
    return (
        note.awaiting_cosign
        and note.author.supervisor_id is not None
        and note.author.supervisor_id == user.pk
        and can_write(user, note.client)
    )


def awaiting_cosign_for(user) -> QuerySet[ProgressNote]:
    """Signed notes of the user's supervisees that still need their co-signature."""
    return ProgressNote.objects.filter(
        author__supervisor=user,
        status=NoteStatus.SIGNED,
        cosign_required=True,
        cosigned_at__isnull=True,
        client__in=client_access.clients_visible_to(user),
    )


@dataclass
class NoteView:
    """A note as one user may see it."""

    note: ProgressNote
    level: str

    @property
    def body_visible(self) -> bool:
        return self.level == FULL


def _refuse(request, note: ProgressNote, action: str, message: str, *, not_found=False) -> NoReturn:
    try:
        client_access.deny(
            request,
            note.client,
            _PERMS[action],
            not_found=not_found,
            object_type="notes.progressnote",
            object_id=str(note.uuid),
        )
    except PermissionDenied:
        raise PermissionDenied(message) from None


def get_progress_note_for_user(request, note_uuid: uuid.UUID | str, action: str = READ) -> NoteView:
    """Load a progress note for ``action`` (read/edit/sign/cosign/addend/print) or refuse.

    Outsiders to the client and anyone but the author asking for a draft get a
    404; insiders lacking the right get a 403 that says why. Both are audited.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    note = (
        ProgressNote.objects.select_related("client", "author", "cosigner", "appointment")
        .filter(uuid=note_uuid)
        .first()
    )
    if note is None:
        raise Http404("No such record.")
    user = request.user
    client = client_access.get_client_for_user(request, note.client.uuid)
    note.client = client
    level = read_level(user, client)
    is_author = note.author_id == user.pk
    if not note.is_signed and not is_author:
        # A draft is the author's work in progress; to anyone else it does not exist yet.
        _refuse(request, note, action, "", not_found=True)
    if level is None:
        _refuse(request, note, READ, "Your role does not include reading progress notes.")
    if action in (EDIT, SIGN) and not (is_author and not note.is_signed):
        _refuse(
            request,
            note,
            action,
            "This note is signed and can no longer be changed; add an addendum instead.",
        )
    if action in (EDIT, SIGN) and not can_write(user, client):
        _refuse(request, note, action, "You are no longer on this client's care team.")
    if action == COSIGN and not is_cosigner_for(user, note):
        _refuse(
            request,
            note,
            action,
            "Only the author's supervisor co-signs, once, a signed note that awaits it.",
        )
    if action == PRINT and level != FULL:
        # A printed note carries its whole text: billers (who see the billing facts) may not.
        _refuse(request, note, action, "Your role does not include reading clinical content.")
    if action == ADDEND:
        if not note.is_signed:
            _refuse(request, note, action, "Addenda are added to signed notes; edit the draft.")
        if not can_write(user, client):
            _refuse(
                request,
                note,
                action,
                "Only clinicians on this client's care team add addenda.",
            )
    return NoteView(note=note, level=level)
