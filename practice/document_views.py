"""Pages for background documents: start (print a note, export a chart), watch
the job, download the file. Jobs are reached only through
``practice.job_access.get_job_for_user``."""

from __future__ import annotations

import hashlib
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from clients import access as client_access
from clients.chart_export import EXPORT_CHART, can_export_chart
from clients.models import Client
from contacts import access as contact_access
from practice import audit, jobs
from practice.document_forms import ChartExportForm
from practice.job_access import get_job_for_user
from practice.models import AuditAction, DocumentJob, JobKind, JobStatus
from practice.permissions import has_role_perm
from practice.querystrings import query_uuid

logger = logging.getLogger(__name__)


def _sha256(path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _job_title(job: DocumentJob) -> str:
    title = job.get_kind_display()
    if job.kind == JobKind.CHART_EXPORT or job.kind == JobKind.BILLING_EXPORT:
        title += f", {job.params['start']} to {job.params['end']}"
    return title


def _job_client(job: DocumentJob) -> Client | None:
    return Client.objects.filter(uuid=job.client_uuid).first() if job.client_uuid else None


def _billing_export(job: DocumentJob):
    if job.kind != JobKind.BILLING_EXPORT:
        return None
    from billing.selectors import export_for_job

    return export_for_job(job)


def _withdrawn(job: DocumentJob) -> bool:
    """The files of a voided billing export are not handed out any more: its
    items are billable again, and an old file sent next to the redone export
    would bill them twice."""
    export = _billing_export(job)
    return export is not None and export.is_voided


def _files(job: DocumentJob) -> list[dict]:
    if job.status != JobStatus.DONE or job.is_expired or _withdrawn(job):
        return []
    return [
        {
            "key": key,
            "name": info["name"],
            "label": info.get("label") or info["name"],
            "size": info["size"],
            "url": reverse("documents:download", args=[job.uuid, key]),
        }
        for key, info in sorted(job.files.items(), key=lambda kv: kv[1].get("order", 0))
    ]


def _status_payload(job: DocumentJob) -> dict:
    return {
        "status": job.status,
        "status_label": job.get_status_display(),
        "progress": job.progress,
        "error": job.error,
        "waiting_for_broker": job.waiting_for_broker,
        "message": jobs.BROKER_DOWN_MESSAGE if job.waiting_for_broker else "",
        "expired": job.is_expired,
        "files": _files(job),
    }


def _nudge(job: DocumentJob) -> DocumentJob:
    """A job queued while the broker was down is sent again when its page is looked at."""
    if job.waiting_for_broker and jobs.document_job_dispatch(job_id=job.pk):
        job.refresh_from_db()
    return job


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    own = list(DocumentJob.objects.filter(requested_by=request.user)[:50])
    # Name the client only where the user can still reach them.
    visible = {
        c.uuid: c
        for c in client_access.clients_visible_to(request.user).filter(
            uuid__in={job.client_uuid for job in own if job.client_uuid}
        )
    }
    return render(
        request,
        "documents/job_list.html",
        {"rows": [(job, _job_title(job), visible.get(job.client_uuid)) for job in own]},
    )


@login_required
@never_cache
def job_detail(request: HttpRequest, job_uuid) -> HttpResponse:
    job = _nudge(get_job_for_user(request, job_uuid))
    billing_export = _billing_export(job) if job.status == JobStatus.DONE else None
    return render(
        request,
        "documents/job_detail.html",
        {
            "billing_export": billing_export,
            "job": job,
            "title": _job_title(job),
            "client": _job_client(job),
            "state": _status_payload(job),
            "broker_down_message": jobs.BROKER_DOWN_MESSAGE,
        },
    )


@login_required
@never_cache
def job_status(request: HttpRequest, job_uuid) -> JsonResponse:
    job = _nudge(get_job_for_user(request, job_uuid))
    return JsonResponse(_status_payload(job))


@login_required
@never_cache
def job_download(request: HttpRequest, job_uuid, key: str) -> HttpResponse:
    job = get_job_for_user(request, job_uuid)
    client = _job_client(job)
    if job.is_expired:
        return render(
            request, "documents/expired.html", {"job": job, "title": _job_title(job)}, status=410
        )
    if _withdrawn(job):
        return render(
            request,
            "documents/expired.html",
            {"job": job, "title": _job_title(job), "voided": True},
            status=410,
        )
    path = jobs.job_file_path(job, key) if job.status == JobStatus.DONE else None
    if path is None or not path.exists():
        return render(
            request,
            "documents/expired.html",
            {"job": job, "title": _job_title(job), "missing": True},
            status=404,
        )
    info = job.files[key]
    if _sha256(path) != info["sha256"]:
        # The file on disk is not the one the job made: never hand it out.
        logger.error("document job %s: file %s does not match its recorded hash", job.pk, key)
        return render(
            request,
            "documents/expired.html",
            {"job": job, "title": _job_title(job), "corrupt": True},
            status=409,
        )
    audit.record(
        AuditAction.DOWNLOAD,
        request=request,
        object_type="practice.documentjob",
        object_id=str(job.uuid),
        client=client,
        detail={"kind": job.kind, "file": key, "sha256": info["sha256"]},
    )
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=info["name"],
        content_type=info["content_type"],
    )
    response["Cache-Control"] = "no-store"
    return response


