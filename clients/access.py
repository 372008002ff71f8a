"""The one place that decides who may reach a client and what they may do.

Every view that touches a client's records loads the client through
``get_client_for_user``. Outsiders (no practice-wide role permission and not
on the care team) get a 404, so a URL does not even confirm that the client
exists; people who may see the client but not do the thing asked get a 403
that says why. Both are audited.
"""

from __future__ import annotations

import uuid
from typing import NoReturn

from django.http import Http404

from clients.emergency import services as emergency
from clients.models import Client, EmergencyAccess
from practice import refusals
from practice.permissions import has_perm, has_role_perm, objects_with_perm

VIEW = "clients.view_client"
CLINICAL = "clients.view_clinical"
DOCUMENT = "clients.document_care"
EDIT = "clients.change_client"
CARE_TEAM = "clients.manage_care_team"
BILLING = "clients.view_billing"
AUDIT_TRAIL = "practice.view_auditevent"

_REASONS = {
    CLINICAL: "Your role does not include reading clinical content.",
    DOCUMENT: "Only clinicians on this client's care team can write clinical documentation.",
    EDIT: "Your role cannot change client demographics.",
    CARE_TEAM: "Your role cannot change care teams.",
    BILLING: "Your role does not include billing data.",
    AUDIT_TRAIL: "Only auditors and practice admins can read the audit trail.",
    "clients.emergency_access": "Only clinicians can use emergency access.",
    "practice.manage_users": "Only practice admins can do this.",
    "practice.change_practicesettings": "Only practice admins can see this.",
    "clients.log_amendment": "Only the front desk, practice admins and the client's care team "
    "log amendment requests.",
    "clients.manage_schedule": "Only the front desk, practice admins and the client's "
    "care team can change appointments.",
}


def can(user, perm: str, client: Client) -> bool:
    """Role or care-team permission, or an active emergency (break-the-glass)
    grant, which adds read access only (``emergency.EMERGENCY_PERMISSIONS``)."""
    if has_perm(user, perm, client):
        return True
    return perm in emergency.EMERGENCY_PERMISSIONS and (
        emergency.active_grant(user, client) is not None
    )


def can_manage_contacts(user, client: Client) -> bool:
    """Collaterals and releases: the front desk and admins practice-wide, or
    clinicians on the care team."""
    return can(user, "clients.add_collateralcontact", client) or can(user, DOCUMENT, client)


def deny(
    request, client: Client | None, perm: str, *, not_found: bool, object_type="", object_id=""
) -> NoReturn:
    """Audit a refusal and raise the matching exception (``practice.refusals.deny``
    with this app's reasons)."""
    refusals.deny(
        request,
        permission=perm,
        not_found=not_found,
        reason=_REASONS.get(perm, refusals.DEFAULT_REASON),
        client=client,
        object_type=object_type or "clients.client",
        object_id=object_id or (str(client.uuid) if client else ""),
    )


def get_client_for_user(request, client_uuid: uuid.UUID | str, perm: str = VIEW) -> Client:
    client = Client.objects.filter(uuid=client_uuid).first()
    if client is None:
        raise Http404("No such record.")
    if not can(request.user, VIEW, client):
        deny(request, client, VIEW, not_found=True)
    if perm != VIEW and not can(request.user, perm, client):
        deny(request, client, perm, not_found=False)
    if not has_perm(request.user, VIEW, client):
        # Reached only through emergency access: flag the page and audit it.
        grant = emergency.active_grant(request.user, client)
        if grant is not None and getattr(request, "emergency_access", None) is None:
            request.emergency_access = grant
            emergency.emergency_access_used(request=request, grant=grant)
    return client


def clients_visible_to(user):
    return objects_with_perm(user, VIEW, Client.objects.all())


def clients_by_uuid(user, uuids) -> dict:
    """{uuid: client} of those ``uuids`` the user may reach (documents name them),
    through the care team, a role, or an active emergency grant."""
    found = {c.uuid: c for c in clients_visible_to(user).filter(uuid__in=uuids)}
    for client in Client.objects.filter(uuid__in=set(uuids) - set(found)):
        if can(user, VIEW, client):
            found[client.uuid] = client
    return found


def job_client_rule(request, job) -> str | None:
    """Access rule of document kinds about one client: the asker must still
    reach the client. Returns the missing permission, or None."""
    if not job.client_uuid:
        return None
    client = Client.objects.filter(uuid=job.client_uuid).first()
    if client is not None and not can(request.user, VIEW, client):
        return VIEW
    return None


def get_grant_for_reviewer(request, grant_uuid) -> EmergencyAccess:
    """The one way a view reaches an emergency-access grant: practice admins,
    who mark grants reviewed. Anyone else gets a 403 (audited) before any
    lookup; an unknown grant is a 404."""
    if not has_role_perm(request.user, emergency.MARK_REVIEWED_PERM):
        deny(request, None, emergency.MARK_REVIEWED_PERM, not_found=False)
    grant = EmergencyAccess.objects.select_related("client").filter(uuid=grant_uuid).first()
    if grant is None:
        raise Http404("No such emergency access.")
    return grant
