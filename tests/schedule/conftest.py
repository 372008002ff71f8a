from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone


@pytest.fixture
def next_monday_10():
    """Next week's Monday at 10:00 local."""
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())
    return timezone.make_aware(
        timezone.datetime.combine(monday, timezone.datetime.min.time()).replace(hour=10)
    )
