"""The one way views load an appointment.

The client is loaded through ``clients.access`` (outsiders get a 404, audited).
Anyone who may see the client may see its appointments; changing one needs the
practice-wide ``manage_schedule`` permission (front desk, practice admin) or
being a clinician on the client's care team.
"""

from __future__ import annotations

import uuid

from django.http import Http404

from clients import access
from clients.models import Appointment, Client
from practice.permissions import has_role_perm

MANAGE_SCHEDULE = "clients.manage_schedule"


def can_change_schedule(user, client: Client) -> bool:
    return has_role_perm(user, MANAGE_SCHEDULE) or access.can(user, access.DOCUMENT, client)


def get_appointment_for_user(
    request, appointment_uuid: uuid.UUID | str, *, change: bool = False
) -> Appointment:
    appointment = (
        Appointment.objects.select_related("client", "clinician", "rescheduled_from")
        .filter(uuid=appointment_uuid)
        .first()
    )
    if appointment is None:
        raise Http404("No such record.")
    client = access.get_client_for_user(request, appointment.client.uuid)
    if change and not can_change_schedule(request.user, client):
        access.deny(
            request,
            client,
            MANAGE_SCHEDULE,
            not_found=False,
            object_type="clients.appointment",
            object_id=str(appointment.uuid),
        )
    appointment.client = client
    return appointment
