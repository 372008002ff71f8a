"""Break-the-glass emergency access to a chart.

A clinician who is not on a client's care team states a reason and gets read
access to that chart for ``settings.EMERGENCY_ACCESS_MINUTES``. The grant is
checked in ``clients.access.can`` (the one place access is decided); it adds
``EMERGENCY_PERMISSIONS`` only, so writing and process notes stay closed.
Every start and every chart page opened under it is audited as
``emergency_access``; the practice admin reviews them (``review`` view).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clients.models import Client, EmergencyAccess
from practice import audit
from practice.models import AuditAction
from practice.permissions import has_perm
from practice.refusals import Refused
from practice.roles import CLINICAL_ROLES

# What a grant adds: reading the chart, nothing else.
EMERGENCY_PERMISSIONS = frozenset({"clients.view_client", "clients.view_clinical"})
MIN_REASON_LENGTH = 15


class EmergencyAccessError(Refused):
    """Refused; the message is safe to show."""


def may_request(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in CLINICAL_ROLES)


def active_grant(user, client: Client) -> EmergencyAccess | None:
    """The user's unexpired grant on this client, cached for the request."""
    if not may_request(user):
        return None
    cache = user.__dict__.setdefault("_emergency_cache", {})
    if client.pk not in cache:
        cache[client.pk] = (
            EmergencyAccess.objects.filter(user=user, client=client, expires_at__gt=timezone.now())
            .order_by("-expires_at")
            .first()
        )
    return cache[client.pk]


def forget_cached_grants(user) -> None:
    user.__dict__.pop("_emergency_cache", None)


@transaction.atomic
def emergency_access_start(*, user, client: Client, reason: str, request=None) -> EmergencyAccess:
    """Open ``client``'s chart to ``user`` for the configured minutes."""
    if not may_request(user):
        raise EmergencyAccessError("Only clinicians can use emergency access.")
    if has_perm(user, "clients.view_clinical", client):
        raise EmergencyAccessError("You already have access to this chart.")
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise EmergencyAccessError(
            f"Describe the emergency in at least {MIN_REASON_LENGTH} characters."
        )
    current = active_grant(user, client)
    if current is not None:
        return current
    now = timezone.now()
    grant = EmergencyAccess(
        client=client,
        user=user,
        reason=reason,
        started_at=now,
        expires_at=now + timedelta(minutes=settings.EMERGENCY_ACCESS_MINUTES),
    )
    try:
        grant.full_clean()
    except ValidationError as exc:
        raise EmergencyAccessError("; ".join(exc.messages)) from None
    grant.save()
    forget_cached_grants(user)
    # The reason stays on the grant (for the admin's review), not in the audit detail.
    audit.record(
        AuditAction.EMERGENCY_ACCESS,
        request=request,
        user=user,
        obj=grant,
        client=client,
        detail={
            "event": "start",
            "grant": str(grant.uuid),
            "minutes": settings.EMERGENCY_ACCESS_MINUTES,
        },
    )
    return grant


def emergency_access_used(*, request, grant: EmergencyAccess) -> None:
    """Audit one page of the chart opened under the grant."""
    audit.record(
        AuditAction.EMERGENCY_ACCESS,
        request=request,
        object_type="clients.client",
        object_id=str(grant.client.uuid),
        client=grant.client,
        detail={"event": "use", "grant": str(grant.uuid), "path": request.path[:200]},
    )


MARK_REVIEWED_PERM = "practice.manage_users"


@transaction.atomic
def emergency_access_review(*, grant: EmergencyAccess, reviewer, note: str, request=None) -> None:
    """Mark a grant reviewed (once: a conditional update)."""
    changed = EmergencyAccess.objects.filter(pk=grant.pk, reviewed_at__isnull=True).update(
        reviewed_at=timezone.now(), reviewed_by=reviewer, review_note=(note or "").strip()
    )
    if changed != 1:
        raise EmergencyAccessError("This emergency access was already reviewed.")
    audit.record(
        AuditAction.UPDATE,
        request=request,
        user=reviewer,
        obj=grant,
        client=grant.client,
        detail={"emergency_access": "reviewed"},
    )
