"""Reads of progress notes that are more than a filter: the chart list and the dashboard."""

from __future__ import annotations

from datetime import timedelta

from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from clients.models import Appointment, AppointmentStatus
from notes import access
from notes.models import NoteStatus, ProgressNote, ProgressNoteAddendum
from practice.dates import day_bounds

PAGE_SIZE = 20
STALE_DRAFT_AGE = timedelta(hours=24)


def chart_notes(user, client) -> QuerySet[ProgressNote]:
    """The client's notes the user may list, newest first, with what a row shows.

    One query for the page whatever the number of notes: the author comes with
    a join and the addenda as a correlated count (for the "amended" status),
    computed for the page's rows only: a ``Count`` join grouped all of a
    650-note chart's rows before the page was cut (issue 18), and the
    paginator's ``count()`` leaves an unused subquery out.
    """
    addenda = (
        ProgressNoteAddendum.objects.filter(note=OuterRef("pk"))
        .order_by()
        .values("note")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        access.notes_visible_to(user, client)
        .select_related("author")
        .annotate(addenda_count=Coalesce(Subquery(addenda), 0))
        .order_by("-service_date", "-start_time", "-id")
    )


def chart_page(user, client, page_number):
    """One page of the chart's list; each note carries its ``status_label``."""
    page = Paginator(chart_notes(user, client), PAGE_SIZE).get_page(page_number)
    page.object_list = list(page.object_list)
    for note in page.object_list:
        note.status_label = note.display_status(note.addenda_count)
    return page


def session_to_document(client, author, day):
    """The author's appointment with the client on ``day`` that has started and
    has no progress note yet (the session a new note most likely documents)."""
    start, _ = day_bounds(day)
    return (
        Appointment.objects.filter(
            client=client,
            clinician=author,
            start__gte=start,
            start__lt=start + timedelta(days=1),
            start__lte=timezone.now(),
            status__in=[AppointmentStatus.SCHEDULED, AppointmentStatus.COMPLETED],
            progress_note__isnull=True,
        )
        .order_by("-start")
        .first()
    )


def stale_drafts_for(user, *, now=None) -> QuerySet[ProgressNote]:
    """The user's own drafts started more than 24 hours ago, oldest first."""
    now = now or timezone.now()
    return (
        ProgressNote.objects.filter(
            author=user, status=NoteStatus.DRAFT, created_at__lt=now - STALE_DRAFT_AGE
        )
        .select_related("client")
        .order_by("created_at")
    )


def dashboard_for(user, *, limit: int | None = 10) -> dict:
    """What the caseload page shows about notes: stale drafts and co-signatures due."""
    drafts = stale_drafts_for(user)
    cosign = access.awaiting_cosign_for(user).select_related("client", "author")
    cosign = cosign.order_by("signed_at")
    if limit is not None:
        drafts, cosign = drafts[: limit + 1], cosign[: limit + 1]
    draft_list, cosign_list = list(drafts), list(cosign)
    more = limit is not None and (len(draft_list) > limit or len(cosign_list) > limit)
    if limit is not None:
        draft_list, cosign_list = draft_list[:limit], cosign_list[:limit]
    return {"drafts": draft_list, "cosign": cosign_list, "more": more}
