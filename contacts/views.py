from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from clients import access as client_access
from clients import services as client_services
from clients.forms import ReleaseForm
from contacts import access, services
from contacts.documents import CONTACT_NOTE_PDF
from contacts.forms import AddendumForm, ContactNoteForm
from practice import audit, integrity
from practice.documents.views import print_signed_note
from practice.models import AuditAction
from practice.refusals import Refused


def _apply_refusal(request, form, client, exc: services.ContactNoteRefused, collateral) -> None:
    """Show a refusal beside its field; the form keeps everything typed."""
    for field, message in exc.errors.items():
        form.add_error(field if field in form.fields else None, message)
    if "person" in exc.errors and collateral is not None:
        # The ROI rule refused a disclosure: that belongs in the audit trail.
        audit.record(
            AuditAction.ACCESS_DENIED,
            request=request,
            object_type="contacts.contactnote",
            client=client,
            detail={"rule": "release_of_information", "collateral": str(collateral.uuid)},
        )


RELEASE_PREFIX = "release"


def _release_form(request, client) -> ReleaseForm | None:
    """The in-place "record a release" section of the note form, for those who
    may record releases; bound only when something was typed into it."""
    if not client_access.can_manage_contacts(request.user, client):
        return None
    data = request.POST if request.method == "POST" else None
    typed = data is not None and any(
        data.get(f"{RELEASE_PREFIX}-{name}", "").strip()
        for name in ("signed_date", "expires_on", "scope")
    )
    return ReleaseForm(data if typed else None, prefix=RELEASE_PREFIX)


def _record_release(request, form, release_form, collateral) -> bool:
    """Record the release typed in place (before the note that relies on it).
    False, with the errors shown beside the release fields, when refused."""
    if release_form is None or not release_form.is_bound:
        return True
    if collateral is None:
        form.add_error("person", "A release is recorded for a contact person, not the client.")
        return False
    if not release_form.is_valid():
        return False
    try:
        client_services.roi_add(
            contact=collateral, actor=request.user, request=request, **release_form.cleaned_data
        )
    except client_services.ServiceError as exc:
        release_form.add_error(None, str(exc))
        return False
    return True


def _render_form(request, form, release_form, client, *, note=None, blocker="", status=200):
    return render(
        request,
        "contacts/note_form.html",
        {
            "form": form,
            "release_form": release_form,
            "client": client,
            "note": note,
            "blocker": blocker,
            "person_statuses": form.person_statuses(),
            "title": "Edit contact note" if note else "New contact note",
        },
        status=status,
    )


def _is_release_refusal(exc: services.ContactNoteRefused) -> bool:
    return list(exc.errors) == ["person"]


@login_required
def note_create(request: HttpRequest, client_uuid) -> HttpResponse:
    client = client_access.get_client_for_user(request, client_uuid)
    user = request.user
    if not access.can_write_any(user, client):
        client_access.deny(request, client, "contacts.add_contactnote", not_found=False)
    clinical_author = client_access.can(user, client_access.DOCUMENT, client)
    form = ContactNoteForm(request.POST or None, client=client, clinical_author=clinical_author)
    release_form = _release_form(request, client)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        sign = request.POST.get("action") == "sign"
        note = None
        try:
            with transaction.atomic():
                if not _record_release(request, form, release_form, kwargs["collateral"]):
                    raise services.ContactNoteRefused({})
                note = services.contact_note_create(
                    client=client, author=user, request=request, sign=sign, **kwargs
                )
        except Refused as exc:
            typed_release = release_form is not None and release_form.is_bound
            if sign and _is_release_refusal(exc) and not typed_release:
                # Nothing typed is lost: keep the note as a draft that says
                # what blocks signing, and offer to record the release in place.
                _apply_refusal(request, form, client, exc, kwargs["collateral"])
                note = services.contact_note_create(
                    client=client, author=user, request=request, sign=False, **kwargs
                )
                messages.warning(
                    request, "Saved as a draft with everything typed; it cannot be signed yet."
                )
                return redirect("contacts:edit", note_uuid=note.uuid)
            _apply_refusal(request, form, client, exc, kwargs["collateral"])
        else:
            if sign:
                messages.success(request, "Contact note signed.")
            else:
                blocker = services.signing_blocker(note)
                messages.success(
                    request,
                    "Contact note saved as a draft."
                    + (f" It cannot be signed yet: {blocker}" if blocker else ""),
                )
            return redirect("contacts:detail", note_uuid=note.uuid)
    return _render_form(request, form, release_form, client)


