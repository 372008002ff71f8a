from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from clients import access as client_access
from contacts import access, services
from contacts.forms import AddendumForm, ContactNoteForm
from practice import audit, integrity
from practice.models import AuditAction


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


@login_required
def note_create(request: HttpRequest, client_uuid) -> HttpResponse:
    client = client_access.get_client_for_user(request, client_uuid)
    user = request.user
    if not access.can_write_any(user, client):
        client_access.deny(request, client, "contacts.add_contactnote", not_found=False)
    clinical_author = client_access.can(user, client_access.DOCUMENT, client)
    form = ContactNoteForm(request.POST or None, client=client, clinical_author=clinical_author)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        sign = request.POST.get("action") == "sign"
        try:
            note = services.contact_note_create(
                client=client, author=user, request=request, sign=sign, **kwargs
            )
        except services.ContactNoteRefused as exc:
            _apply_refusal(request, form, client, exc, kwargs["collateral"])
        else:
            messages.success(
                request, "Contact note signed." if sign else "Contact note saved as a draft."
            )
            return redirect("contacts:detail", note_uuid=note.uuid)
    return render(
        request,
        "contacts/note_form.html",
        {"form": form, "client": client, "title": "New contact note"},
    )


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
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        sign = request.POST.get("action") == "sign"
        try:
            services.contact_note_update(note=note, actor=request.user, request=request, **kwargs)
            if sign:
                services.contact_note_sign(note=note, actor=request.user, request=request)
        except services.ContactNoteRefused as exc:
            _apply_refusal(request, form, client, exc, kwargs["collateral"])
        else:
            messages.success(request, "Contact note signed." if sign else "Draft saved.")
            return redirect("contacts:detail", note_uuid=note.uuid)
    return render(
        request,
        "contacts/note_form.html",
        {"form": form, "client": client, "note": note, "title": "Edit contact note"},
    )


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
    except services.ContactNoteRefused as exc:
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
        except services.ContactNoteRefused as exc:
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
