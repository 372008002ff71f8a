"""Who may read, write, sign and co-sign treatment plans.

Every view loads a plan through ``get_plan_for_user`` (or the client through
``get_client_for_plans``). The client comes first, through ``clients.access``
(outsiders get a 404, audited); then the plan's own rules:

- the care team reads every signed version in full, and writes (start a plan or
  a revision, edit and sign their own draft);
- auditors read signed versions, read-only (and in the chart export);
- the front desk, billers and practice admins never see plans (403, audited);
- a draft is its author's alone (404 for anyone else), as with progress notes;
- only the author's own supervisor co-signs, once.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from clients import access as client_access
from clients.models import Client
from notes.plans.models import PlanStatus, TreatmentPlan

READ, EDIT, SIGN, COSIGN = "read", "edit", "sign", "cosign"
ACTIONS = (READ, EDIT, SIGN, COSIGN)

_PERMS = {
    READ: client_access.CLINICAL,
    EDIT: client_access.DOCUMENT,
    SIGN: client_access.DOCUMENT,
    COSIGN: client_access.DOCUMENT,
}
OBJECT_TYPE = "plans.treatmentplan"


def can_read(user, client: Client) -> bool:
    """The care team and auditors (and an active emergency grant, read only)."""
    return client_access.can(user, client_access.CLINICAL, client)


def can_write(user, client: Client) -> bool:
    """Clinicians on the care team."""
    return client_access.can(user, client_access.DOCUMENT, client)


def plans_visible_to(user, client: Client) -> QuerySet[TreatmentPlan]:
    """The client's plan versions the user may list: signed ones, plus their own draft."""
    if not can_read(user, client):
        return TreatmentPlan.objects.none()
    return TreatmentPlan.objects.filter(client=client).filter(
        Q(status=PlanStatus.SIGNED) | Q(author=user)
    )


def is_cosigner_for(user, plan: TreatmentPlan) -> bool:
    """The author's own supervisor, for a version that awaits co-signature."""
    return (
        plan.awaiting_cosign
        and plan.author.supervisor_id is not None
        and plan.author.supervisor_id == user.pk
        and can_write(user, plan.client)
    )


def get_client_for_plans(request, client_uuid: uuid.UUID | str, *, write: bool = False) -> Client:
    """The client, for reading (or, with ``write``, starting) their treatment plan."""
    client = client_access.get_client_for_user(request, client_uuid)
    perm = client_access.DOCUMENT if write else client_access.CLINICAL
    if not client_access.can(request.user, perm, client):
        client_access.deny(request, client, perm, not_found=False, object_type=OBJECT_TYPE)
    return client


def _refuse(request, plan: TreatmentPlan, action: str, message: str = "", *, not_found=False):
    try:
        client_access.deny(
            request,
            plan.client,
            _PERMS[action],
            not_found=not_found,
            object_type=OBJECT_TYPE,
            object_id=str(plan.uuid),
        )
    except PermissionDenied as exc:
        raise PermissionDenied(message or str(exc)) from None


def get_plan_for_user(request, plan_uuid: uuid.UUID | str, action: str = READ) -> TreatmentPlan:
    """Load one plan version for ``action`` (read/edit/sign/cosign) or refuse.

    Outsiders to the client, and anyone but the author asking for a draft, get
    a 404; insiders without the right get a 403 that says why. Both audited.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    plan = (
        TreatmentPlan.objects.select_related("client", "author", "cosigner")
        .filter(uuid=plan_uuid)
        .first()
    )
    if plan is None:
        raise Http404("No such record.")
    user = request.user
    plan.client = client_access.get_client_for_user(request, plan.client.uuid)
    is_author = plan.author_id == user.pk
    if not plan.is_signed and not is_author:
        # A draft is its author's work in progress; to anyone else it does not exist yet.
        _refuse(request, plan, action, not_found=True)
    if not can_read(user, plan.client):
        _refuse(request, plan, READ, "Your role does not include reading treatment plans.")
    if action in (EDIT, SIGN):
        if plan.is_signed:
            _refuse(
                request,
                plan,
                action,
                "This version is signed and can no longer be changed; start a revision.",
            )
        if not can_write(user, plan.client):
            _refuse(request, plan, action, "You are no longer on this client's care team.")
    if action == COSIGN and not is_cosigner_for(user, plan):
        _refuse(
            request,
            plan,
            action,
            "Only the author's supervisor co-signs, once, a signed plan that awaits it.",
        )
    return plan
