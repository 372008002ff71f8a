"""The recurrence module: RFC 5545 rules through python-dateutil."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from clients.schedule import recurrence


def _local(y, m, d, h=10, minute=0):
    return timezone.make_aware(datetime(y, m, d, h, minute))


def test_weekly_ten_times():
    rule = recurrence.build_rule(frequency=recurrence.WEEKLY, count=10)
    assert rule == "FREQ=WEEKLY;INTERVAL=1;COUNT=10"
    starts = recurrence.occurrences(rule, _local(2027, 1, 4))
    assert len(starts) == 10
    assert all(b - a == timedelta(days=7) for a, b in zip(starts, starts[1:], strict=False))
    assert recurrence.describe(rule) == "Weekly, 10 times"


def test_fortnightly_until_a_date_includes_that_day():
    rule = recurrence.build_rule(frequency=recurrence.FORTNIGHTLY, until=date(2027, 2, 15))
    starts = recurrence.occurrences(rule, _local(2027, 1, 4))
    assert [timezone.localdate(s) for s in starts] == [
        date(2027, 1, 4), date(2027, 1, 18), date(2027, 2, 1), date(2027, 2, 15)
    ]
    assert recurrence.describe(rule) == "Every two weeks until 2027-02-15"


def test_monthly_keeps_the_day_of_the_month():
    rule = recurrence.build_rule(frequency=recurrence.MONTHLY, count=3)
    starts = recurrence.occurrences(rule, _local(2027, 1, 15))
    assert [timezone.localdate(s).day for s in starts] == [15, 15, 15]


def test_wall_clock_time_is_kept_across_daylight_saving(settings):
    # America/New_York changes on 2027-03-14: a 10:00 session stays at 10:00.
    rule = recurrence.build_rule(frequency=recurrence.WEEKLY, count=3)
    starts = recurrence.occurrences(rule, _local(2027, 3, 7))
    assert [timezone.localtime(s).hour for s in starts] == [10, 10, 10]
    elapsed = starts[1].astimezone(UTC) - starts[0].astimezone(UTC)
    assert elapsed == timedelta(days=7, hours=-1)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"frequency": "daily", "count": 3},
        {"frequency": "weekly"},
        {"frequency": "weekly", "count": 3, "until": date(2027, 1, 1)},
        {"frequency": "weekly", "count": 0},
        {"frequency": "weekly", "count": 53},
    ],
)
def test_bad_rules_are_refused_with_a_message(kwargs):
    with pytest.raises(recurrence.RecurrenceError):
        recurrence.build_rule(**kwargs)


def test_a_stored_rule_that_is_not_a_rule_is_refused():
    with pytest.raises(recurrence.RecurrenceError):
        recurrence.occurrences("DTSTART:2020\nRRULE:FREQ=DAILY", _local(2027, 1, 4))


def test_a_long_until_is_capped():
    rule = recurrence.build_rule(frequency=recurrence.WEEKLY, until=date(2035, 1, 1))
    assert len(recurrence.occurrences(rule, _local(2027, 1, 4))) == recurrence.MAX_OCCURRENCES


def test_rule_until_ends_the_series_before_a_date():
    first = _local(2027, 1, 4)
    rule = recurrence.build_rule(frequency=recurrence.WEEKLY, count=10)
    cut = recurrence.rule_until(rule, first, _local(2027, 1, 25))
    assert len(recurrence.occurrences(cut, first)) == 4
