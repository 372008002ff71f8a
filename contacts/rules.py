"""The rules a contact note must satisfy before it is saved.

Each check returns field -> message so the form can show the message beside
the field it is about and keep everything that was typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from clients.models import CollateralContact, ReleaseOfInformation
from clients.representatives import representation_on
from contacts.models import NO_CONTACT_REASONS, Means, Reason
from practice.roles import CLINICAL_ROLES


@dataclass(frozen=True)
class RoiDecision:
    """Outcome of the release-of-information rule for one contact."""

    allowed: bool
    roi: ReleaseOfInformation | None = None
    emergency: bool = False
    message: str = ""
    # Which rule allowed a contact with a collateral, in words for the note.
    basis: str = ""


def release_basis(roi: ReleaseOfInformation) -> str:
    return (
        f"Release of information signed {roi.signed_date:%Y-%m-%d}, "
        f"expires {roi.expires_on:%Y-%m-%d}."
    )


def _why_inactive(releases: list[ReleaseOfInformation], day: date) -> str:
    """Explain, for the release most relevant to ``day``, why it does not cover it."""
    if not releases:
        return "no release is on file"
    # Prefer the release that would have covered the day but for one fault:
    # revoked, then expired, then not yet signed.
    revoked = [
        r
        for r in releases
        if r.revoked_at
        and timezone.localdate(r.revoked_at) <= day
        and r.signed_date <= day <= r.expires_on
    ]
    if revoked:
        r = max(revoked, key=lambda r: r.revoked_at)
        return f"the release was revoked on {timezone.localdate(r.revoked_at):%Y-%m-%d}"
    expired = [r for r in releases if r.expires_on < day]
    future = [r for r in releases if r.signed_date > day]
    if future:
        r = min(future, key=lambda r: r.signed_date)
        return f"the release was not signed until {r.signed_date:%Y-%m-%d}"
    if expired:
        r = max(expired, key=lambda r: r.expires_on)
        return f"the release expired on {r.expires_on:%Y-%m-%d}"
    return "no release covers that date"


def check_release(
    *,
    collateral: CollateralContact | None,
    on: date,
    reason: str,
    is_emergency: bool,
    justification: str,
) -> RoiDecision:
    """A contact with anyone but the client needs a release active on ``on``,
    or the person must be the client's personal representative on ``on``.

    Without either the note cannot be signed, unless it documents an emergency:
    the reason is crisis, the emergency box is ticked and a justification is given.
    """
    if collateral is None:
        return RoiDecision(allowed=True)
    representation = representation_on(collateral, on)
    if representation.holds:
        return RoiDecision(allowed=True, basis=representation.basis)
    releases = list(collateral.releases.all())
    for roi in sorted(releases, key=lambda r: r.expires_on, reverse=True):
        if roi.is_active_on(on):
            return RoiDecision(allowed=True, roi=roi, basis=release_basis(roi))
    if is_emergency and reason == Reason.CRISIS and justification.strip():
        return RoiDecision(
            allowed=True,
            emergency=True,
            basis="Documented emergency without a release (flagged for review).",
        )
    why = _why_inactive(releases, on)
    if representation.why_not:
        why = f"{representation.why_not}, and {why}"
    return RoiDecision(
        allowed=False,
        message=(
            f"No active release of information for {collateral.name} "
            f"({collateral.get_relationship_display()}) on {on:%Y-%m-%d}: "
            f"{why}. "
            "Record a new release or document an emergency."
        ),
    )


def validate_note(
    *,
    author,
    contact_at: datetime,
    reason: str,
    means: list[str],
    minutes,
    billable: bool,
    is_emergency: bool,
    justification: str,
    now: datetime | None = None,
) -> dict[str | None, str]:
    """Field-level rules; returns {} when the note is acceptable."""
    now = now or timezone.now()
    errors: dict[str | None, str] = {}
    if contact_at > now:
        errors["contact_at"] = "The date and time of contact cannot be in the future."
    if reason not in Reason.values:
        errors["reason"] = "Choose a reason from the list."
    # A no-show or a cancellation may involve no conversation at all: 0 minutes
    # and no means are the honest record until someone types what was done.
    nothing_said_ok = reason in NO_CONTACT_REASONS
    if not means:
        if not nothing_said_ok:
            errors["means"] = "Choose at least one means of communication."
    elif any(m not in Means.values for m in means):
        errors["means"] = "Choose from the listed means of communication."
    lowest = 0 if nothing_said_ok else 1
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < lowest:
        errors["minutes"] = "Minutes must be a positive whole number."
    if billable:
        if author.role not in CLINICAL_ROLES:
            errors["billable"] = "Only a clinician's contact can be billed."
        elif "minutes" not in errors and minutes <= 0:
            errors["billable"] = "Billable contact needs minutes greater than 0."
    if is_emergency:
        if reason != Reason.CRISIS:
            errors["is_emergency"] = "Only a contact with the reason Crisis can be an emergency."
        if not justification.strip():
            errors["emergency_justification"] = (
                "Explain why this emergency could not wait for a release."
            )
    return errors
