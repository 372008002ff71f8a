"""Recurring appointments: RFC 5545 recurrence rules through python-dateutil.

A series stores its rule as an RRULE string ("FREQ=WEEKLY;INTERVAL=2;COUNT=10")
and its first start; this module turns that into occurrences. It knows nothing
of appointments or groups, so any schedule (individual sessions, group meeting
times) can reuse it:

    rule = build_rule(frequency=WEEKLY, count=10)
    starts = occurrences(rule, first_start)            # aware datetimes
    describe(rule)                                      # "Weekly, 10 times"

Occurrences keep the local wall-clock time of the first start across daylight
saving changes (a 10:00 session stays at 10:00), as RFC 5545 specifies for a
DTSTART with a time zone.
"""

from __future__ import annotations

from datetime import date, datetime

from dateutil import rrule as du
from django.utils import timezone

WEEKLY = "weekly"
FORTNIGHTLY = "fortnightly"
MONTHLY = "monthly"

FREQUENCY_CHOICES = [
    (WEEKLY, "Weekly"),
    (FORTNIGHTLY, "Every two weeks"),
    (MONTHLY, "Monthly (same day of the month)"),
]
_RULE_PARTS = {
    WEEKLY: "FREQ=WEEKLY;INTERVAL=1",
    FORTNIGHTLY: "FREQ=WEEKLY;INTERVAL=2",
    MONTHLY: "FREQ=MONTHLY;INTERVAL=1",
}
# No series runs on forever: a rule must end, by count or by date, within these.
MAX_OCCURRENCES = 52
MAX_SPAN_DAYS = 366


class RecurrenceError(ValueError):
    """The rule cannot be used; the message is safe to show."""


def build_rule(*, frequency: str, count: int | None = None, until: date | None = None) -> str:
    """The RRULE string for a frequency ending after ``count`` times or on ``until``."""
    if frequency not in _RULE_PARTS:
        raise RecurrenceError("Choose weekly, every two weeks or monthly.")
    if (count is None) == (until is None):
        raise RecurrenceError("End the series after a number of times or on a date.")
    if count is not None:
        if not 1 <= count <= MAX_OCCURRENCES:
            raise RecurrenceError(f"A series has between 1 and {MAX_OCCURRENCES} appointments.")
        return f"{_RULE_PARTS[frequency]};COUNT={count}"
    # UNTIL is inclusive; in local date form it covers the whole last day.
    return f"{_RULE_PARTS[frequency]};UNTIL={until:%Y%m%d}T235959"


def _parse(rule: str, first: datetime) -> du.rrule:
    if not rule or "\n" in rule or not rule.startswith("FREQ="):
        raise RecurrenceError("Not a recurrence rule.")
    local = timezone.localtime(first).replace(tzinfo=None)
    try:
        parsed = du.rrulestr(rule, dtstart=local)
    except (ValueError, TypeError) as exc:
        raise RecurrenceError("Not a recurrence rule.") from exc
    if not isinstance(parsed, du.rrule):
        raise RecurrenceError("Not a recurrence rule.")
    return parsed


def occurrences(rule: str, first: datetime, *, after: datetime | None = None) -> list[datetime]:
    """The starts of the series (aware, local wall-clock kept), at most
    MAX_OCCURRENCES and within MAX_SPAN_DAYS of the first; from ``after`` on
    (inclusive) when given."""
    parsed = _parse(rule, first)
    local_first = timezone.localtime(first).replace(tzinfo=None)
    starts: list[datetime] = []
    for local in parsed:
        if (local - local_first).days > MAX_SPAN_DAYS or len(starts) >= MAX_OCCURRENCES:
            break
        start = timezone.make_aware(local)
        if after is None or start >= after:
            starts.append(start)
    return starts


def rule_until(rule: str, first: datetime, last_kept: datetime) -> str:
    """The same rule ending at ``last_kept`` (for "this and following" changes:
    the series keeps the occurrences before the one changed)."""
    _parse(rule, first)
    parts = [p for p in rule.split(";") if not p.startswith(("COUNT=", "UNTIL="))]
    local = timezone.localtime(last_kept)
    return ";".join([*parts, f"UNTIL={local:%Y%m%dT%H%M%S}"])


def describe(rule: str) -> str:
    """'Weekly, 10 times' / 'Every two weeks until 2027-03-01' for people."""
    parts = dict(p.split("=", 1) for p in rule.split(";") if "=" in p)
    freq, interval = parts.get("FREQ"), parts.get("INTERVAL", "1")
    if freq == "WEEKLY":
        label = "Weekly" if interval == "1" else f"Every {interval} weeks".replace(
            "Every 2 weeks", "Every two weeks"
        )
    elif freq == "MONTHLY":
        label = "Monthly" if interval == "1" else f"Every {interval} months"
    else:
        label = "Repeating"
    if "COUNT" in parts:
        return f"{label}, {parts['COUNT']} times"
    if "UNTIL" in parts:
        until = parts["UNTIL"]
        return f"{label} until {until[:4]}-{until[4:6]}-{until[6:8]}"
    return label
