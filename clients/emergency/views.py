"""Pages of break-the-glass access: the clinician's request form and the
practice admin's review list. The grant itself is checked in clients.access."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.db.models.fields.json import KeyTextTransform
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clients import access
from clients.emergency import services as emergency
from clients.models import Client, EmergencyAccess
from practice import audit
from practice.models import AuditAction, AuditEvent
from practice.permissions import has_role_perm
from practice.refusals import Refused

REVIEW_PERM = "practice.view_auditevent"
MARK_REVIEWED_PERM = emergency.MARK_REVIEWED_PERM


class EmergencyAccessForm(forms.Form):
    mrn = forms.CharField(
        label="MRN",
        max_length=20,
        help_text="The client's exact medical record number (search only shows your caseload).",
    )
    reason = forms.CharField(
        label="Reason for emergency access",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="What is happening and why you must read this chart now. "
        "The practice admin reviews every emergency access.",
    )
    confirm = forms.BooleanField(
        label="I understand that this access is recorded and reviewed.", required=True
    )


class ReviewForm(forms.Form):
    note = forms.CharField(
        label="Review note", required=False, max_length=1000, widget=forms.TextInput()
    )


@login_required
def emergency_start(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not emergency.may_request(user):
        access.deny(request, None, "clients.emergency_access", not_found=False)
    form = EmergencyAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        client = Client.objects.filter(mrn__iexact=form.cleaned_data["mrn"].strip()).first()
        if client is None:
            form.add_error("mrn", "No client has this MRN. Check it and try again.")
        else:
            try:
                grant = emergency.emergency_access_start(
                    user=user, client=client, reason=form.cleaned_data["reason"], request=request
                )
                until = timezone.localtime(grant.expires_at)
                messages.warning(request, f"Emergency access opened until {until:%H:%M}.")
                return redirect("records:chart", client_uuid=client.uuid)
            except Refused as exc:
                if "already have access" in str(exc):
                    return redirect("records:chart", client_uuid=client.uuid)
                form.add_error("reason", str(exc))
    mine = (
        EmergencyAccess.objects.filter(user=user, expires_at__gt=timezone.now())
        .select_related("client")
        .order_by("-started_at")
    )
    return render(
        request,
        "clients/emergency_start.html",
        {"form": form, "active": mine, "minutes": settings.EMERGENCY_ACCESS_MINUTES},
    )


@login_required
def emergency_review(request: HttpRequest) -> HttpResponse:
    if not has_role_perm(request.user, REVIEW_PERM):
        access.deny(request, None, REVIEW_PERM, not_found=False)
    grants = EmergencyAccess.objects.select_related("client", "user", "reviewed_by").order_by(
        "reviewed_at", "-started_at"
    )
    unreviewed = request.GET.get("all") != "1"
    if unreviewed:
        grants = grants.filter(reviewed_at__isnull=True)
    page = Paginator(grants, 50).get_page(request.GET.get("page"))
    # How many chart pages each grant opened (audited one by one).
    ids = [str(g.uuid) for g in page]
    used = dict(
        AuditEvent.objects.filter(action=AuditAction.EMERGENCY_ACCESS, detail__event="use")
        .annotate(grant=KeyTextTransform("grant", "detail"))
        .filter(grant__in=ids)
        .values_list("grant")
        .annotate(n=Count("id"))
    )
    for grant in page:
        grant.pages = used.get(str(grant.uuid), 0)
    # The list names clients and the clinicians' reasons: reading it is audited.
    audit.record(
        AuditAction.VIEW,
        request=request,
        object_type="clients.emergencyaccess",
        object_id="review-list",
        detail={"unreviewed_only": unreviewed, "results": page.paginator.count},
    )
    return render(
        request,
        "clients/emergency_review.html",
        {
            "page": page,
            "unreviewed": unreviewed,
            "can_mark": has_role_perm(request.user, MARK_REVIEWED_PERM),
            "form": ReviewForm(),
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def emergency_review_mark(request: HttpRequest, grant_uuid) -> HttpResponse:
    grant = access.get_grant_for_reviewer(request, grant_uuid)
    form = ReviewForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        emergency.emergency_access_review(
            grant=grant, reviewer=request.user, note=note, request=request
        )
        messages.success(request, "Marked as reviewed.")
    except Refused as exc:
        messages.info(request, str(exc))
    return redirect("clients:emergency_review")
