"""Writes to clients and their related records. Each service validates,
changes data atomically, keeps guardian permissions in step and audits."""

from __future__ import annotations

import re
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from clients.icd10 import validate_billable
from clients.models import (
    CareTeamMember,
    CareTeamRole,
    Client,
    ClientStatus,
    CollateralContact,
    Diagnosis,
    ReleaseOfInformation,
)
from practice import audit
from practice.models import AuditAction, PracticeSettings
from practice.refusals import Refused
from practice.roles import CARE_TEAM_PERMISSIONS, CLINICAL_ROLES


class ServiceError(Refused):
    """A rule refused the change; the message is safe to show to the user."""


def next_mrn() -> str:
    """The next number in the practice's own sequence: PREFIX-000001 upward.

    Only MRNs of that exact shape count, so an imported or demo record with
    another shape (e.g. the retention demo's RB-R09001) never makes the
    sequence jump.
    """
    prefix = PracticeSettings.load().mrn_prefix
    numbers = Client.objects.filter(mrn__regex=rf"^{re.escape(prefix)}-[0-9]{{6}}$").values_list(
        "mrn", flat=True
    )
    number = max((int(m.rsplit("-", 1)[1]) for m in numbers), default=0) + 1
    return f"{prefix}-{number:06d}"


@transaction.atomic
def client_register(*, actor, request=None, **fields) -> Client:
    if not fields.get("mrn"):
        fields["mrn"] = next_mrn()
    client = Client(**fields)
    client.full_clean()
    client.save()
    audit.record(AuditAction.CREATE, request=request, user=actor, obj=client, client=client)
    return client


@transaction.atomic
def client_update(*, client: Client, actor, request=None, changed: list[str]) -> Client:
    client.full_clean()
    client.save(update_fields=[*changed, "updated_at"])
    audit.record(
        AuditAction.UPDATE,
        request=request,
        user=actor,
        obj=client,
        client=client,
        detail={"fields": sorted(changed)},
    )
    return client


@transaction.atomic
def client_discharge(*, client: Client, actor, on: date, request=None) -> Client:
    updated = Client.objects.filter(pk=client.pk, status=ClientStatus.ACTIVE).update(
        status=ClientStatus.DISCHARGED, discharge_date=on, updated_at=timezone.now()
    )
    if updated != 1:
        raise ServiceError("This client is already discharged.")
    client.refresh_from_db()
    audit.record(
        AuditAction.UPDATE,
        request=request,
        user=actor,
        obj=client,
        client=client,
        detail={"change": "discharged"},
    )
    return client


def _grant(user, client: Client) -> None:
    for perm in CARE_TEAM_PERMISSIONS:
        assign_perm(perm, user, client)


def _revoke(user, client: Client) -> None:
    for perm in CARE_TEAM_PERMISSIONS:
        remove_perm(perm, user, client)


@transaction.atomic
def care_team_add(
    *, client: Client, clinician, actor, role: str = CareTeamRole.MEMBER, request=None
) -> CareTeamMember:
    """Put a clinician on the care team and grant the object permissions.

    A pre-licensed clinician's supervisor joins the team as supervisor too, so
    they can read and co-sign the notes.
    """
    if not clinician.is_active or clinician.role not in CLINICAL_ROLES:
        raise ServiceError("Only active clinicians and supervisors can join a care team.")
    if role == CareTeamRole.PRIMARY:
        client.care_team.filter(role=CareTeamRole.PRIMARY).update(role=CareTeamRole.MEMBER)
    try:
        with transaction.atomic():
            member = CareTeamMember.objects.create(
                client=client, clinician=clinician, role=role, added_by=actor
            )
    except IntegrityError:
        raise ServiceError(f"{clinician.signature_name} is already on the care team.") from None
    _grant(clinician, client)
    audit.record(
        AuditAction.PERMISSION_CHANGE,
        request=request,
        user=actor,
        obj=client,
        client=client,
        detail={"change": "care_team_add", "clinician": str(clinician.uuid), "role": role},
    )
    supervisor = clinician.supervisor
    if (
        supervisor is not None
        and supervisor.is_active
        and not client.care_team.filter(clinician=supervisor).exists()
    ):
        care_team_add(
            client=client,
            clinician=supervisor,
            actor=actor,
            role=CareTeamRole.SUPERVISOR,
            request=request,
        )
    return member


