"""Amendment request pages: log one, read it, accept, deny, attach disagreement."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clients import access
from clients.amendments import access as amendment_access
from clients.amendments import services as amendments
from clients.models import AmendmentRequest, AmendmentStatus
from practice import audit
from practice.models import AuditAction
from practice.querystrings import PlausibleDateField
from practice.refusals import Refused


class AmendmentRequestForm(forms.ModelForm):
    class Meta:
        model = AmendmentRequest
        fields = ["received_on", "requested_by", "record_reference", "requested_change"]
        widgets = {
            "received_on": forms.DateInput(attrs={"type": "date"}),
            "requested_change": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()


class AcceptForm(forms.Form):
    amendment_text = forms.CharField(
        label="Amendment to add to the record",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
        help_text="Signed with your name when you accept; it cannot be changed afterwards.",
    )


class DenyForm(forms.Form):
    denial_reason = forms.CharField(
        label="Reason for the denial",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text="e.g. the record is accurate and complete; the client receives this in writing.",
    )


class DisagreementForm(forms.Form):
    received_on = PlausibleDateField(
        label="Statement received on", widget=forms.DateInput(attrs={"type": "date"})
    )
    statement = forms.CharField(
        label="Client's statement of disagreement",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
    )


@login_required
def amendment_create(request: HttpRequest, client_uuid) -> HttpResponse:
    client = access.get_client_for_user(request, client_uuid)
    if not amendment_access.can_log(request.user, client):
        access.deny(request, client, amendment_access.LOG, not_found=False)
    form = AmendmentRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            req = amendments.amendment_request_log(
                client=client, actor=request.user, request=request, **form.cleaned_data
            )
            messages.success(request, "Amendment request logged. A clinician decides it.")
            return redirect(
                "clients:amendment_detail", client_uuid=client.uuid, amendment_uuid=req.uuid
            )
        except Refused as exc:
            form.add_error(None, str(exc))
    return render(request, "clients/amendment_form.html", {"form": form, "client": client})


def _detail(request, client, req, *, accept=None, deny=None, disagreement=None, status=200):
    user = request.user
    req.refresh_from_db()
    can_decide = amendment_access.can_decide(user, client) and not req.is_decided
    can_disagree = (
        amendment_access.can_log(user, client)
        and req.status == AmendmentStatus.DENIED
        and not req.disagreement_statement
    )
    # A refusal whose form is no longer on the page (e.g. decided meanwhile) shows on top.
    hidden = ([] if can_decide else [accept, deny]) + ([] if can_disagree else [disagreement])
    errors = [e for form in hidden if form is not None for e in form.non_field_errors()]
    return render(
        request,
        "clients/amendment_detail.html",
        {
            "client": client,
            "req": req,
            "errors": errors,
            "can_decide": can_decide,
            "can_disagree": can_disagree,
            "shows_text": amendment_access.shows_amendment_text(user, client),
            "accept_form": accept or AcceptForm(),
            "deny_form": deny or DenyForm(),
            "disagreement_form": disagreement
            or DisagreementForm(initial={"received_on": timezone.localdate()}),
        },
        status=status,
    )


@login_required
def amendment_detail(request: HttpRequest, client_uuid, amendment_uuid) -> HttpResponse:
    client, req = amendment_access.get_amendment_for_user(request, client_uuid, amendment_uuid)
    audit.record(AuditAction.VIEW, request=request, obj=req, client=client)
    return _detail(request, client, req)


def _decider(request, client_uuid, amendment_uuid):
    client, req = amendment_access.get_amendment_for_user(request, client_uuid, amendment_uuid)
    if not amendment_access.can_decide(request.user, client):
        access.deny(
            request,
            client,
            amendment_access.DECIDE,
            not_found=False,
            object_type="clients.amendmentrequest",
            object_id=str(req.uuid),
        )
    return client, req


def _decide(request, client_uuid, amendment_uuid, *, form_class, service, done: str, slot: str):
    """Accept or deny: the same steps, another form, service and message."""
    client, req = _decider(request, client_uuid, amendment_uuid)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            service(req=req, actor=request.user, request=request, **form.cleaned_data)
        except Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, done)
            return redirect(
                "clients:amendment_detail", client_uuid=client.uuid, amendment_uuid=req.uuid
            )
    return _detail(request, client, req, status=400, **{slot: form})


@login_required
@require_POST
def amendment_accept(request: HttpRequest, client_uuid, amendment_uuid) -> HttpResponse:
    return _decide(
        request,
        client_uuid,
        amendment_uuid,
        form_class=AcceptForm,
        service=amendments.amendment_accept,
        done="Amendment accepted and signed.",
        slot="accept",
    )


@login_required
@require_POST
def amendment_deny(request: HttpRequest, client_uuid, amendment_uuid) -> HttpResponse:
    return _decide(
        request,
        client_uuid,
        amendment_uuid,
        form_class=DenyForm,
        service=amendments.amendment_deny,
        done="Request denied; the reason is kept with it.",
        slot="deny",
    )


@login_required
@require_POST
def amendment_disagreement(request: HttpRequest, client_uuid, amendment_uuid) -> HttpResponse:
    client, req = amendment_access.get_amendment_for_user(request, client_uuid, amendment_uuid)
    if not amendment_access.can_log(request.user, client):
        access.deny(request, client, amendment_access.LOG, not_found=False)
    form = DisagreementForm(request.POST)
    if form.is_valid():
        try:
            amendments.amendment_disagreement_attach(
                req=req,
                actor=request.user,
                request=request,
                statement=form.cleaned_data["statement"],
                received_on=form.cleaned_data["received_on"],
            )
            messages.success(request, "Statement of disagreement attached.")
            return redirect(
                "clients:amendment_detail", client_uuid=client.uuid, amendment_uuid=req.uuid
            )
        except Refused as exc:
            form.add_error(None, str(exc))
    return _detail(request, client, req, disagreement=form, status=400)
