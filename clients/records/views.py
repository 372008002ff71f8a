"""The chart page and the chart export: the read side of a client's record."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from clients import access, retention
from clients.forms import DiagnosisForm
from clients.models import CareTeamRole
from clients.records.chart import chart_sections
from clients.records.chart_export import CHART_EXPORT, EXPORT_CHART, can_export_chart
from clients.records.forms import ChartExportForm
from clients.views import RETENTION_PERM, collaterals_with_representation, contacts_perm_ok
from practice import audit
from practice.documents import jobs
from practice.models import AuditAction
from practice.permissions import has_role_perm
from practice.querystrings import query_uuid
from practice.refusals import deny


@login_required
def chart(request: HttpRequest, client_uuid) -> HttpResponse:
    client = access.get_client_for_user(request, client_uuid)
    user = request.user
    clinical = access.can(user, access.CLINICAL, client)
    billing = access.can(user, access.BILLING, client)
    show_collaterals = clinical or access.can(user, "clients.view_collateralcontact", client)
    audit.record(AuditAction.VIEW, request=request, obj=client, client=client)
    context = {
        "client": client,
        "care_team": sorted(
            client.care_team.select_related("clinician"),
            key=lambda m: list(CareTeamRole.values).index(m.role),
        ),
        "show_diagnoses": clinical or billing,
        "diagnoses": client.diagnoses.all() if (clinical or billing) else [],
        # Billers need no collateral names, phone numbers or release scopes (their
        # role holds no collateral permission); the care team and the desk do.
        "show_collaterals": show_collaterals,
        "collaterals": collaterals_with_representation(client) if show_collaterals else [],
        "can_edit": access.can(user, access.EDIT, client),
        "can_manage_team": access.can(user, access.CARE_TEAM, client),
        "can_document": access.can(user, access.DOCUMENT, client),
        "can_contacts": contacts_perm_ok(request, client),
        "can_audit": access.can(user, access.AUDIT_TRAIL, client),
        "sections": chart_sections(request, client),
        # Retention is the practice admin's business (records past retention report).
        "retention": retention.retention_for(client)
        if has_role_perm(user, RETENTION_PERM)
        else None,
        "diagnosis_form": DiagnosisForm(),
    }
    return render(request, "records/chart.html", context)



@login_required
def chart_export(request: HttpRequest) -> HttpResponse:
    user = request.user
    form_data = request.POST if request.method == "POST" else None
    initial = {}
    wanted = query_uuid(request.GET, "client") if request.method == "GET" else None
    if wanted is not None:
        # Preselect a client from the chart's "Export chart" button; checked like any access.
        client = access.get_client_for_user(request, wanted)
        if not can_export_chart(user, client):
            access.deny(request, client, EXPORT_CHART, not_found=False)
        initial["client"] = client.uuid
    form = ChartExportForm(form_data, user=user, initial=initial)
    may_export = has_role_perm(user, EXPORT_CHART) or form.fields["client"].queryset.exists()
    if not may_export:
        deny(
            request,
            permission=EXPORT_CHART,
            not_found=False,
            reason="Chart exports are for auditors and for clinicians on the client's care team.",
            object_type="documents.documentjob",
        )
    if request.method == "POST" and form.is_valid():
        client = access.get_client_for_user(request, form.cleaned_data["client"].uuid)
        if not can_export_chart(user, client):
            access.deny(request, client, EXPORT_CHART, not_found=False)
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        job = jobs.document_job_start(
            kind=CHART_EXPORT,
            requested_by=user,
            params={"start": start.isoformat(), "end": end.isoformat()},
            client=client,
            request=request,
        )
        jobs.audit_export(
            request=request,
            job=job,
            client=client,
            start=start.isoformat(),
            end=end.isoformat(),
        )
        return redirect("documents:job", job_uuid=job.uuid)
    return render(request, "records/chart_export.html", {"form": form})
