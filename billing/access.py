"""The one way to reach billing pages and exports: billers only.

Everyone else gets a 403 on the billing pages (they are staff, the pages exist)
and a 404 for an export (not even its existence is confirmed); both audited.
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

REFUSAL = "Billing exports are made by the practice's billers."


def _deny(request, perm: str, *, object_id: str = "", not_found: bool) -> None:
    deny(
        request,
        permission=perm,
        not_found=not_found,
        reason=REFUSAL,
        message="No such export.",
        object_type="billing.billingexport",
        object_id=object_id,
    )


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
