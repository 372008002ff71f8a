"""Running seed_demo again on a later day gives each role a day's work again."""

import io
import random

import pytest
from django.core.management import call_command
from django.utils import timezone

from clients.models import Appointment
from demo import day as day_demo
from demo import notes as notes_demo
from demo import plans as plans_demo
from demo.clients import seed as seed_clients
from demo.staff import seed_staff
from notes import services as notes
from notes.models import ProgressNote

pytestmark = pytest.mark.django_db


def _awaiting():
    return [n for n in ProgressNote.objects.filter(status="signed") if n.awaiting_cosign]


def _state(day):
    lower, upper = day_demo._day_bounds(day)
    return (
        Appointment.objects.filter(start__gte=lower, start__lt=upper).count(),
        ProgressNote.objects.count(),
    )


def test_a_later_day_gets_appointments_a_draft_and_a_note_to_cosign():
    # The demo as first seeded on an earlier day: notes, but nothing booked today.
    users = seed_staff("demo-password-for-tests")
    clients = seed_clients(users, random.Random(1))
    plans_demo.seed(users, clients, random.Random(1))  # seed_demo's order: plans first
    notes_demo.seed(users, clients, random.Random(1))
    # The supervisor co-signs the demo note; the clinician signs her draft.
    [waiting] = _awaiting()
    notes.note_cosign(note=waiting, actor=users["supervisor"])
    draft = ProgressNote.objects.get(author=users["clinician"], status="draft")
    notes.note_sign(note=draft, actor=users["clinician"])
    assert _awaiting() == []

    later, now = timezone.localdate(), timezone.now()
    assert _state(later)[0] == 0
    day_demo.seed_day(users, clients, today=later, now=now)

    lower, upper = day_demo._day_bounds(later)
    todays = Appointment.objects.filter(start__gte=lower, start__lt=upper)
    assert set(todays.values_list("clinician__username", flat=True)) == {
        "clinician",
        "clinician2",
    }
    [again] = _awaiting()
    assert again.author.username == "clinician2" and again.hash_matches()
    assert ProgressNote.objects.filter(author=users["clinician"], status="draft").count() == 1

    state = _state(later)
    day_demo.seed_day(users, clients, today=later, now=now)
    assert _state(later) == state


def test_seed_demo_twice_adds_nothing_for_today(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-for-tests")
    call_command("seed_demo", stdout=io.StringIO())
    today = timezone.localdate()
    state = _state(today)
    assert state[0] > 0 and len(_awaiting()) == 1
    call_command("seed_demo", stdout=io.StringIO())
    assert _state(today) == state
