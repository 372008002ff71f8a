"""The writes of amendment requests: log, accept, deny, attach a disagreement.

Decisions are conditional updates (two clicks decide once), signed with the
decider's name and a content hash, and frozen (``save()`` and, on PostgreSQL,
a trigger). Nothing here is ever deleted.
"""

from __future__ import annotations

from datetime import UTC, date

from django.db import transaction
from django.utils import timezone

from clients.amendments.access import can_decide, can_log
from clients.models import AmendmentRequest, AmendmentStatus, Client
from practice import audit
from practice.models import AuditAction
from practice.refusals import Refused
from practice.signing import content_hash


class AmendmentError(Refused):
    """Refused; the message is safe to show."""


def _decision_hash(req: AmendmentRequest) -> str:
    return content_hash(
        {
            "uuid": str(req.uuid),
            "client": str(req.client.uuid),
            "status": req.status,
            "record_reference": req.record_reference,
            "requested_change": req.requested_change,
            "amendment_text": req.amendment_text,
            "denial_reason": req.denial_reason,
            "decided_by": req.decided_by_id,
            "decided_at": req.decided_at.astimezone(UTC).isoformat(),
        }
    )


@transaction.atomic
def amendment_request_log(
    *,
    client: Client,
    actor,
    received_on: date,
    requested_by: str,
    record_reference: str,
    requested_change: str,
    request=None,
) -> AmendmentRequest:
    if not can_log(actor, client):
        raise AmendmentError("Your role cannot log amendment requests for this client.")
    if received_on > timezone.localdate():
        raise AmendmentError("The date received cannot be in the future.")
    req = AmendmentRequest(
        client=client,
        received_on=received_on,
        requested_by=requested_by.strip() or "Client",
        record_reference=record_reference.strip(),
        requested_change=requested_change.strip(),
        logged_by=actor,
    )
    req.full_clean()
    req.save()
    audit.record(AuditAction.CREATE, request=request, user=actor, obj=req, client=client)
    return req


def _decide(*, req: AmendmentRequest, actor, status: str, request=None, **fields) -> None:
    if not can_decide(actor, req.client):
        raise AmendmentError("Only a clinician on the care team decides amendment requests.")
    values = {
        "status": status,
        "decided_by": actor,
        "decided_at": timezone.now(),
        "signer_name": actor.signature_name,
        "amendment_text": "",
        "denial_reason": "",
        **fields,
    }
    # The hash is computed first and written in the same conditional update:
    # once decided, the row is frozen (also by the database trigger).
    for name, value in values.items():
        setattr(req, name, value)
    values["content_hash"] = _decision_hash(req)
    changed = AmendmentRequest.objects.filter(pk=req.pk, status=AmendmentStatus.PENDING).update(
        **values
    )
    if changed != 1:
        raise AmendmentError("This request has already been decided.")
    req.refresh_from_db()
    audit.record(
        AuditAction.SIGN,
        request=request,
        user=actor,
        obj=req,
        client=req.client,
        detail={"amendment": status, "content_hash": req.content_hash},
    )


@transaction.atomic
def amendment_accept(*, req: AmendmentRequest, actor, amendment_text: str, request=None) -> None:
    """Accept: the amendment text is signed and frozen on the request."""
    text = (amendment_text or "").strip()
    if not text:
        raise AmendmentError("Write the amendment that will be added to the record.")
    _decide(
        req=req, actor=actor, status=AmendmentStatus.ACCEPTED, amendment_text=text, request=request
    )


@transaction.atomic
def amendment_deny(*, req: AmendmentRequest, actor, denial_reason: str, request=None) -> None:
    """Deny: the reason is kept; the client may then file a statement of disagreement."""
    reason = (denial_reason or "").strip()
    if not reason:
        raise AmendmentError("Give the reason for the denial; the client receives it.")
    _decide(
        req=req, actor=actor, status=AmendmentStatus.DENIED, denial_reason=reason, request=request
    )


@transaction.atomic
def amendment_disagreement_attach(
    *, req: AmendmentRequest, actor, statement: str, received_on: date, request=None
) -> None:
    """Attach the client's statement of disagreement to a denied request (once)."""
    if not can_log(actor, req.client):
        raise AmendmentError("Your role cannot add to amendment requests for this client.")
    statement = (statement or "").strip()
    if not statement:
        raise AmendmentError("Enter the client's statement.")
    if received_on > timezone.localdate():
        raise AmendmentError("The date received cannot be in the future.")
    changed = AmendmentRequest.objects.filter(
        pk=req.pk, status=AmendmentStatus.DENIED, disagreement_statement=""
    ).update(
        disagreement_statement=statement,
        disagreement_received_on=received_on,
        disagreement_logged_by=actor,
    )
    if changed != 1:
        raise AmendmentError(
            "A statement of disagreement can be attached once, to a denied request."
        )
    audit.record(
        AuditAction.UPDATE,
        request=request,
        user=actor,
        obj=req,
        client=req.client,
        detail={"fields": ["disagreement_statement"]},
    )
