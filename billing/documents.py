"""The billing export as a document kind (registered from ``BillingConfig.ready``)."""

from __future__ import annotations

from billing import access, selectors, services
from practice.documents.registry import DocumentKind
from practice.permissions import has_role_perm


def _still_a_biller(request, job) -> str | None:
    """A biller who lost the role loses the files of their exports too."""
    return None if has_role_perm(request.user, access.ADD) else access.ADD


def _withdrawn(job) -> bool:
    """The files of a voided billing export are not handed out any more: its
    items are billable again, and an old file sent next to the redone export
    would bill them twice."""
    export = selectors.export_for_job(job)
    return export is not None and export.is_voided


def _title(job) -> str:
    return f"{KIND.label}, {job.params['start']} to {job.params['end']}"


def _detail_context(job) -> dict:
    return {
        "billing_export": selectors.export_for_job(job),
        "kind_template": "billing/_job_detail.html",
    }


KIND = DocumentKind(
    key=services.BILLING_EXPORT,
    label="Billing export (CSV and XLSX)",
    builder=services.build_billing_export_files,
    may_access=_still_a_biller,
    withdrawn=_withdrawn,
    title=_title,
    detail_context=_detail_context,
    signed_pdf=False,
)
