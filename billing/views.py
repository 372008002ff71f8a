from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from billing import access, selectors, services
from billing.forms import PeriodForm, VoidForm
from billing.models import ExportStatus
from practice.documents.models import DocumentJob
from practice.refusals import Refused


def _period(form: PeriodForm) -> selectors.Period:
    data = form.cleaned_data
    return selectors.Period(
        start=data["start"],
        end=data["end"],
        clinician_id=data["clinician"].pk if data.get("clinician") else None,
        client_id=data["client_mrn"].pk if data.get("client_mrn") else None,
    )


def _start(request, *, start, end, clinician, client) -> HttpResponse:
    job = services.billing_export_start(
        actor=request.user,
        start=start,
        end=end,
        clinician=clinician,
        client=client,
        request=request,
    )
    # The job page says so itself if the broker could not be reached.
    return redirect("documents:job", job_uuid=job.uuid)


@login_required
@require_http_methods(["GET", "POST"])
def billing_home(request: HttpRequest) -> HttpResponse:
    access.require_billing(request)
    if request.method == "POST":
        # The totals are asked for with a POST: the client filter is an MRN,
        # and an identifier never goes into a URL (server logs, history).
        form = PeriodForm(request.POST)
    elif request.GET.get("start"):
        data = request.GET.copy()
        data.pop("client_mrn", None)
        form = PeriodForm(data)
    else:
        form = PeriodForm(
            {
                "start": PeriodForm().fields["start"].initial,
                "end": PeriodForm().fields["end"].initial,
            }
        )
    preview = selectors.preview_totals(_period(form)) if form.is_valid() else None
    page = Paginator(selectors.exports_list(), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "billing/home.html",
        {
            "form": form,
            "preview": preview,
            "page": page,
            "can_export": access.has_role_perm(request.user, access.ADD),
        },
        # A period typed into the address that cannot be used: 400, errors shown.
        status=200 if preview is not None else 400,
    )


@login_required
@require_POST
def export_start(request: HttpRequest) -> HttpResponse:
    access.require_billing(request, access.ADD)
    form = PeriodForm(request.POST)
    if not form.is_valid():
        page = Paginator(selectors.exports_list(), 20).get_page(1)
        return render(
            request,
            "billing/home.html",
            {"form": form, "preview": None, "page": page, "can_export": True},
            status=400,
        )
    data = form.cleaned_data
    return _start(
        request,
        start=data["start"],
        end=data["end"],
        clinician=data.get("clinician"),
        client=data.get("client_mrn"),
    )


@login_required
def export_detail(request: HttpRequest, export_uuid) -> HttpResponse:
    export = access.get_export_for_user(request, export_uuid)
    job = DocumentJob.objects.filter(uuid=export.job_uuid).first() if export.job_uuid else None
    return render(
        request,
        "billing/export_detail.html",
        {
            "export": export,
            "own_job": job if job and job.requested_by_id == request.user.pk else None,
            "void_form": VoidForm(),
            "can_void": export.status == ExportStatus.DONE
            and access.may_void(request.user, export),
            "can_redo": access.has_role_perm(request.user, access.ADD),
        },
    )


@login_required
@require_POST
def export_void(request: HttpRequest, export_uuid) -> HttpResponse:
    export = access.get_export_for_user(request, export_uuid, access.VOID)
    form = VoidForm(request.POST)
    if form.is_valid():
        try:
            services.billing_export_void(
                export=export,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except Refused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, "Export voided. Its sessions and contacts can be exported again."
            )
        return redirect("billing:export", export_uuid=export.uuid)
    job = DocumentJob.objects.filter(uuid=export.job_uuid).first() if export.job_uuid else None
    return render(
        request,
        "billing/export_detail.html",
        {
            "export": export,
            "own_job": job if job and job.requested_by_id == request.user.pk else None,
            "void_form": form,
            "can_void": True,
            "can_redo": access.has_role_perm(request.user, access.ADD),
        },
        status=400,
    )


@login_required
@require_POST
def export_redo(request: HttpRequest, export_uuid) -> HttpResponse:
    export = access.get_export_for_user(request, export_uuid, access.ADD)
    if export.status != ExportStatus.VOIDED:
        messages.error(request, "Void this export before redoing it.")
        return redirect("billing:export", export_uuid=export.uuid)
    return _start(
        request,
        start=export.period_start,
        end=export.period_end,
        clinician=export.clinician,
        client=export.client,
    )
