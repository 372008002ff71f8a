"""The one helper through which everything writes the audit trail."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from practice.models import AuditAction, AuditEvent

logger = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64
# Arbitrary constant key for pg_advisory_xact_lock: serialises chain appends.
_CHAIN_LOCK_KEY = 7_311_001


def client_ip(request) -> str | None:
    if request is None:
        return None
    # Behind a reverse proxy that sets X-Forwarded-For, only the first hop is
    # trusted, and only when TRUST_X_FORWARDED_FOR is on (settings.py).
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def record(
    action: str,
    *,
    request=None,
    user=None,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    client=None,
    client_uuid: uuid.UUID | str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the audit trail and return it.

    ``obj`` is the record acted on (its public uuid is stored when it has one);
    ``client`` (or ``client_uuid``) is whose chart it belongs to. ``detail``
    must hold ids and reasons only: never clinical text.
    """
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action {action!r}")
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        user = None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(getattr(obj, "uuid", None) or obj.pk)
    if client is not None:
        client_uuid = client.uuid
    event = AuditEvent(
        created_at=timezone.now(),
        user=user,
        username=user.get_username() if user else (detail or {}).get("username", ""),
        role=(user.role or "") if user else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        client_uuid=client_uuid,
        ip_address=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:300] if request else ""),
        detail=detail or {},
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        event.prev_hash = last or GENESIS_HASH
        event.hash = event.compute_hash()
        event.save()
    logger.debug("audit %s %s %s id=%s", event.action, event.username, object_type, object_id)
    return event


def verify_chain() -> tuple[int, AuditEvent | None, str]:
    """Walk the chain in id order. Returns (rows checked, first bad row, reason)."""
    expected_prev = GENESIS_HASH
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != expected_prev:
            return (
                checked,
                event,
                "prev_hash does not match the previous row (row removed or reordered)",
            )
        if event.compute_hash() != event.hash:
            return checked, event, "row content does not match its hash (row changed)"
        expected_prev = event.hash
        checked += 1
    return checked, None, ""
