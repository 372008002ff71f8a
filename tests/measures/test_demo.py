import io

import pytest
from django.core.management import call_command

from notes.measures import selectors
from notes.measures.models import MeasureResult
from practice.models import User

pytestmark = pytest.mark.django_db


def test_demo_measures_are_seeded_once_with_a_due_repeat_and_an_open_alert(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-for-tests")
    call_command("seed_demo", stdout=io.StringIO())
    clinician = User.objects.get(username="clinician")
    assert MeasureResult.objects.filter(instrument="phq9").count() >= 4
    assert [d.instrument_name for d in selectors.due_for(clinician)] == ["GAD-7"]
    assert len(selectors.alerts_for(clinician)) == 1
    count = MeasureResult.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert MeasureResult.objects.count() == count
