"""Who may read and give standard measures. Every view goes through here.

Measures are clinical content: the client's care team (and auditors, read
only; and emergency access, read only) read them; clinicians on the care team
give them and set their repeats. The front desk, billers and practice admins
may see the client but not the measures (403, audited); outsiders get the
client's 404 (audited by ``clients.access``).
"""

from __future__ import annotations

import uuid

from django.http import Http404

from clients import access as client_access
from clients.models import Client
from notes.measures.models import MeasureResult, MeasureSchedule

READ, GIVE = "read", "give"
_PERMS = {READ: client_access.CLINICAL, GIVE: client_access.DOCUMENT}


def can_read(user, client: Client) -> bool:
    return client_access.can(user, client_access.CLINICAL, client)


def can_give(user, client: Client) -> bool:
    """Clinicians on the care team (auditors and emergency readers only read)."""
    return client_access.can(user, client_access.DOCUMENT, client)


def get_client_for_measures(request, client_uuid: uuid.UUID | str, action: str = READ) -> Client:
    """The client, if the user may ``action`` (read/give) their measures; else 404/403, audited."""
    if action not in _PERMS:
        raise ValueError(f"unknown action {action!r}")
    return client_access.get_client_for_user(request, client_uuid, _PERMS[action])


def get_result_for_user(request, result_uuid: uuid.UUID | str) -> MeasureResult:
    """One recorded measure, for a reader of the client's clinical content."""
    result = (
        MeasureResult.objects.select_related("client", "clinician").filter(uuid=result_uuid).first()
    )
    if result is None:
        raise Http404("No such record.")
    result.client = get_client_for_measures(request, result.client.uuid, READ)
    return result


def get_schedule_for_user(request, schedule_uuid: uuid.UUID | str) -> MeasureSchedule:
    """A repeat, for a clinician on the client's care team (who may change it)."""
    schedule = MeasureSchedule.objects.select_related("client").filter(uuid=schedule_uuid).first()
    if schedule is None:
        raise Http404("No such record.")
    schedule.client = get_client_for_measures(request, schedule.client.uuid, GIVE)
    return schedule
