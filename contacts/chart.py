"""The contact log on the client's chart, with minute totals for a period."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db.models import Q, Sum
from django.utils import timezone

from contacts import access
from contacts.forms import PeriodForm
from contacts.models import NoteStatus
from practice.querystrings import BadQuery

DEFAULT_DAYS = 30


def period_from(params) -> tuple:
    """(from, to, form) from GET; defaults to the last 30 days, swapped if reversed."""
    today = timezone.localdate()
    form = PeriodForm(params)
    start, end = today - timedelta(days=DEFAULT_DAYS), today
    if not form.is_valid():
        # A period the chart cannot show (9999-12-31, "yesterday") is a 400.
        field, errors = next(iter(form.errors.items()))
        raise BadQuery(f"Contact log period, “{form.fields[field].label}”: {errors[0]}")
    start = form.cleaned_data["contacts_from"] or start
    end = form.cleaned_data["contacts_to"] or end
    if start > end:
        start, end = end, start
    return start, end, form


def minute_totals(notes, start, end) -> dict:
    """Billable and non-billable minutes of signed notes in [start, end], summed in the database."""
    lower = timezone.make_aware(datetime.combine(start, time.min))
    upper = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
    totals = notes.filter(
        status=NoteStatus.SIGNED, contact_at__gte=lower, contact_at__lt=upper
    ).aggregate(
        billable_minutes=Sum("minutes", filter=Q(billable=True)),
        non_billable_minutes=Sum("minutes", filter=Q(billable=False)),
    )
    return {
        "billable": totals["billable_minutes"] or 0,
        "non_billable": totals["non_billable_minutes"] or 0,
    }


def contact_log_section(request, client):
    user = request.user
    level = access.read_level(user, client)
    if level is None:
        return None
    start, end, form = period_from(request.GET)
    visible = access.notes_visible_to(user, client)
    lower = timezone.make_aware(datetime.combine(start, time.min))
    upper = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
    notes = visible.filter(contact_at__gte=lower, contact_at__lt=upper).select_related("author")
    rows = [(n, access.shows_summary(user, n, level)) for n in notes[:200]]
    return {
        "template": "contacts/_chart_section.html",
        "rows": rows,
        "level": level,
        "totals": minute_totals(visible, start, end),
        "period_start": start,
        "period_end": end,
        "period_form": form,
        "can_write": access.can_write_any(user, client),
        "is_billing": level == access.BILLING,
    }
