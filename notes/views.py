"""Progress-note pages. Every view loads the note through notes.access."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from clients import access as client_access
from notes import access, language, necessity, panels, services
from notes.documents import PROGRESS_NOTE_PDF
from notes.formats import sections_for
from notes.forms import AddendumForm, NewNoteForm, NoteForm, SignForm
from notes.models import ProgressNote
from notes.selectors import dashboard_for, session_to_document
from practice import audit, integrity
from practice.documents.views import print_signed_note
from practice.models import AuditAction
from practice.refusals import Refused


def _hint_fields(note: ProgressNote) -> dict[str, str]:
    """Text fields checked for person-first language, with their labels."""
    fields = {s.field: s.label for s in sections_for(note.format)}
    fields.update(
        symptoms="Symptoms",
        functional_impairment="Functional impairment",
        progress="Response / progress",
        risk_factors="Risk factors",
        protective_factors="Protective factors",
        risk_narrative="Risk narrative",
    )
    return fields


def _hints(note: ProgressNote) -> list[language.Hint]:
    return language.hints_for_note(note, _hint_fields(note))


def _cpt_context(note: ProgressNote) -> dict:
    minutes = note.duration_minutes
    return {"minutes": minutes, "suggested": note.cpt_suggested}


def _saved_label(note: ProgressNote) -> str:
    saved = timezone.localtime(note.updated_at)
    if saved.date() == timezone.localdate():
        return f"Saved {saved:%H:%M}"
    return f"Saved {saved:%Y-%m-%d %H:%M}"


def _apply_errors(form, exc: services.NoteRefused) -> None:
    for field, message in exc.errors.items():
        form.add_error(field if field in form.fields else None, message)


@transaction.atomic
def _save_draft(request, note: ProgressNote, form: NoteForm, *, autosave: bool) -> list[str]:
    """The note's own fields, then what the registered panels were sent; all or nothing."""
    changed = services.note_update(
        note=note, actor=request.user, request=request, autosave=autosave, **form.service_kwargs()
    )
    saved = panels.save_panels(note, actor=request.user, data=request.POST, request=request)
    return changed + saved


