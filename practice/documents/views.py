"""Pages for background documents: watch a job, download its files. Jobs are
reached only through ``practice.documents.access.get_job_for_user``. Features
start jobs from their own views (print a note, export a chart, a billing
export) with ``jobs.document_job_start``."""

from __future__ import annotations

import hashlib
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from practice import audit
from practice.documents import jobs, registry
from practice.documents.access import get_job_for_user
from practice.documents.models import DocumentJob, JobStatus
from practice.models import AuditAction

logger = logging.getLogger(__name__)


def _sha256(path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _kind(job: DocumentJob) -> registry.DocumentKind | None:
    return registry.get(job.kind) if registry.is_registered(job.kind) else None


def _job_title(job: DocumentJob) -> str:
    kind = _kind(job)
    if kind is not None and kind.title is not None:
        return kind.title(job)
    return job.get_kind_display()


def _withdrawn(job: DocumentJob) -> bool:
    """Files the kind no longer hands out (e.g. a voided billing export)."""
    kind = _kind(job)
    return bool(kind is not None and kind.withdrawn is not None and kind.withdrawn(job))


def _job_client(request, job: DocumentJob):
    if not job.client_uuid:
        return None
    return registry.clients_for(request.user, {job.client_uuid}).get(job.client_uuid)


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
    visible = registry.clients_for(
        request.user, {job.client_uuid for job in own if job.client_uuid}
    )
    return render(
        request,
        "documents/job_list.html",
        {"rows": [(job, _job_title(job), visible.get(job.client_uuid)) for job in own]},
    )


@login_required
@never_cache
def job_detail(request: HttpRequest, job_uuid) -> HttpResponse:
    job = _nudge(get_job_for_user(request, job_uuid))
    kind = _kind(job)
    extra = {}
    if job.status == JobStatus.DONE and kind is not None and kind.detail_context is not None:
        extra = kind.detail_context(job)
    return render(
        request,
        "documents/job_detail.html",
        {
            **extra,
            "job": job,
            "title": _job_title(job),
            "client": _job_client(request, job),
            "state": _status_payload(job),
            "withdrawn": _withdrawn(job),
            "signed_pdf": kind.signed_pdf if kind is not None else False,
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
        obj=job,
        client_uuid=job.client_uuid,
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


# -- for the features' own "print" views ---------------------------------------


def print_signed_note(request: HttpRequest, note, *, kind: str, detail_url: str) -> HttpResponse:
    """Queue the signed PDF of a note its access helper loaded for PRINT, and
    go to the job's page (a draft goes back to its page with the refusal)."""
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
