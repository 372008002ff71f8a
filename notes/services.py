"""Writes to progress notes: create, update (also the autosave), sign, co-sign, addenda."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clients.models import Client
from notes import access, necessity
from notes.cpt import suggest_cpt
from notes.formats import ALL_SECTION_FIELDS, NoteFormat
from notes.models import Intervention, NoteStatus, ProgressNote, ProgressNoteAddendum
from practice import audit, signing
from practice.models import AuditAction
from practice.refusals import Refused
from practice.signing import content_hash, signed_addendum_add, signer_name

# Fields a draft's author may change (the format is fixed when the note is started).
TEXT_FIELDS = (
    *ALL_SECTION_FIELDS,
    "symptoms",
    "functional_impairment",
    "progress",
    "next_appointment",
    "client_location",
    "risk_factors",
    "protective_factors",
    "risk_narrative",
)
EDITABLE_FIELDS = frozenset(
    {
        *TEXT_FIELDS,
        "service_date",
        "start_time",
        "end_time",
        "service_type",
        "place_of_service",
        "interventions",
        "risk_level",
        "cssrs_result",
        "safety_plan",
        "crisis_resources_given",
        "cpt_code",
        "cpt_override_reason",
    }
)
# Longest text a field accepts (a full session note is far shorter).
MAX_TEXT = 20_000


class NoteRefused(Refused):
    """A rule refused the change. ``errors`` maps form fields (or None) to
    messages that are safe to show to the user (never clinical text)."""


def _snapshot_diagnoses(note: ProgressNote, codes: list[str]) -> list[dict]:
    """The chosen codes as [{code, description}], from the client's active
    diagnoses (or ones the note already had, if a diagnosis resolved since)."""
    known = {d["code"]: d["description"] for d in note.diagnoses}
    for dx in note.client.diagnoses.filter(resolved_date__isnull=True):
        known[dx.code] = dx.description
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise NoteRefused({"diagnoses": "Choose diagnoses from the client's active diagnoses."})
    return [{"code": c, "description": known[c]} for c in dict.fromkeys(codes)]


def _apply_cpt(note: ProgressNote, fields: dict) -> None:
    """Suggest the CPT code from the session; a different code needs a reason.

    An empty ``cpt_code`` means "use the suggestion"; so does an empty reason:
    the code then follows the suggestion as times and service type change.
    """
    note.cpt_suggested = suggest_cpt(note.service_type, note.duration_minutes or 0)
    reason = (note.cpt_override_reason or "").strip()
    chosen = fields.get("cpt_code", note.cpt_code if reason else "")
    if not chosen or chosen == note.cpt_suggested:
        note.cpt_code, note.cpt_override_reason = note.cpt_suggested, ""
        return
    if not reason:
        suggestion = note.cpt_suggested or "not billable"
        raise NoteRefused(
            {
                "cpt_override_reason": "Give the reason for changing the suggested CPT code "
                f"({suggestion})."
            }
        )
    note.cpt_code, note.cpt_override_reason = chosen, reason


def _validate(note: ProgressNote) -> None:
    errors: dict[str | None, str] = {}
    for name in TEXT_FIELDS:
        value = getattr(note, name) or ""
        if len(value) > MAX_TEXT:
            errors[name] = f"Keep this under {MAX_TEXT:,} characters."
        elif "\x00" in value:
            errors[name] = "Remove the null character pasted into this field."
    bad = [i for i in note.interventions if i not in Intervention.values]
    if bad:
        errors["interventions"] = "Choose interventions from the list."
    if errors:
        raise NoteRefused(errors)
    try:
        note.full_clean(exclude=["client", "author", "appointment", "cosigner"])
    except ValidationError as exc:
        raise NoteRefused(
            {k if k != "__all__" else None: " ".join(v) for k, v in exc.message_dict.items()}
        ) from None


@transaction.atomic
def note_create(
    *,
    client: Client,
    author,
    format: str,
    service_date: date | None = None,
    start_time: time | None = None,
    end_time: time | None = None,
    service_type: str = "individual",
    appointment=None,
    request=None,
) -> ProgressNote:
    """Start a draft progress note for ``client`` (a care-team clinician only).

    The client's active primary diagnosis is pre-selected as addressed.
    """
    if not access.can_write(author, client):
        raise NoteRefused({None: "Only clinicians on this client's care team write notes."})
    if format not in NoteFormat.values:
        raise NoteRefused({"format": "Choose SOAP, DAP or BIRP."})
    note = ProgressNote(
        client=client,
        author=author,
        appointment=appointment,
        format=format,
        service_date=service_date or timezone.localdate(),
        start_time=start_time,
        end_time=end_time,
        service_type=service_type,
    )
    primary = client.diagnoses.filter(resolved_date__isnull=True, is_primary=True).first()
    if primary is not None:
        note.diagnoses = [{"code": primary.code, "description": primary.description}]
    _apply_cpt(note, {})
    _validate(note)
    note.save()
    audit.record(
        AuditAction.CREATE,
        request=request,
        user=author,
        obj=note,
        client=client,
        detail={"format": format},
    )
    return note


@transaction.atomic
def note_update(
    *,
    note: ProgressNote,
    actor,
    request=None,
    diagnosis_codes: list[str] | None = None,
    autosave: bool = False,
    **fields,
) -> list[str]:
    """Change a draft (its author only); returns the names of the fields that changed.

    Used by the editor's "Save draft" and by the autosave. Nothing is written
    (and nothing audited) when nothing changed.
    """
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    if note.author_id != actor.pk or note.is_signed:
        raise NoteRefused({None: "Only the author can change a draft."})
    # Lock the row: a sign racing this edit either waits or has already won.
    locked = (
        ProgressNote.objects.select_for_update().filter(pk=note.pk, status=NoteStatus.DRAFT).first()
    )
    if locked is None:
        raise NoteRefused({None: "This note was signed meanwhile; add an addendum instead."})
    before = locked.signed_content()
    for key, value in fields.items():
        if key == "cpt_code":
            continue
        setattr(note, key, value.replace("\r\n", "\n") if isinstance(value, str) else value)
    if "cpt_override_reason" in fields:
        note.cpt_override_reason = (fields["cpt_override_reason"] or "").strip()
    if diagnosis_codes is not None:
        note.diagnoses = _snapshot_diagnoses(note, list(diagnosis_codes))
    _apply_cpt(note, fields)
    _validate(note)
    after = note.signed_content()
    changed = sorted(k for k in after if after[k] != before.get(k))
    if not changed:
        return []
    note.save()
    audit.record(
        AuditAction.UPDATE,
        request=request,
        user=actor,
        obj=note,
        client=note.client,
        detail={"fields": changed, "autosave": autosave},
    )
    return changed


@transaction.atomic
def note_discard(*, note: ProgressNote, actor, request=None) -> None:
    """The author deletes their own unsigned draft (a signed note is never deleted)."""
    if note.author_id != actor.pk:
        raise NoteRefused({None: "Only the author can discard a draft."})
    deleted, _ = ProgressNote.objects.filter(pk=note.pk, status=NoteStatus.DRAFT).delete()
    if not deleted:
        raise NoteRefused({None: "This note is signed and cannot be discarded."})
    audit.record(
        AuditAction.DELETE_ATTEMPT,
        request=request,
        user=actor,
        obj=note,
        client=note.client,
        detail={"outcome": "deleted", "status": "draft"},
    )


@transaction.atomic
def note_sign(
    *,
    note: ProgressNote,
    actor,
    override_reason: str = "",
    request=None,
    now: datetime | None = None,
) -> ProgressNote:
    """Sign a draft: signer, credentials, time and the SHA-256 of its content.

    Runs the checks on what is stored: blocking problems (elevated risk without
    narrative and safety plan, missing times, an unexplained CPT change) refuse
    the signature; missing medical-necessity items refuse it unless
    ``override_reason`` is given, which is then recorded on the note. A
    conditional update from draft, so two clicks sign once.
    """
    if note.author_id != actor.pk:
        raise NoteRefused({None: "Only the author can sign this note."})
    now = now or timezone.now()
    # Lock the row before reading what is hashed: an autosave racing the click
    # either lands first (and is signed) or waits and is refused.
    fresh = (
        ProgressNote.objects.select_for_update(of=("self",))
        .select_related("client", "author", "appointment")
        .get(pk=note.pk)
    )
    if fresh.is_signed:
        raise NoteRefused({None: "This note is already signed."})
    blocking = necessity.blocking_problems(fresh)
    if blocking:
        raise NoteRefused(blocking)
    missing = necessity.missing_items(fresh)
    override_reason = (override_reason or "").strip()
    if missing and not override_reason:
        labels = ", ".join(m.label.lower() for m in missing)
        raise NoteRefused(
            {
                "override_reason": f"Missing for medical necessity: {labels}. Complete the "
                "note, or give the reason for signing without them."
            }
        )
    signing.sign(
        fresh,
        actor=actor,
        now=now,
        refusal=NoteRefused,
        cosign_required=bool(actor.requires_cosign),
        necessity_missing=[m.key for m in missing],
        necessity_override_reason=override_reason if missing else "",
    )
    detail = {"missing": fresh.necessity_missing, "override": bool(fresh.necessity_missing)}
    if fresh.cosign_required:
        detail["cosign_required"] = True
    audit.record(
        AuditAction.SIGN,
        request=request,
        user=actor,
        obj=fresh,
        client=fresh.client,
        detail=detail,
    )
    return ProgressNote.objects.select_related("client", "author").get(pk=note.pk)


def cosign_content(note: ProgressNote) -> dict:
    """What a co-signature covers: the author's signed hash and the co-signer."""
    return {
        "note": str(note.uuid),
        "note_hash": note.content_hash,
        "cosigner": str(note.cosigner.uuid),
        "cosigner_name": note.cosigner_name,
        "cosigner_credentials": note.cosigner_credentials,
        "cosigned_at": note.cosigned_at.astimezone(UTC).isoformat(),
    }


