"""The one place that decides who may reach a client and what they may do.

Every view that touches a client's records loads the client through
``get_client_for_user``. Outsiders (no practice-wide role permission and not
on the care team) get a 404, so a URL does not even confirm that the client
exists; people who may see the client but not do the thing asked get a 403
that says why. Both are audited.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404

from clients import emergency
from clients.models import Client
from practice import audit
from practice.models import AuditAction
from practice.permissions import has_perm, objects_with_perm

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
):
    """Audit a refusal and raise the matching exception."""
    audit.record(
        AuditAction.ACCESS_DENIED,
        request=request,
        object_type=object_type or "clients.client",
        object_id=object_id or (str(client.uuid) if client else ""),
        client=client,
        detail={"permission": perm, "path": request.path[:200]},
    )
    if not_found:
        raise Http404("No such record, or it is not on your caseload.")
    raise PermissionDenied(_REASONS.get(perm, "You do not have access to this."))


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
        if getattr(request, "emergency_access", None) is None:
            request.emergency_access = grant
            emergency.emergency_access_used(request=request, grant=grant)
    return client


def clients_visible_to(user):
    return objects_with_perm(user, VIEW, Client.objects.all())
