"""Who may read, write and sign contact notes, and how much of a note they see.

Every view loads a contact note through ``get_contact_note_for_user``. The
client is loaded first through ``clients.access`` (outsiders get a 404, audited);
then the note's own rules apply:

- care-team clinicians read every signed note of the client in full;
- auditors (practice-wide clinical read) read signed notes in full;
- the front desk and practice admins read administrative notes in full, but of
  a clinical note only date, reason, means and minutes;
- billers see date, minutes, billable, clinician, reason and means, never the summary;
- a draft is seen, edited and signed by its author only.
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
from contacts.models import ADMINISTRATIVE_REASONS, ContactNote, NoteStatus
from practice.permissions import has_role_perm

FULL = "full"
ADMINISTRATIVE = "administrative"
BILLING = "billing"

ADD_ADMINISTRATIVE = "contacts.add_administrative_contactnote"
VIEW_ADMINISTRATIVE = "contacts.view_administrative_contactnote"

READ, EDIT, SIGN, ADDEND, PRINT = "read", "edit", "sign", "addend", "print"


def read_level(user, client: Client) -> str | None:
    """How much of this client's contact notes the user may see, or None."""
    if client_access.can(user, client_access.CLINICAL, client):
        return FULL
    if has_role_perm(user, VIEW_ADMINISTRATIVE):
        return ADMINISTRATIVE
    if client_access.can(user, client_access.BILLING, client):
        return BILLING
    return None


def shows_summary(user, note: ContactNote, level: str | None) -> bool:
    if note.author_id == user.pk or level == FULL:
        return True
    return level == ADMINISTRATIVE and note.is_administrative


def write_refusal(user, client: Client, reason: str) -> str | None:
    """Why the user may not write a contact note with this reason, or None if they may."""
    if client_access.can(user, client_access.DOCUMENT, client):
        return None
    if has_role_perm(user, ADD_ADMINISTRATIVE):
        if reason in ADMINISTRATIVE_REASONS:
            return None
        return (
            "The front desk writes administrative contact notes only "
            "(reschedule, cancellation, no-show, records request). "
            "Ask a clinician on the care team to document this contact."
        )
    return "Your role cannot write contact notes for this client."


def can_write_any(user, client: Client) -> bool:
    return client_access.can(user, client_access.DOCUMENT, client) or has_role_perm(
        user, ADD_ADMINISTRATIVE
    )


def notes_visible_to(user, client: Client) -> QuerySet[ContactNote]:
    """The client's notes the user may list: signed ones by level, plus their own drafts."""
    if read_level(user, client) is None:
        return ContactNote.objects.none()
    return ContactNote.objects.filter(client=client).filter(
        Q(status=NoteStatus.SIGNED) | Q(author=user)
    )


@dataclass
class NoteView:
    """A note as one user may see it."""

    note: ContactNote
    level: str
    summary_visible: bool


def _refuse(
    request, client, perm: str, message: str, note: ContactNote, *, not_found=False
) -> NoReturn:
    try:
        client_access.deny(
            request,
            client,
            perm,
            not_found=not_found,
            object_type="contacts.contactnote",
            object_id=str(note.uuid),
        )
    except PermissionDenied:
        raise PermissionDenied(message) from None


def get_contact_note_for_user(request, note_uuid: uuid.UUID | str, action: str = READ) -> NoteView:
    note = (
        ContactNote.objects.select_related("client", "author", "collateral", "roi", "appointment")
        .filter(uuid=note_uuid)
        .first()
    )
    if note is None:
        raise Http404("No such record.")
    user = request.user
    client = client_access.get_client_for_user(request, note.client.uuid)
    level = read_level(user, client)
    is_author = note.author_id == user.pk
    if level is None:
        _refuse(
            request, client, "contacts.view_contactnote", "You cannot read contact notes.", note
        )
    if not note.is_signed and not is_author:
        # A draft is the author's work in progress; to anyone else it does not exist yet.
        _refuse(request, client, "contacts.view_contactnote", "", note, not_found=True)
    if action in (EDIT, SIGN) and not (is_author and not note.is_signed):
        _refuse(
            request,
            client,
            "contacts.change_contactnote",
            "Only the author can change or sign a draft; a signed note takes addenda.",
            note,
        )
    if action == ADDEND:
        refusal = write_refusal(user, client, note.reason)
        if not note.is_signed:
            refusal = "Addenda are added to signed notes; edit the draft instead."
        if refusal:
            _refuse(request, client, "contacts.add_contactnote", refusal, note)
    summary_visible = shows_summary(user, note, level)
    if action == PRINT and not summary_visible:
        # A printed note carries its summary: only those who read it in full print it.
        _refuse(
            request,
            client,
            "contacts.view_contactnote",
            "Your role does not include reading this note in full.",
            note,
        )
    return NoteView(note=note, level=level, summary_visible=summary_visible)