@transaction.atomic
def note_cosign(
    *, note: ProgressNote, actor, request=None, now: datetime | None = None
) -> ProgressNote:
    """The author's supervisor co-signs a signed note that requires it, once."""
    fresh = ProgressNote.objects.select_related("client", "author").get(pk=note.pk)
    if not access.is_cosigner_for(actor, fresh):
        if fresh.cosigned_at is not None:
            raise NoteRefused({None: "This note is already co-signed."})
        raise NoteRefused({None: "Only the author's supervisor co-signs this note."})
    fresh.cosigned_at = now or timezone.now()
    fresh.cosigner = actor
    fresh.cosigner_name = signer_name(actor)
    fresh.cosigner_credentials = actor.credentials
    fresh.cosign_hash = content_hash(cosign_content(fresh))
    updated = ProgressNote.objects.filter(
        pk=note.pk,
        status=NoteStatus.SIGNED,
        cosign_required=True,
        cosigned_at__isnull=True,
    ).update(
        cosigned_at=fresh.cosigned_at,
        cosigner=actor,
        cosigner_name=fresh.cosigner_name,
        cosigner_credentials=fresh.cosigner_credentials,
        cosign_hash=fresh.cosign_hash,
        updated_at=fresh.cosigned_at,
    )
    if updated != 1:
        raise NoteRefused({None: "This note is already co-signed."})
    audit.record(AuditAction.COSIGN, request=request, user=actor, obj=fresh, client=fresh.client)
    return ProgressNote.objects.select_related("client", "author", "cosigner").get(pk=note.pk)


@transaction.atomic
def note_addendum_add(
    *, note: ProgressNote, actor, text: str, request=None, now: datetime | None = None
) -> ProgressNoteAddendum:
    """A signed correction or addition to a signed note, by a care-team clinician."""
    if not note.is_signed:
        raise NoteRefused({None: "Addenda are added to signed notes; edit the draft instead."})
    if not access.can_write(actor, note.client):
        raise NoteRefused({None: "Only clinicians on this client's care team add addenda."})
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise NoteRefused({"text": "Write the addendum."})
    if len(text) > MAX_TEXT:
        raise NoteRefused({"text": f"Keep the addendum under {MAX_TEXT:,} characters."})
    if "\x00" in text:
        raise NoteRefused({"text": "Remove the null character pasted into the addendum."})
    return signed_addendum_add(
        ProgressNoteAddendum,
        note=note,
        actor=actor,
        text=text,
        now=now or timezone.now(),
        request=request,
    )
