from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from notes.measures import services
from notes.measures.models import GivenBy


@pytest.fixture
def give(alice, client_record):
    """give("phq9", [..9 answers..], days_ago=0, who=alice, client=client_record)."""

    def _give(
        instrument, answers, *, days_ago=0, who=None, client=None, given_by=GivenBy.CLINICIAN
    ):
        return services.measure_record(
            client=client or client_record,
            instrument=instrument,
            answers=answers,
            clinician=who or alice,
            given_by=given_by,
            now=timezone.now() - timedelta(days=days_ago),
        )

    return _give


def phq9(total: int, item9: int = 0) -> list[int]:
    """Nine answers summing to ``total`` with item 9 as given."""
    answers = [0] * 8 + [item9]
    rest = total - item9
    for i in range(8):
        step = min(3, rest)
        answers[i] = step
        rest -= step
    assert rest == 0 and sum(answers) == total
    return answers


def gad7(total: int) -> list[int]:
    answers, rest = [0] * 7, total
    for i in range(7):
        answers[i] = min(3, rest)
        rest -= answers[i]
    assert rest == 0
    return answers