@login_required
def note_create(request: HttpRequest, client_uuid) -> HttpResponse:
    """Pick the format (and session basics); creates the draft and opens the editor."""
    client = client_access.get_client_for_user(request, client_uuid)
    if not access.can_write(request.user, client):
        client_access.deny(request, client, client_access.DOCUMENT, not_found=False)
    form = NewNoteForm(request.POST or None, initial={"service_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        # Link the session booked for that day, and take its times.
        appointment = session_to_document(client, request.user, data["service_date"])
        if appointment is not None:
            start = timezone.localtime(appointment.start)
            end = start + timedelta(minutes=appointment.duration_minutes)
            data.update(appointment=appointment, start_time=start.time(), end_time=end.time())
        try:
            note = services.note_create(client=client, author=request.user, request=request, **data)
        except Refused as exc:
            _apply_errors(form, exc)
        else:
            return redirect("notes:edit", note_uuid=note.uuid)
    return render(request, "notes/note_new.html", {"form": form, "client": client})


@never_cache
@login_required
def note_edit(request: HttpRequest, note_uuid) -> HttpResponse:
    """The editor. Without JavaScript "Save draft" saves; with it, it autosaves too."""
    view = access.get_progress_note_for_user(request, note_uuid, access.EDIT)
    note = view.note
    if request.method == "POST":
        form = NoteForm(request.POST, note=note)
        if form.is_valid():
            try:
                _save_draft(request, note, form, autosave=False)
            except Refused as exc:
                _apply_errors(form, exc)
            else:
                if request.POST.get("action") == "sign":
                    return redirect("notes:sign", note_uuid=note.uuid)
                messages.success(
                    request, f"Draft saved {timezone.localtime():%H:%M}. Only you can see it."
                )
                return redirect("notes:edit", note_uuid=note.uuid)
        status = 400
    else:
        audit.record(
            AuditAction.VIEW,
            request=request,
            obj=note,
            client=note.client,
            detail={"editor": True},
        )
        form = NoteForm(note=note)
        status = 200
    return render(
        request,
        "notes/note_edit.html",
        {
            "note": note,
            "client": note.client,
            "form": form,
            "hints": _hints(note),
            "cpt": _cpt_context(note),
            "saved_label": _saved_label(note) if status == 200 else "",
            "panels": panels.rendered_panels(
                note,
                request=request,
                editor=True,
                data=request.POST if request.method == "POST" else None,
            ),
        },
        status=status,
    )


def _json_errors(errors: dict) -> dict[str, list[str]]:
    return {(k or "__all__"): ([v] if isinstance(v, str) else list(v)) for k, v in errors.items()}


@never_cache
@require_POST
def note_autosave(request: HttpRequest, note_uuid) -> JsonResponse:
    """The editor's autosave: the same fields as "Save draft", answered in JSON.

    An expired session gets a 401 (not a redirect to the login page) so the
    script can say so and keep retrying; the draft stays as last saved.
    """
    if not request.user.is_authenticated:
        return JsonResponse({"ok": False, "error": "session"}, status=401)
    try:
        view = access.get_progress_note_for_user(request, note_uuid, access.EDIT)
    except Http404:
        return JsonResponse({"ok": False, "error": "not_found"}, status=404)
    except PermissionDenied as exc:
        return JsonResponse({"ok": False, "error": "forbidden", "message": str(exc)}, status=403)
    note = view.note
    form = NoteForm(request.POST, note=note)
    if not form.is_valid():
        return JsonResponse({"ok": False, "errors": _json_errors(form.errors)}, status=400)
    try:
        changed = _save_draft(request, note, form, autosave=True)
    except Refused as exc:
        status = 409 if None in exc.errors and len(exc.errors) == 1 else 400
        return JsonResponse({"ok": False, "errors": _json_errors(exc.errors)}, status=status)
    saved = timezone.localtime(note.updated_at)
    return JsonResponse(
        {
            "ok": True,
            "changed": changed,
            "saved_at": saved.strftime("%H:%M"),
            "minutes": note.duration_minutes,
            "cpt_suggested": note.cpt_suggested,
            "cpt_code": note.cpt_code,
            "hints": [
                {"field": h.field, "phrase": h.phrase, "suggestion": h.suggestion}
                for h in _hints(note)
            ],
        }
    )


def _detail_context(request, view: access.NoteView) -> dict:
    note = view.note
    addenda = list(note.addenda.select_related("author")) if view.body_visible else []
    # Every read of a signed note checks it (and its addenda and co-signature)
    # against the keyed hashes taken at signing; a mismatch is shown and audited.
    failed = (
        integrity.check_signed([note, *addenda], context="note_page", request=request)
        if note.is_signed
        else []
    )
    cosign_ok = (
        integrity.check_hash(
            note,
            stored=note.cosign_hash,
            content=services.cosign_content(note),
            what="co-signature",
            context="note_page",
            request=request,
        )
        if note.cosigned_at
        else None
    )
    return {
        "integrity_failed": bool(failed) or cosign_ok is False,
        "view": view,
        "note": note,
        "client": note.client,
        "addenda": addenda,
        "status_label": note.display_status(len(addenda)) if view.body_visible else None,
        "is_author_draft": not note.is_signed and note.author_id == request.user.pk,
        "can_addend": note.is_signed
        and view.body_visible
        and access.can_write(request.user, note.client),
        "can_cosign": view.body_visible and access.is_cosigner_for(request.user, note),
        "addendum_form": AddendumForm(),
        "hash_ok": note.integrity_ok if note.is_signed else None,
        "interventions": note.interventions_labels,
        "panels": panels.rendered_panels(note, request=request, editor=False)
        if view.body_visible
        else [],
        "cosign_hash_ok": cosign_ok,
    }


@never_cache
@login_required
def note_detail(request: HttpRequest, note_uuid) -> HttpResponse:
    view = access.get_progress_note_for_user(request, note_uuid, access.READ)
    note = view.note
    audit.record(
        AuditAction.VIEW,
        request=request,
        obj=note,
        client=note.client,
        detail={"level": view.level},
    )
    return render(request, "notes/note_detail.html", _detail_context(request, view))


@never_cache
@login_required
def note_sign(request: HttpRequest, note_uuid) -> HttpResponse:
    """Review before signing: what is missing, what blocks, language hints; then sign."""
    view = access.get_progress_note_for_user(request, note_uuid, access.SIGN)
    note = view.note
    form = SignForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.note_sign(
                note=note,
                actor=request.user,
                override_reason=form.cleaned_data["override_reason"],
                request=request,
            )
        except Refused as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Note signed. It can no longer be changed; add an addendum.")
            return redirect("notes:detail", note_uuid=note.uuid)
    else:
        audit.record(
            AuditAction.VIEW,
            request=request,
            obj=note,
            client=note.client,
            detail={"sign_review": True},
        )
    missing = necessity.missing_items(note)
    return render(
        request,
        "notes/note_sign.html",
        {
            "note": note,
            "client": note.client,
            "form": form,
            "missing": missing,
            "blocking": necessity.blocking_problems(note),
            "hints": _hints(note),
            "cpt": _cpt_context(note),
            "requires_cosign": request.user.requires_cosign,
            "interventions": note.interventions_labels,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def note_discard(request: HttpRequest, note_uuid) -> HttpResponse:
    view = access.get_progress_note_for_user(request, note_uuid, access.EDIT)
    client = view.note.client
    try:
        services.note_discard(note=view.note, actor=request.user, request=request)
    except Refused as exc:
        messages.error(request, " ".join(exc.errors.values()))
        return redirect("notes:detail", note_uuid=view.note.uuid)
    messages.success(request, "Draft discarded.")
    return redirect("records:chart", client_uuid=client.uuid)


@login_required
@require_POST
def note_cosign(request: HttpRequest, note_uuid) -> HttpResponse:
    view = access.get_progress_note_for_user(request, note_uuid, access.COSIGN)
    try:
        services.note_cosign(note=view.note, actor=request.user, request=request)
        messages.success(request, "Note co-signed.")
    except Refused as exc:
        messages.error(request, " ".join(exc.errors.values()))
    return redirect("notes:detail", note_uuid=view.note.uuid)


@login_required
@require_POST
def addendum_add(request: HttpRequest, note_uuid) -> HttpResponse:
    view = access.get_progress_note_for_user(request, note_uuid, access.ADDEND)
    form = AddendumForm(request.POST)
    if form.is_valid():
        try:
            services.note_addendum_add(
                note=view.note, actor=request.user, text=form.cleaned_data["text"], request=request
            )
        except Refused as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Addendum signed and added.")
            return redirect("notes:detail", note_uuid=view.note.uuid)
    # The refused form is shown on the note page: the note is read again.
    audit.record(
        AuditAction.VIEW,
        request=request,
        obj=view.note,
        client=view.note.client,
        detail={"level": view.level, "addendum_refused": True},
    )
    context = _detail_context(request, view)
    context["addendum_form"] = form
    return render(request, "notes/note_detail.html", context, status=400)


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    """The clinician's own drafts and, for supervisors, notes awaiting co-signature."""
    return render(request, "notes/worklist.html", {"dash": dashboard_for(request.user, limit=None)})


@login_required
@require_POST
def note_print(request: HttpRequest, note_uuid) -> HttpResponse:
    """Queue the signed PDF of the note (printing is an action of notes.access)."""
    view = access.get_progress_note_for_user(request, note_uuid, access.PRINT)
    return print_signed_note(
        request, view.note, kind=PROGRESS_NOTE_PDF, detail_url="notes:detail"
    )
