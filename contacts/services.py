"""Writes to contact notes: create (with the ROI rule), update a draft, sign, addenda."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from clients.models import Appointment, Client, CollateralContact
from contacts import access, rules
from contacts.models import ContactNote, ContactNoteAddendum, NoteStatus
from practice import audit, signing
from practice.models import AuditAction
from practice.refusals import Refused
from practice.signing import signed_addendum_add, signer_name


class ContactNoteRefused(Refused):
    """A rule refused the note. ``errors`` maps form fields (or None) to messages
    that are safe to show to the user."""


def _person(client: Client, collateral: CollateralContact | None) -> tuple[str, str]:
    if collateral is None:
        return client.display_name, "Client"
    return collateral.name, collateral.get_relationship_display()


def _check(
    *,
    client: Client,
    author,
    collateral: CollateralContact | None,
    contact_at: datetime,
    reason: str,
    means: list[str],
    minutes,
    billable: bool,
    is_emergency: bool,
    emergency_justification: str,
    now: datetime | None,
    require_release: bool = True,
) -> rules.RoiDecision:
    refusal = access.write_refusal(author, client, reason)
    if refusal:
        raise ContactNoteRefused({"reason": refusal})
    if collateral is not None and collateral.client_id != client.pk:
        raise ContactNoteRefused({"person": "Choose the client or one of their contacts."})
    errors: dict[str | None, str] = dict(
        rules.validate_note(
            author=author,
            contact_at=contact_at,
            reason=reason,
            means=means,
            minutes=minutes,
            billable=billable,
            is_emergency=is_emergency,
            justification=emergency_justification,
            now=now,
        )
    )
    if errors:
        raise ContactNoteRefused(errors)
    decision = rules.check_release(
        collateral=collateral,
        on=timezone.localdate(contact_at),
        reason=reason,
        is_emergency=is_emergency,
        justification=emergency_justification,
    )
    if not decision.allowed and require_release:
        raise ContactNoteRefused({"person": decision.message})
    return decision


def _disclosure_fields(decision: rules.RoiDecision) -> dict:
    """What the note records about the rule that allowed the contact."""
    if not decision.allowed:
        return {"roi": None, "roi_snapshot": "", "disclosure_basis": ""}
    roi = decision.roi
    return {
        "roi": roi,
        "roi_snapshot": (
            f"Signed {roi.signed_date:%Y-%m-%d}, expires {roi.expires_on:%Y-%m-%d}: {roi.scope}"[
                :300
            ]
            if roi
            else ""
        ),
        "disclosure_basis": decision.basis[:300],
    }


def signing_blocker(note: ContactNote) -> str:
    """Why this draft cannot be signed as it stands ('' when it can)."""
    if note.is_signed:
        return ""
    decision = rules.check_release(
        collateral=note.collateral,
        on=timezone.localdate(note.contact_at),
        reason=note.reason,
        is_emergency=note.is_emergency,
        justification=note.emergency_justification,
    )
    return "" if decision.allowed else decision.message


def _sign_fields(note: ContactNote, signer, now: datetime) -> None:
    note.status = NoteStatus.SIGNED
    note.signed_at = now
    note.signer_name = signer_name(signer)
    note.signer_credentials = signer.credentials
    note.content_hash = note.compute_hash()


@transaction.atomic
def contact_note_create(
    *,
    client: Client,
    author,
    contact_at: datetime,
    reason: str,
    means: list[str],
    minutes: int,
    summary: str = "",
    collateral: CollateralContact | None = None,
    billable: bool = False,
    fee_applies: bool = False,
    fee_amount: Decimal | int = 0,
    is_emergency: bool = False,
    emergency_justification: str = "",
    appointment: Appointment | None = None,
    sign: bool = False,
    request=None,
    now: datetime | None = None,
) -> ContactNote:
    """Create a contact note (a draft, or signed at once with ``sign=True``).

    Raises ContactNoteRefused with field messages when a rule refuses it. The
    release rule applies to signing: a draft with a collateral and no active
    release (nor personal representation) is kept, and ``signing_blocker``
    says why it cannot be signed yet; signing it is refused unless it is a
    documented emergency, which is then flagged on the note and in the audit trail.
    """
    now = now or timezone.now()
    decision = _check(
        require_release=sign,
        client=client,
        author=author,
        collateral=collateral,
        contact_at=contact_at,
        reason=reason,
        means=means,
        minutes=minutes,
        billable=billable,
        is_emergency=is_emergency,
        emergency_justification=emergency_justification,
        now=now,
    )
    name, relationship = _person(client, collateral)
    note = ContactNote(
        client=client,
        appointment=appointment,
        contact_at=contact_at,
        collateral=collateral,
        person_name=name,
        relationship=relationship,
        reason=reason,
        means=list(means),
        summary=summary,
        minutes=minutes,
        billable=billable,
        fee_applies=fee_applies,
        fee_amount=Decimal(fee_amount).quantize(Decimal("0.01")),
        is_emergency=is_emergency,
        emergency_justification=emergency_justification.strip() if is_emergency else "",
        author=author,
        **_disclosure_fields(decision),
    )
    note.full_clean(exclude=["kind"])
    if sign:
        _sign_fields(note, author, now)
    note.save()
    detail = {"reason": reason, "kind": note.kind, "signed": sign}
    if collateral is not None:
        detail["collateral"] = str(collateral.uuid)
        detail["roi"] = str(decision.roi.uuid) if decision.roi else None
        if decision.allowed and decision.roi is None and not decision.emergency:
            detail["personal_representative"] = True
        if not decision.allowed:
            detail["release_missing"] = True
    if note.is_emergency:
        detail["emergency"] = True
    if appointment is not None:
        detail["appointment"] = str(appointment.uuid)
    audit.record(
        AuditAction.CREATE, request=request, user=author, obj=note, client=client, detail=detail
    )
    if sign:
        audit.record(AuditAction.SIGN, request=request, user=author, obj=note, client=client)
    return note


@transaction.atomic
def contact_note_update(
    *,
    note: ContactNote,
    actor,
    request=None,
    now: datetime | None = None,
    **fields,
) -> ContactNote:
    """Change a draft (its author only). Same rules as creating it."""
    if note.author_id != actor.pk or note.is_signed:
        raise ContactNoteRefused({None: "Only the author can change a draft."})
    merged = {
        "collateral": note.collateral,
        "contact_at": note.contact_at,
        "reason": note.reason,
        "means": note.means,
        "minutes": note.minutes,
        "billable": note.billable,
        "is_emergency": note.is_emergency,
        "emergency_justification": note.emergency_justification,
    }
    merged.update({k: v for k, v in fields.items() if k in merged})
    decision = _check(
        client=note.client, author=actor, now=now, require_release=False, **merged
    )
    for key, value in fields.items():
        setattr(note, key, value)
    note.person_name, note.relationship = _person(note.client, note.collateral)
    for key, value in _disclosure_fields(decision).items():
        setattr(note, key, value)
    if not note.is_emergency:
        note.emergency_justification = ""
    note.full_clean(exclude=["kind"])
    # Lock the row: a sign racing this edit either waits or has already won.
    if not ContactNote.objects.select_for_update().filter(pk=note.pk, status=NoteStatus.DRAFT):
        raise ContactNoteRefused({None: "This note was signed meanwhile; add an addendum."})
    note.save()
    detail: dict[str, object] = {"fields": sorted(fields)}
    if note.is_emergency:
        detail["emergency"] = True
    audit.record(
        AuditAction.UPDATE, request=request, user=actor, obj=note, client=note.client, detail=detail
    )
    return note


@transaction.atomic
def contact_note_sign(
    *, note: ContactNote, actor, request=None, now: datetime | None = None
) -> ContactNote:
    """Sign a draft: record signer, time and content hash; the row is then frozen.

    A conditional update from draft, so two clicks sign once.
    """
    if note.author_id != actor.pk:
        raise ContactNoteRefused({None: "Only the author can sign this note."})
    now = now or timezone.now()
    # Lock the row before reading what is hashed: an edit racing the click
    # either lands first (and is signed) or waits and is refused.
    fresh = (
        ContactNote.objects.select_for_update(of=("self",))
        .select_related("client", "author", "collateral", "roi")
        .get(pk=note.pk)
    )
    if fresh.is_signed:
        raise ContactNoteRefused({None: "This note is already signed."})
    # The release rule is decided at signing, on the contact date: a draft
    # saved before the release was recorded is signed with it.
    decision = rules.check_release(
        collateral=fresh.collateral,
        on=timezone.localdate(fresh.contact_at),
        reason=fresh.reason,
        is_emergency=fresh.is_emergency,
        justification=fresh.emergency_justification,
    )
    if not decision.allowed:
        raise ContactNoteRefused({"person": decision.message})
    disclosure = _disclosure_fields(decision)
    signing.sign(fresh, actor=actor, now=now, refusal=ContactNoteRefused, **disclosure)
    audit.record(
        AuditAction.SIGN,
        request=request,
        user=actor,
        obj=fresh,
        client=fresh.client,
        detail={"emergency": True} if fresh.is_emergency else None,
    )
    return ContactNote.objects.get(pk=note.pk)


@transaction.atomic
def contact_note_addendum_add(
    *, note: ContactNote, actor, text: str, request=None, now: datetime | None = None
) -> ContactNoteAddendum:
    if not note.is_signed:
        raise ContactNoteRefused({None: "Addenda are added to signed notes."})
    refusal = access.write_refusal(actor, note.client, note.reason)
    if refusal:
        raise ContactNoteRefused({None: refusal})
    text = text.strip()
    if not text:
        raise ContactNoteRefused({"text": "Write the addendum."})
    return signed_addendum_add(
        ContactNoteAddendum,
        note=note,
        actor=actor,
        text=text,
        now=now or timezone.now(),
        request=request,
    )
