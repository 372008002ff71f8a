"""The one way to reach billing pages and exports: billers only.

Everyone else gets a 403 on the billing pages (they are staff, the pages exist)
and a 404 for an export (not even its existence is confirmed); both audited.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404

from billing.models import BillingExport
from practice import audit
from practice.models import AuditAction
from practice.permissions import has_role_perm

VIEW = "billing.view_billingexport"
ADD = "billing.add_billingexport"
VOID = "billing.change_billingexport"

REFUSAL = "Billing exports are made by the practice's billers."


def _deny(request, perm: str, *, object_id: str = "", not_found: bool) -> None:
    audit.record(
        AuditAction.ACCESS_DENIED,
        request=request,
        object_type="billing.billingexport",
        object_id=object_id,
        detail={"permission": perm, "path": request.path[:200]},
    )
    if not_found:
        raise Http404("No such export.")
    raise PermissionDenied(REFUSAL)


def require_billing(request, perm: str = VIEW) -> None:
    if not has_role_perm(request.user, perm):
        _deny(request, perm, not_found=False)


def get_export_for_user(request, export_uuid: uuid.UUID | str, perm: str = VIEW) -> BillingExport:
    export = (
        BillingExport.objects.select_related("created_by", "clinician", "client", "voided_by")
        .filter(uuid=export_uuid)
        .first()
    )
    if export is None:
        raise Http404("No such export.")
    if not has_role_perm(request.user, VIEW):
        _deny(request, VIEW, object_id=str(export.uuid), not_found=True)
    if perm != VIEW and not has_role_perm(request.user, perm):
        _deny(request, perm, object_id=str(export.uuid), not_found=False)
    return export
