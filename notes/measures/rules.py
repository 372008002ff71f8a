"""The PHQ-9 item-9 rule: a positive answer holds the next progress note.

A PHQ-9 whose item 9 ("thoughts that you would be better off dead or of
hurting yourself") is answered above 0 opens an alert for the client. The alert
stays open until a progress note for that client is signed after it. That next
note cannot be signed without a completed risk block (a C-SSRS result and a
safety plan created or reviewed) unless the clinician gives a reason: the
check adds a medical-necessity item, so the override goes through the one
existing override path and is recorded on the note (``necessity_missing``
holds ``suicide_item_alert``, ``necessity_override_reason`` the reason).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils import timezone

from notes.measures.models import InstrumentKey, MeasureResult
from notes.models import NoteStatus, ProgressNote
from notes.necessity import Item

SUICIDE_ITEM_KEY = "suicide_item_alert"


def unanswered_alerts():
    """PHQ-9 results with a positive item 9 that no progress note of the same
    client signed afterwards has answered, newest first."""
    answered = ProgressNote.objects.filter(
        client=OuterRef("client"),
        status=NoteStatus.SIGNED,
        signed_at__gte=OuterRef("completed_at"),
    )
    return (
        MeasureResult.objects.filter(instrument=InstrumentKey.PHQ9, alert=True)
        .exclude(Exists(answered))
        .order_by("-completed_at", "-id")
    )


def open_alerts(client):
    """The client's unanswered item-9 alerts, newest first (one query)."""
    return unanswered_alerts().filter(client=client)


def has_risk_block(note: ProgressNote) -> bool:
    """A C-SSRS result and a safety plan created or reviewed."""
    return bool(note.cssrs_result) and bool(note.safety_plan)


def suicide_item_check(note: ProgressNote) -> list[Item]:
    """Registered with notes.hooks: the necessity item this rule adds, if any."""
    if note.is_signed or has_risk_block(note):
        return []
    alert = open_alerts(note.client).first()
    if alert is None:
        return []
    day = timezone.localtime(alert.completed_at)
    return [
        Item(
            SUICIDE_ITEM_KEY,
            "Risk assessment after a positive PHQ-9 item 9",
            f"On {day:%Y-%m-%d} the client answered PHQ-9 item 9 (thoughts of death "
            "or self-harm) above 0: record the C-SSRS result and the safety plan in the "
            "risk block, or give the reason for signing without them.",
        )
    ]
