"""The one way to reach billing pages and exports: billers only.

Everyone else gets a 403 on the billing pages (they are staff, the pages exist)
and a 404 for an export (not even its existence is confirmed); both audited.
An export is voided only by the biller who made it or by a practice admin,
who may open an export's summary page for that purpose (issue 13, attack 9).
"""

from __future__ import annotations

import uuid

from django.http import Http404

from billing.models import BillingExport
from practice.permissions import has_role_perm
from practice.refusals import deny

VIEW = "billing.view_billingexport"
ADD = "billing.add_billingexport"
VOID = "billing.change_billingexport"
VOID_ANY = "billing.void_any_billingexport"

REFUSAL = "Billing exports are made by the practice's billers."
VOID_REFUSAL = "Only the biller who made this export, or a practice admin, voids it."


def _deny(request, perm: str, *, object_id: str = "", not_found: bool) -> None:
    deny(
        request,
        permission=perm,
        not_found=not_found,
        reason=VOID_REFUSAL if perm == VOID else REFUSAL,
        message="No such export.",
        object_type="billing.billingexport",
        object_id=object_id,
    )


def require_billing(request, perm: str = VIEW) -> None:
    if not has_role_perm(request.user, perm):
        _deny(request, perm, not_found=False)


def may_void(user, export: BillingExport) -> bool:
    """The export's maker (still a biller) or a practice admin."""
    if has_role_perm(user, VOID_ANY):
        return True
    return has_role_perm(user, VOID) and export.created_by_id == user.pk


def get_export_for_user(request, export_uuid: uuid.UUID | str, perm: str = VIEW) -> BillingExport:
    export = (
        BillingExport.objects.select_related("created_by", "clinician", "client", "voided_by")
        .filter(uuid=export_uuid)
        .first()
    )
    if export is None:
        raise Http404("No such export.")
    if not (has_role_perm(request.user, VIEW) or has_role_perm(request.user, VOID_ANY)):
        _deny(request, VIEW, object_id=str(export.uuid), not_found=True)
    if perm == VOID:
        if not may_void(request.user, export):
            _deny(request, VOID, object_id=str(export.uuid), not_found=False)
    elif perm != VIEW and not has_role_perm(request.user, perm):
        _deny(request, perm, object_id=str(export.uuid), not_found=False)
    return export
