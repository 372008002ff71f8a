"""Personal representatives (HIPAA 45 CFR 164.502(g)).

A collateral marked as the client's personal representative is treated as the
client for disclosures while the representation holds, so a contact with them
needs no release of information. It holds on a day when:

- the collateral is a parent or guardian and the client is a minor on that day
  (younger than the practice's age of majority); it lapses on the birthday the
  client reaches majority; or
- the collateral is a legal guardian and the authority (court order, letters
  of guardianship) is recorded: a guardian of an adult.

A clinician can suspend it with a reason (the rule's exception for a
reasonable belief of abuse, neglect or endangerment); it then no longer holds
from the day of the suspension.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from clients.models import MINOR_REPRESENTATIVE_RELATIONSHIPS, CollateralContact, Relationship
from practice import audit
from practice.models import AuditAction, PracticeSettings, age_on
from practice.refusals import Refused


@dataclass(frozen=True)
class Representation:
    holds: bool
    # When it holds: the rule that allowed it, in words for the note.
    basis: str = ""
    # When it does not (for a marked representative): why, safe to show.
    why_not: str = ""
    # The first day it no longer holds (None: no end in sight), for the form.
    until: date | None = None


def majority_day(dob: date, age_of_majority: int) -> date:
    """The birthday on which the client reaches majority (29 Feb -> 1 Mar)."""
    year = dob.year + age_of_majority
    try:
        return dob.replace(year=year)
    except ValueError:
        return date(year, 3, 1)


def representation_on(
    collateral: CollateralContact, day: date, *, age_of_majority: int | None = None
) -> Representation:
    """Whether ``collateral`` is the client's personal representative on ``day``."""
    if not collateral.is_personal_representative:
        return Representation(holds=False)
    suspended_on = (
        timezone.localdate(collateral.representation_suspended_at)
        if collateral.representation_suspended_at
        else None
    )
    if suspended_on is not None and suspended_on <= day:
        return Representation(
            holds=False,
            why_not=f"their representation was suspended by a clinician on {suspended_on:%Y-%m-%d}",
        )
    if age_of_majority is None:
        age_of_majority = PracticeSettings.load().age_of_majority
    client = collateral.client
    adult_on = majority_day(client.date_of_birth, age_of_majority)
    relationship = collateral.get_relationship_display().lower()
    if collateral.relationship in MINOR_REPRESENTATIVE_RELATIONSHIPS and day < adult_on:
        age = age_on(client.date_of_birth, day)
        until = min(adult_on, suspended_on) if suspended_on else adult_on
        return Representation(
            holds=True,
            basis=(
                f"Personal representative: {relationship} of a minor (client aged {age} on "
                f"{day:%Y-%m-%d}; age of majority {age_of_majority}), 45 CFR 164.502(g)."
            ),
            until=until,
        )
    authority = collateral.representative_authority.strip()
    if collateral.relationship == Relationship.GUARDIAN and authority:
        return Representation(
            holds=True,
            basis=f"Personal representative: legal guardian (authority: {authority}), "
            "45 CFR 164.502(g).",
            until=suspended_on,
        )
    if collateral.relationship in MINOR_REPRESENTATIVE_RELATIONSHIPS:
        why = (
            f"the client reached the age of majority ({age_of_majority}) on "
            f"{adult_on:%Y-%m-%d}, so the {relationship}'s representation lapsed"
        )
        if collateral.relationship == Relationship.GUARDIAN:
            why += " (record the court's authority to continue as legal guardian)"
        return Representation(holds=False, why_not=why)
    return Representation(
        holds=False,
        why_not=f"a {relationship} can be a personal representative only as a parent or "
        "legal guardian",
    )


def representation_window(
    collateral: CollateralContact, *, age_of_majority: int
) -> tuple[bool, date | None]:
    """(can hold, first day it no longer holds) for days from the client's
    birth on, so a page can tell the status for any contact date."""
    if not collateral.is_personal_representative:
        return False, None
    suspended_on = (
        timezone.localdate(collateral.representation_suspended_at)
        if collateral.representation_suspended_at
        else None
    )
    if collateral.relationship == Relationship.GUARDIAN and (
        collateral.representative_authority.strip()
    ):
        return True, suspended_on
    if collateral.relationship in MINOR_REPRESENTATIVE_RELATIONSHIPS:
        adult_on = majority_day(collateral.client.date_of_birth, age_of_majority)
        return True, min(adult_on, suspended_on) if suspended_on else adult_on
    return False, None


class RepresentationRefused(Refused):
    """The message is safe to show."""


@transaction.atomic
def representation_suspend(
    *, collateral: CollateralContact, actor, reason: str, request=None
) -> CollateralContact:
    """Suspend a personal representative (conditional update: once)."""
    reason = (reason or "").strip()
    if not reason:
        raise RepresentationRefused("Give the reason for suspending the representation.")
    updated = CollateralContact.objects.filter(
        pk=collateral.pk, is_personal_representative=True, representation_suspended_at=None
    ).update(
        representation_suspended_at=timezone.now(),
        representation_suspended_reason=reason,
        representation_suspended_by=actor,
    )
    if updated != 1:
        raise RepresentationRefused("This representation is not active; reload the page.")
    collateral.refresh_from_db()
    audit.record(
        AuditAction.UPDATE,
        request=request,
        user=actor,
        obj=collateral,
        client=collateral.client,
        # The reason is clinical (a concern of endangerment): not in the trail's detail.
        detail={"change": "personal_representative_suspended"},
    )
    return collateral
