from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clients import access, representatives, retention, services
from clients.forms import (
    CareTeamAddForm,
    ClientForm,
    CollateralForm,
    DiagnosisForm,
    DiagnosisResolveForm,
    DischargeForm,
    ReleaseForm,
    RevokeForm,
    SuspendRepresentationForm,
)
from clients.models import CareTeamMember, ReleaseOfInformation
from clients.selectors import caseload_for, client_search
from practice import audit
from practice.models import AuditAction, AuditEvent
from practice.permissions import has_role_perm
from practice.refusals import Refused

RETENTION_PERM = "practice.change_practicesettings"


def contacts_perm_ok(request, client) -> bool:
    return access.can_manage_contacts(request.user, client)


def collaterals_with_representation(client) -> list:
    today = timezone.localdate()
    collaterals = list(client.collaterals.prefetch_related("releases"))
    for c in collaterals:
        c.representation_today = representatives.representation_on(c, today)
    return collaterals


@login_required
def client_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    include_discharged = request.GET.get("discharged") == "1"
    qs = client_search(request.user, query, include_discharged)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    if query:
        # The search text may itself be PHI: record that a search happened and
        # how many results it gave, not what was typed.
        audit.record(
            AuditAction.SEARCH,
            request=request,
            object_type="clients.client",
            detail={"results": page.paginator.count},
        )
    return render(
        request,
        "clients/client_list.html",
        {
            "page": page,
            "query": query,
            "include_discharged": include_discharged,
            "can_register": has_role_perm(request.user, "clients.add_client"),
        },
    )


@login_required
def caseload(request: HttpRequest) -> HttpResponse:
    clients = caseload_for(request.user).prefetch_related("diagnoses")
    page = Paginator(clients, 50).get_page(request.GET.get("page"))
    return render(request, "clients/caseload.html", {"page": page})


@login_required
def client_create(request: HttpRequest) -> HttpResponse:
    if not has_role_perm(request.user, "clients.add_client"):
        access.deny(request, None, "clients.add_client", not_found=False)
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        client = services.client_register(actor=request.user, request=request, **form.cleaned_data)
        messages.success(request, f"Registered {client.display_name} as {client.mrn}.")
        return redirect("clients:care_team", client_uuid=client.uuid)
    return render(request, "clients/client_form.html", {"form": form, "title": "Register a client"})


@login_required
def client_edit(request: HttpRequest, client_uuid) -> HttpResponse:
    client = access.get_client_for_user(request, client_uuid, access.EDIT)
    form = ClientForm(request.POST or None, instance=client)
    if request.method == "POST" and form.is_valid():
        if form.has_changed():
            services.client_update(
                client=form.instance,
                actor=request.user,
                request=request,
                changed=form.changed_data,
            )
            messages.success(request, "Demographics saved.")
        return redirect("records:chart", client_uuid=client.uuid)
    return render(
        request,
        "clients/client_form.html",
        {"form": form, "client": client, "title": f"Edit {client.display_name}"},
    )


@login_required
def discharge(request: HttpRequest, client_uuid) -> HttpResponse:
    client = access.get_client_for_user(request, client_uuid, access.EDIT)
    form = DischargeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.client_discharge(
                client=client,
                actor=request.user,
                on=form.cleaned_data["discharge_date"],
                request=request,
            )
            messages.success(request, f"{client.display_name} is discharged. The record is kept.")
            return redirect("records:chart", client_uuid=client.uuid)
        except Refused as exc:
            form.add_error(None, str(exc))
    return render(request, "clients/discharge.html", {"form": form, "client": client})


@login_required
def care_team(request: HttpRequest, client_uuid) -> HttpResponse:
    client = access.get_client_for_user(request, client_uuid, access.CARE_TEAM)
    form = CareTeamAddForm(request.POST or None, client=client)
    if request.method == "POST" and form.is_valid():
        try:
            services.care_team_add(
                client=client,
                clinician=form.cleaned_data["clinician"],
                role=form.cleaned_data["role"],
                actor=request.user,
                request=request,
            )
            messages.success(request, "Care team updated.")
            return redirect("clients:care_team", client_uuid=client.uuid)
        except Refused as exc:
            form.add_error("clinician", str(exc))
    members = client.care_team.select_related("clinician")
    return render(
        request, "clients/care_team.html", {"client": client, "form": form, "members": members}
    )


@login_required
@require_POST
def care_team_remove(request: HttpRequest, client_uuid, member_id: int) -> HttpResponse:
    client = access.get_client_for_user(request, client_uuid, access.CARE_TEAM)
    member = get_object_or_404(CareTeamMember, pk=member_id, client=client)
    services.care_team_remove(member=member, actor=request.user, request=request)
    messages.success(request, f"{member.clinician.signature_name} was removed from the care team.")
    return redirect("clients:care_team", client_uuid=client.uuid)


@login_required
def diagnosis_add(request: HttpRequest, client_uuid) -> HttpResponse:
    client = access.get_client_for_user(request, client_uuid, access.DOCUMENT)
    form = DiagnosisForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.diagnosis_add(
                client=client,
                actor=request.user,
                request=request,
                code=form.cleaned_data["code"],
                is_primary=form.cleaned_data["is_primary"],
                onset_date=form.cleaned_data["onset_date"],
            )
            messages.success(request, f"Added {form.cleaned_data['code']}.")
            return redirect("records:chart", client_uuid=client.uuid)
        except Refused as exc:
            form.add_error("code", str(exc))
    return render(request, "clients/diagnosis_form.html", {"form": form, "client": client})