# -- starting documents -------------------------------------------------------


def _print_note(request: HttpRequest, note, *, kind: str, detail_url: str) -> HttpResponse:
    """Queue the signed PDF of a note already loaded for PRINT by its access helper."""
    if not note.is_signed:
        messages.error(request, jobs.DRAFT_REFUSAL)
        return redirect(detail_url, note_uuid=note.uuid)
    job = jobs.document_job_start(
        kind=kind,
        requested_by=request.user,
        params={"note": str(note.uuid)},
        client=note.client,
        request=request,
    )
    jobs.audit_export(
        request=request, job=job, client=note.client, action=AuditAction.PRINT, note=str(note.uuid)
    )
    return redirect("documents:job", job_uuid=job.uuid)


@login_required
@require_POST
def contact_note_print(request: HttpRequest, note_uuid) -> HttpResponse:
    view = contact_access.get_contact_note_for_user(request, note_uuid, contact_access.PRINT)
    return _print_note(
        request, view.note, kind=JobKind.CONTACT_NOTE_PDF, detail_url="contacts:detail"
    )


@login_required
@require_POST
def progress_note_print(request: HttpRequest, note_uuid) -> HttpResponse:
    from notes import access as note_access

    view = note_access.get_progress_note_for_user(request, note_uuid, note_access.PRINT)
    return _print_note(
        request, view.note, kind=JobKind.PROGRESS_NOTE_PDF, detail_url="notes:detail"
    )


@login_required
def chart_export(request: HttpRequest) -> HttpResponse:
    user = request.user
    form_data = request.POST if request.method == "POST" else None
    initial = {}
    wanted = query_uuid(request.GET, "client") if request.method == "GET" else None
    if wanted is not None:
        # Preselect a client from the chart's "Export chart" button; checked like any access.
        client = client_access.get_client_for_user(request, wanted)
        if not can_export_chart(user, client):
            client_access.deny(request, client, EXPORT_CHART, not_found=False)
        initial["client"] = client.uuid
    form = ChartExportForm(form_data, user=user, initial=initial)
    may_export = has_role_perm(user, EXPORT_CHART) or form.fields["client"].queryset.exists()
    if not may_export:
        audit.record(
            AuditAction.ACCESS_DENIED,
            request=request,
            object_type="practice.documentjob",
            detail={"permission": EXPORT_CHART, "path": request.path[:200]},
        )
        raise PermissionDenied(
            "Chart exports are for auditors and for clinicians on the client's care team."
        )
    if request.method == "POST" and form.is_valid():
        client = client_access.get_client_for_user(request, form.cleaned_data["client"].uuid)
        if not can_export_chart(user, client):
            client_access.deny(request, client, EXPORT_CHART, not_found=False)
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        job = jobs.document_job_start(
            kind=JobKind.CHART_EXPORT,
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
    return render(request, "documents/chart_export.html", {"form": form})