@transaction.atomic
def care_team_remove(*, member: CareTeamMember, actor, request=None) -> None:
    client, clinician = member.client, member.clinician
    member.delete()
    _revoke(clinician, client)
    audit.record(
        AuditAction.PERMISSION_CHANGE,
        request=request,
        user=actor,
        obj=client,
        client=client,
        detail={"change": "care_team_remove", "clinician": str(clinician.uuid)},
    )


@transaction.atomic
def diagnosis_add(
    *,
    client: Client,
    actor,
    code: str,
    is_primary: bool = False,
    onset_date: date | None = None,
    request=None,
) -> Diagnosis:
    code, description = validate_billable(code)
    if client.diagnoses.filter(code=code, resolved_date__isnull=True).exists():
        raise ServiceError(f"{code} is already an active diagnosis.")
    if is_primary:
        client.diagnoses.filter(is_primary=True, resolved_date__isnull=True).update(
            is_primary=False
        )
    diagnosis = Diagnosis(
        client=client,
        code=code,
        description=description,
        is_primary=is_primary,
        onset_date=onset_date,
        created_by=actor,
    )
    diagnosis.full_clean()
    diagnosis.save()
    audit.record(
        AuditAction.CREATE,
        request=request,
        user=actor,
        obj=diagnosis,
        client=client,
        detail={"code": code},
    )
    return diagnosis


@transaction.atomic
def diagnosis_resolve(*, diagnosis: Diagnosis, actor, on: date, request=None) -> Diagnosis:
    if on < (diagnosis.onset_date or on):
        raise ServiceError("The resolved date cannot be before the onset date.")
    updated = Diagnosis.objects.filter(pk=diagnosis.pk, resolved_date__isnull=True).update(
        resolved_date=on, is_primary=False
    )
    if updated != 1:
        raise ServiceError("This diagnosis is already resolved.")
    diagnosis.refresh_from_db()
    audit.record(
        AuditAction.UPDATE,
        request=request,
        user=actor,
        obj=diagnosis,
        client=diagnosis.client,
        detail={"change": "resolved"},
    )
    return diagnosis


@transaction.atomic
def collateral_add(*, client: Client, actor, request=None, **fields) -> CollateralContact:
    contact = CollateralContact(client=client, **fields)
    contact.full_clean()
    contact.save()
    audit.record(AuditAction.CREATE, request=request, user=actor, obj=contact, client=client)
    return contact


@transaction.atomic
def roi_add(
    *,
    contact: CollateralContact,
    actor,
    signed_date: date,
    expires_on: date,
    scope: str,
    request=None,
) -> ReleaseOfInformation:
    if expires_on < signed_date:
        raise ServiceError("The release cannot expire before it was signed.")
    if signed_date > timezone.localdate():
        raise ServiceError("The signed date cannot be in the future.")
    roi = ReleaseOfInformation(
        contact=contact,
        signed_date=signed_date,
        expires_on=expires_on,
        scope=scope,
        created_by=actor,
    )
    roi.full_clean()
    roi.save()
    audit.record(AuditAction.CREATE, request=request, user=actor, obj=roi, client=contact.client)
    return roi


@transaction.atomic
def roi_revoke(*, roi: ReleaseOfInformation, actor, reason: str, request=None) -> None:
    if roi.expires_on < timezone.localdate():
        raise ServiceError("This release has already expired; there is nothing to revoke.")
    updated = ReleaseOfInformation.objects.filter(pk=roi.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason[:300]
    )
    if updated != 1:
        raise ServiceError("This release is already revoked.")
    roi.refresh_from_db()
    audit.record(
        AuditAction.UPDATE,
        request=request,
        user=actor,
        obj=roi,
        client=roi.contact.client,
        detail={"change": "revoked"},
    )