@login_required
def diagnosis_resolve(request: HttpRequest, client_uuid, diagnosis_uuid) -> HttpResponse:
    client = access.get_client_for_user(request, client_uuid, access.DOCUMENT)
    diagnosis = get_object_or_404(client.diagnoses, uuid=diagnosis_uuid)
    form = DiagnosisResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.diagnosis_resolve(
                diagnosis=diagnosis,
                actor=request.user,
                request=request,
                on=form.cleaned_data["resolved_date"],
            )
            messages.success(request, f"{diagnosis.code} marked resolved.")
            return redirect("records:chart", client_uuid=client.uuid)
        except Refused as exc:
            form.add_error("resolved_date", str(exc))
    return render(
        request,
        "clients/diagnosis_resolve.html",
        {"form": form, "client": client, "diagnosis": diagnosis},
    )


@login_required
def collateral_add(request: HttpRequest, client_uuid) -> HttpResponse:
    client = access.get_client_for_user(request, client_uuid)
    if not contacts_perm_ok(request, client):
        access.deny(request, client, "clients.add_collateralcontact", not_found=False)
    form = CollateralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.collateral_add(
            client=client, actor=request.user, request=request, **form.cleaned_data
        )
        messages.success(request, "Contact added. Record a release before sharing information.")
        return redirect("records:chart", client_uuid=client.uuid)
    return render(request, "clients/collateral_form.html", {"form": form, "client": client})


@login_required
def roi_add(request: HttpRequest, client_uuid, contact_uuid) -> HttpResponse:
    client = access.get_client_for_user(request, client_uuid)
    if not contacts_perm_ok(request, client):
        access.deny(request, client, "clients.add_releaseofinformation", not_found=False)
    contact = get_object_or_404(client.collaterals, uuid=contact_uuid)
    form = ReleaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.roi_add(
                contact=contact, actor=request.user, request=request, **form.cleaned_data
            )
            messages.success(request, f"Release recorded for {contact.name}.")
            return redirect("records:chart", client_uuid=client.uuid)
        except Refused as exc:
            form.add_error(None, str(exc))
    return render(
        request, "clients/roi_form.html", {"form": form, "client": client, "contact": contact}
    )


@login_required
def roi_revoke(request: HttpRequest, client_uuid, roi_uuid) -> HttpResponse:
    client = access.get_client_for_user(request, client_uuid)
    if not contacts_perm_ok(request, client):
        access.deny(request, client, "clients.change_releaseofinformation", not_found=False)
    roi = get_object_or_404(
        ReleaseOfInformation.objects.select_related("contact"),
        uuid=roi_uuid,
        contact__client=client,
    )
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.roi_revoke(
                roi=roi, actor=request.user, request=request, reason=form.cleaned_data["reason"]
            )
            messages.success(request, f"Release for {roi.contact.name} revoked.")
            return redirect("records:chart", client_uuid=client.uuid)
        except Refused as exc:
            form.add_error(None, str(exc))
    return render(request, "clients/roi_revoke.html", {"form": form, "client": client, "roi": roi})


@login_required
def representation_suspend(request: HttpRequest, client_uuid, contact_uuid) -> HttpResponse:
    """A clinician on the care team suspends a personal representative (the
    endangerment exception); the front desk cannot make that judgement."""
    client = access.get_client_for_user(request, client_uuid)
    if not access.can(request.user, access.DOCUMENT, client):
        access.deny(request, client, access.DOCUMENT, not_found=False)
    contact = get_object_or_404(
        client.collaterals, uuid=contact_uuid, is_personal_representative=True
    )
    form = SuspendRepresentationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            representatives.representation_suspend(
                collateral=contact,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
            )
            messages.success(
                request,
                f"{contact.name} is no longer treated as the personal representative. "
                "Contact now needs a release.",
            )
            return redirect("records:chart", client_uuid=client.uuid)
        except representatives.RepresentationRefused as exc:
            form.add_error(None, str(exc))
    return render(
        request,
        "clients/representation_suspend.html",
        {"form": form, "client": client, "contact": contact},
    )


@login_required
def client_audit(request: HttpRequest, client_uuid) -> HttpResponse:
    client = access.get_client_for_user(request, client_uuid, access.AUDIT_TRAIL)
    events = AuditEvent.objects.filter(client_uuid=client.uuid).order_by("-id")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    audit.record(
        AuditAction.VIEW,
        request=request,
        object_type="practice.auditevent",
        object_id="client-trail",
        client=client,
    )
    return render(request, "clients/audit.html", {"client": client, "page": page})


@login_required
def retention_report(request: HttpRequest) -> HttpResponse:
    """Records whose retain-until date has passed (practice admins)."""
    if not has_role_perm(request.user, RETENTION_PERM):
        access.deny(request, None, RETENTION_PERM, not_found=False)
    rows = retention.past_retention()
    audit.record(
        AuditAction.VIEW,
        request=request,
        object_type="clients.retention",
        object_id="past-retention-report",
        detail={"results": len(rows)},
    )
    return render(request, "clients/retention_report.html", {"rows": rows})
