"""Thin views over the process-note store. Every one loads through ``access``;
every one that handles text is marked sensitive so Django's error reports
(DEBUG off) leave the text out, and none may be cached by the browser."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from notes.psychotherapy import access, crypto, sealing, services
from notes.psychotherapy.forms import FORM_NOTICE, ProcessNoteForm, UnsealForm
from practice import audit, credentials
from practice.models import AuditAction, AuditEvent
from practice.refusals import Refused


def _sealed_page(request: HttpRequest, client, exc: Exception, note=None) -> HttpResponse:
    """The note (or the store) is sealed in this session: say so, show no text."""
    return render(
        request,
        "psychotherapy/sealed.html",
        {"client": client, "note": note, "message": str(exc)},
    )


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
    key = sealing.session_key(request)
    key_id = sealing.key_id_of(key) if key is not None else None
    for n in notes:
        # Listing only says whether a note would open in this session; nothing
        # is decrypted here.
        n.is_sealed = not n.sealed_with or n.sealed_with != key_id
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
            "unsealed": key is not None,
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
    key = sealing.session_key(request)
    if key is None:
        return _sealed_page(request, client, sealing.ProcessNoteSealed())
    form = ProcessNoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            note = services.process_note_create(
                author=request.user,
                client=client,
                text=form.cleaned_data["text"],
                key=key,
                session_date=form.cleaned_data["session_date"],
                request=request,
            )
        except (Refused, sealing.ProcessNoteSealed) as exc:
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
        text = services.process_note_read(
            note=note, actor=request.user, key=sealing.session_key(request), request=request
        )
    except crypto.ProcessNoteStoreUnavailable as exc:
        return _unavailable(request, note.client, exc)
    except sealing.ProcessNoteSealed as exc:
        return _sealed_page(request, note.client, exc, note=note)
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
    key = sealing.session_key(request)
    try:
        current = services.process_note_read(
            note=note, actor=request.user, key=key, request=request, purpose="edit"
        )
    except crypto.ProcessNoteStoreUnavailable as exc:
        return _unavailable(request, client, exc)
    except sealing.ProcessNoteSealed as exc:
        # Never overwrite a note we cannot read.
        return _sealed_page(request, client, exc, note=note)
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
                key=key,
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


UNSEAL_WINDOW = timedelta(minutes=15)


def _unseal_throttled(user) -> bool:
    """Online guessing of a previous password or code: as many tries as a
    sign-in gets (AXES_FAILURE_LIMIT) per quarter hour, counted in the trail."""
    since = timezone.now() - UNSEAL_WINDOW
    failures = AuditEvent.objects.filter(
        user=user,
        action=AuditAction.LOGIN_FAILED,
        object_type=sealing.KEY_OBJECT_TYPE,
        created_at__gte=since,
    ).count()
    return failures >= settings.AXES_FAILURE_LIMIT


@never_cache
@sensitive_post_parameters("secret", "current_password")
@sensitive_variables()
@login_required
def unseal(request: HttpRequest) -> HttpResponse:
    """Open the author's sealed notes after a reset: they prove their previous
    password (or a recovery code from a recovery run) and their current one;
    the key is then wrapped under the current password and opened for this
    session. Every attempt is audited; nothing is said about the notes."""
    user = request.user
    key = sealing.author_key(user)
    if key is None:
        return render(request, "psychotherapy/unseal.html", {"form": None, "no_key": True})
    if sealing.session_key(request) is not None:
        messages.info(request, "Your process notes are already unsealed in this session.")
        return redirect("home")
    form = UnsealForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _unseal_throttled(user):
        form.add_error(None, "Too many wrong attempts. Wait 15 minutes, then try again.")
    elif request.method == "POST" and form.is_valid():
        if not user.check_password(form.cleaned_data["current_password"]):
            form.add_error("current_password", "That is not your current password.")
            dek, how = None, "wrong_current_password"
        else:
            dek, how = sealing.unlock_with_secret(user, form.cleaned_data["secret"])
            if dek is None:
                form.add_error(
                    "secret", "That opens nothing: not your previous password, nor a valid code."
                )
                how = "wrong_secret"
        if dek is None:
            audit.record(
                AuditAction.LOGIN_FAILED,
                request=request,
                object_type=sealing.KEY_OBJECT_TYPE,
                object_id=key.key_id,
                detail={"step": "unseal", "reason": how},
            )
        else:
            sealing.rewrap_password(
                author=user,
                dek=dek,
                password=form.cleaned_data["current_password"],
                request=request,
                reason=f"unsealed_with_{how}",
            )
            credentials.settle_resets(user)
            sealing.ensure_recovery_wrap(author=user, dek=dek)
            sealing.seal_legacy_notes(author=user, dek=dek, request=request, via="unseal")
            sealing.keep_in_session(request, dek)
            messages.success(request, "Your process notes are unsealed.")
            return redirect("home")
    return render(request, "psychotherapy/unseal.html", {"form": form, "no_key": False})
