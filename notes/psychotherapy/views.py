"""Thin views over the process-note store. Every one loads through ``access``;
every one that handles text is marked sensitive so Django's error reports
(DEBUG off) leave the text out, and none may be cached by the browser."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from notes.psychotherapy import access, crypto, services
from notes.psychotherapy.forms import FORM_NOTICE, ProcessNoteForm
from practice import audit
from practice.models import AuditAction
from practice.refusals import Refused


def _unavailable(request: HttpRequest, client, exc: Exception) -> HttpResponse:
    return render(
        request,
        "psychotherapy/unavailable.html",
        {"client": client, "message": str(exc)},
        status=503,
    )


@never_cache
@login_required
def note_list(request: HttpRequest, client_uuid) -> HttpResponse:
    client = access.client_for_author(request, client_uuid)
    notes = list(access.process_notes_for(request.user, client))
    # Listing shows dates only, but it still tells that notes exist: audited.
    audit.record(
        AuditAction.VIEW,
        request=request,
        object_type=access.OBJECT_TYPE,
        client=client,
        detail={"list": True, "count": len(notes)},
    )
    return render(
        request,
        "psychotherapy/note_list.html",
        {
            "client": client,
            "notes": notes,
            "store_available": crypto.is_configured(),
        },
    )


@never_cache
@sensitive_post_parameters("text")
@sensitive_variables()
@login_required
def note_create(request: HttpRequest, client_uuid) -> HttpResponse:
    client = access.client_for_author(request, client_uuid, access.ADD)
    try:
        crypto.keyset()
    except crypto.ProcessNoteStoreUnavailable as exc:
        return _unavailable(request, client, exc)
    form = ProcessNoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            note = services.process_note_create(
                author=request.user,
                client=client,
                text=form.cleaned_data["text"],
                session_date=form.cleaned_data["session_date"],
                request=request,
            )
        except Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Private process note saved.")
            return redirect("psychotherapy:detail", note_uuid=note.uuid)
    return render(
        request,
        "psychotherapy/note_form.html",
        {"client": client, "form": form, "notice": FORM_NOTICE, "title": "New process note"},
    )


@never_cache
@sensitive_variables()
@login_required
def note_detail(request: HttpRequest, note_uuid) -> HttpResponse:
    note = access.get_process_note_for_user(request, note_uuid, access.VIEW)
    text, error = None, None
    try:
        text = services.process_note_read(note=note, actor=request.user, request=request)
    except crypto.ProcessNoteStoreUnavailable as exc:
        return _unavailable(request, note.client, exc)
    except crypto.ProcessNoteKeyError as exc:
        error = str(exc)
    return render(
        request,
        "psychotherapy/note_detail.html",
        {"client": note.client, "note": note, "text": text, "error": error},
    )


@never_cache
@sensitive_post_parameters("text")
@sensitive_variables()
@login_required
def note_edit(request: HttpRequest, note_uuid) -> HttpResponse:
    note = access.get_process_note_for_user(request, note_uuid, access.CHANGE)
    client = note.client
    try:
        current = services.process_note_read(
            note=note, actor=request.user, request=request, purpose="edit"
        )
    except crypto.ProcessNoteStoreUnavailable as exc:
        return _unavailable(request, client, exc)
    except crypto.ProcessNoteKeyError as exc:
        # Never overwrite a note we cannot read: the key may yet be restored.
        return render(
            request,
            "psychotherapy/note_detail.html",
            {"client": client, "note": note, "text": None, "error": str(exc)},
        )
    initial = {"text": current, "session_date": note.session_date}
    form = ProcessNoteForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if form.has_changed():
            services.process_note_update(
                note=note,
                actor=request.user,
                text=form.cleaned_data["text"],
                session_date=form.cleaned_data["session_date"],
                changed=form.changed_data,
                request=request,
            )
            messages.success(request, "Private process note saved.")
        return redirect("psychotherapy:detail", note_uuid=note.uuid)
    return render(
        request,
        "psychotherapy/note_form.html",
        {
            "client": client,
            "note": note,
            "form": form,
            "notice": FORM_NOTICE,
            "title": "Edit process note",
        },
    )


@never_cache
@login_required
def note_delete(request: HttpRequest, note_uuid) -> HttpResponse:
    """GET asks for confirmation; only POST deletes."""
    note = access.get_process_note_for_user(request, note_uuid, access.DELETE)
    client = note.client
    if request.method != "POST":
        return render(
            request, "psychotherapy/note_confirm_delete.html", {"client": client, "note": note}
        )
    try:
        services.process_note_delete(note=note, actor=request.user, request=request)
    except Refused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Private process note deleted.")
    return redirect("psychotherapy:list", client_uuid=client.uuid)
