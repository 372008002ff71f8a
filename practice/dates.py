"""Days as the practice sees them (its TIME_ZONE)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone


def day_bounds(start: date, end: date | None = None) -> tuple[datetime, datetime]:
    """Aware datetimes ``[lower, upper)`` covering the days ``start`` to ``end``
    (inclusive; one day when ``end`` is None) in the current time zone.

    ``upper`` is the midnight after ``end``, built from the calendar (not
    ``lower + 24 h``), so a day with a daylight-saving change is still one day.
    """
    end = start if end is None else end
    lower = timezone.make_aware(datetime.combine(start, time.min))
    upper = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
    return lower, upper
