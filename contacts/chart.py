"""The contact log on the client's chart, with minute totals for a period."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Q, Sum
from django.utils import timezone

from contacts import access
from contacts.forms import PeriodForm
from contacts.models import NoteStatus
from practice.dates import day_bounds
from practice.querystrings import BadQuery

DEFAULT_DAYS = 30
PAGE_SIZE = 25


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
    lower, upper = day_bounds(start, end)
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
    lower, upper = day_bounds(start, end)
    notes = visible.filter(contact_at__gte=lower, contact_at__lt=upper).select_related("author")
    page = Paginator(notes, PAGE_SIZE).get_page(request.GET.get("contacts_page"))
    rows = [(n, access.shows_summary(user, n, level)) for n in page.object_list]
    # Step through time a period at a time, and through a busy period a page at a time.
    span = end - start + timedelta(days=1)
    today = timezone.localdate()

    def link(a, b, page_number=None) -> str:
        query = {"contacts_from": a.isoformat(), "contacts_to": b.isoformat()}
        if page_number:
            query["contacts_page"] = page_number
        return "?" + urlencode(query) + "#contact-log"

    return {
        "template": "contacts/_chart_section.html",
        "rows": rows,
        "page": page,
        "earlier_url": link(start - span, start - timedelta(days=1)),
        "later_url": link(end + timedelta(days=1), end + span) if end < today else "",
        "prev_page_url": link(start, end, page.previous_page_number())
        if page.has_previous()
        else "",
        "next_page_url": link(start, end, page.next_page_number()) if page.has_next() else "",
        "level": level,
        "totals": minute_totals(visible, start, end),
        "period_start": start,
        "period_end": end,
        "period_form": form,
        "can_write": access.can_write_any(user, client),
        "is_billing": level == access.BILLING,
    }