@login_required
def note_edit(request: HttpRequest, note_uuid) -> HttpResponse:
    view = access.get_contact_note_for_user(request, note_uuid, access.EDIT)
    note, client = view.note, view.note.client
    clinical_author = client_access.can(request.user, client_access.DOCUMENT, client)
    form = ContactNoteForm(
        request.POST or None,
        client=client,
        clinical_author=clinical_author,
        initial=ContactNoteForm.initial_from(note),
    )
    release_form = _release_form(request, client)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        sign = request.POST.get("action") == "sign"
        saved = False
        try:
            with transaction.atomic():
                if not _record_release(request, form, release_form, kwargs["collateral"]):
                    raise services.ContactNoteRefused({})
                services.contact_note_update(
                    note=note, actor=request.user, request=request, **kwargs
                )
                saved = True
            if sign:
                services.contact_note_sign(note=note, actor=request.user, request=request)
        except Refused as exc:
            _apply_refusal(request, form, client, exc, kwargs["collateral"])
            if saved:
                # The edit is kept; only signing was refused.
                messages.warning(request, "Draft saved. It cannot be signed yet.")
        else:
            messages.success(request, "Contact note signed." if sign else "Draft saved.")
            return redirect("contacts:detail", note_uuid=note.uuid)
    blocker = "" if form.is_bound else services.signing_blocker(note)
    return _render_form(request, form, release_form, client, note=note, blocker=blocker)


@login_required
def note_detail(request: HttpRequest, note_uuid) -> HttpResponse:
    view = access.get_contact_note_for_user(request, note_uuid, access.READ)
    note = view.note
    detail = {"summary_shown": view.summary_visible}
    if note.is_emergency:
        detail["emergency"] = True
    audit.record(AuditAction.VIEW, request=request, obj=note, client=note.client, detail=detail)
    user = request.user
    can_addend = note.is_signed and access.write_refusal(user, note.client, note.reason) is None
    addenda = list(note.addenda.select_related("author")) if view.summary_visible else []
    return render(
        request,
        "contacts/note_detail.html",
        {
            "view": view,
            "note": note,
            "client": note.client,
            "addenda": addenda,
            "is_author_draft": not note.is_signed and note.author_id == user.pk,
            "signing_blocker": services.signing_blocker(note) if view.summary_visible else "",
            "can_addend": can_addend and view.summary_visible,
            "addendum_form": AddendumForm(),
            **_integrity(request, note, addenda),
        },
    )


def _integrity(request, note, addenda) -> dict:
    """Every read of a signed contact note checks it and its addenda against the
    keyed hashes taken at signing; a mismatch is shown and audited."""
    if not note.is_signed:
        return {"hash_ok": None, "integrity_failed": False}
    failed = integrity.check_signed([note, *addenda], context="note_page", request=request)
    return {"hash_ok": note.integrity_ok, "integrity_failed": bool(failed)}


@login_required
@require_POST
def note_sign(request: HttpRequest, note_uuid) -> HttpResponse:
    view = access.get_contact_note_for_user(request, note_uuid, access.SIGN)
    try:
        services.contact_note_sign(note=view.note, actor=request.user, request=request)
        messages.success(request, "Contact note signed. It can no longer be changed.")
    except Refused as exc:
        messages.error(request, " ".join(exc.errors.values()))
    return redirect("contacts:detail", note_uuid=view.note.uuid)


@login_required
@require_POST
def addendum_add(request: HttpRequest, note_uuid) -> HttpResponse:
    view = access.get_contact_note_for_user(request, note_uuid, access.ADDEND)
    form = AddendumForm(request.POST)
    if form.is_valid():
        try:
            services.contact_note_addendum_add(
                note=view.note, actor=request.user, text=form.cleaned_data["text"], request=request
            )
            messages.success(request, "Addendum signed and added.")
            return redirect("contacts:detail", note_uuid=view.note.uuid)
        except Refused as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
    note = view.note
    addenda = list(note.addenda.select_related("author"))
    return render(
        request,
        "contacts/note_detail.html",
        {
            "view": view,
            "note": note,
            "client": note.client,
            "addenda": addenda,
            "can_addend": True,
            "addendum_form": form,
            **_integrity(request, note, addenda),
        },
        status=400,
    )


@login_required
@require_POST
def note_print(request: HttpRequest, note_uuid) -> HttpResponse:
    """Queue the signed PDF of the note (printing is an action of contacts.access)."""
    view = access.get_contact_note_for_user(request, note_uuid, access.PRINT)
    return print_signed_note(
        request, view.note, kind=CONTACT_NOTE_PDF, detail_url="contacts:detail"
    )
