"""The one place that decides who may reach a process note.

Only the author ever may: not another clinician on the care team, not a
supervisor, not an admin, auditor, biller, front desk, and not a superuser.
Three things must all hold:

- the user is the note's author (``note.author_id == user.id``);
- guardian's object permission for the action is granted to that user on that
  note (checked with ``get_user_perms``, which ignores ``is_superuser``, unlike
  ``user.has_perm``); no role group carries any process-note permission;
- the author is still on the client's care team (``clients.document_care``).
  Removing a clinician from the care team hides their notes until they are
  added back; nothing is lost.

Everyone else gets the same 404 as for a note that does not exist, audited as
``access_denied`` with ids only. Every view goes through ``client_for_author``,
``process_notes_for`` or ``get_process_note_for_user``.
"""

from __future__ import annotations

import uuid

from django.http import Http404
from guardian.shortcuts import get_objects_for_user, get_user_perms

from clients.access import DOCUMENT, can, deny
from clients.models import Client
from notes.psychotherapy.models import ProcessNote

OBJECT_TYPE = "psychotherapy.processnote"
VIEW = "view_processnote"
CHANGE = "change_processnote"
DELETE = "delete_processnote"
ADD = "add_processnote"
AUTHOR_PERMISSIONS = (VIEW, CHANGE, DELETE)


def may_write_for(user, client: Client) -> bool:
    """A clinician on the client's care team may keep process notes about them."""
    return bool(user.is_authenticated and user.is_active and can(user, DOCUMENT, client))


def _is_author_with(user, note: ProcessNote, codename: str) -> bool:
    if not (user.is_authenticated and user.is_active) or note.author_id != user.id:
        return False
    if codename not in get_user_perms(user, note):
        return False
    return may_write_for(user, note.client)


def client_for_author(request, client_uuid: uuid.UUID | str, codename: str = VIEW) -> Client:
    """The client whose process notes the user may list (VIEW) or write (ADD), else a 404."""
    client = Client.objects.filter(uuid=client_uuid).first()
    if client is None:
        raise Http404("No such record.")
    if not may_write_for(request.user, client):
        deny(
            request,
            client,
            f"psychotherapy.{codename}",
            not_found=True,
            object_type=OBJECT_TYPE,
        )
    return client


def process_notes_for(user, client: Client):
    """The user's own process notes about ``client``: never anyone else's."""
    if not may_write_for(user, client):
        return ProcessNote.objects.none()
    own = ProcessNote.objects.filter(client=client, author=user)
    return get_objects_for_user(
        user,
        f"psychotherapy.{VIEW}",
        klass=own,
        with_superuser=False,
        accept_global_perms=False,
    )


def get_process_note_for_user(
    request, note_uuid: uuid.UUID | str, codename: str = VIEW
) -> ProcessNote:
    note = ProcessNote.objects.select_related("client", "author").filter(uuid=note_uuid).first()
    if note is None:
        raise Http404("No such record.")
    if not _is_author_with(request.user, note, codename):
        deny(
            request,
            note.client,
            f"psychotherapy.{codename}",
            not_found=True,
            object_type=OBJECT_TYPE,
            object_id=str(note.uuid),
        )
    return note
