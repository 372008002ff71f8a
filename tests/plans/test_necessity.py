"""The necessity check at signing counts a missing plan in effect and an
overdue review as findings; signing anyway records the override."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notes import necessity
from notes import services as note_services
from notes.hooks import necessity_checks, register_necessity_check
from notes.plans import checks
from notes.plans.models import GoalProgress
from tests.factories import ProgressNoteFactory
from tests.plans.conftest import write_plan

pytestmark = pytest.mark.django_db


def _keys(note):
    return [m.key for m in necessity.missing_items(note)]


def test_the_plan_check_is_registered_once():
    assert necessity_checks().count(checks.plan_necessity) == 1
    register_necessity_check(checks.plan_necessity)
    assert necessity_checks().count(checks.plan_necessity) == 1


def test_no_plan_in_effect_is_a_finding_and_signing_anyway_records_the_reason(client_record, alice):
    note = ProgressNoteFactory(client=client_record, author=alice)
    assert _keys(note) == ["treatment_plan"]
    with pytest.raises(note_services.NoteRefused) as exc:
        note_services.note_sign(note=note, actor=alice)
    assert "an active treatment plan" in exc.value.errors["override_reason"]
    signed = note_services.note_sign(
        note=note, actor=alice, override_reason="Plan is being written with the client."
    )
    assert signed.necessity_missing == ["treatment_plan"]
    assert signed.necessity_override_reason == "Plan is being written with the client."
    assert signed.hash_matches()


def test_a_draft_or_an_uncosigned_plan_is_not_in_effect(client_record, alice):
    write_plan(client_record, alice, sign=False)
    note = ProgressNoteFactory(client=client_record, author=alice)
    assert "treatment_plan" in _keys(note)


def test_a_plan_signed_after_the_session_does_not_cover_it(client_record, alice):
    write_plan(client_record, alice)  # signed today
    note = ProgressNoteFactory(
        client=client_record, author=alice, service_date=timezone.localdate() - timedelta(days=3)
    )
    assert "treatment_plan" in _keys(note)
    today = ProgressNoteFactory(
        client=client_record, author=alice, service_date=timezone.localdate()
    )
    assert _keys(today) == []


def test_an_intake_needs_no_plan(client_record, alice):
    note = ProgressNoteFactory(client=client_record, author=alice, service_type="intake")
    assert "treatment_plan" not in _keys(note)


def test_an_overdue_review_is_a_finding(client_record, alice):
    write_plan(
        client_record,
        alice,
        now=timezone.now() - timedelta(days=120),
        review_due=timezone.localdate() - timedelta(days=30),
    )
    note = ProgressNoteFactory(client=client_record, author=alice)
    assert _keys(note) == ["plan_review"]
    signed = note_services.note_sign(note=note, actor=alice, override_reason="Review booked.")
    assert signed.necessity_missing == ["plan_review"]
    # A session before the review date was covered.
    early = ProgressNoteFactory(
        client=client_record, author=alice, service_date=timezone.localdate() - timedelta(days=40)
    )
    assert _keys(early) == []


def test_a_goal_addressed_without_a_rating_is_a_finding(signed_plan, client_record, alice):
    note = ProgressNoteFactory(client=client_record, author=alice)
    GoalProgress.objects.create(
        note=note,
        plan=signed_plan,
        goal_key=signed_plan.goals()[0]["key"],
        goal_text="Sleep 7 hours",
    )
    assert _keys(note) == ["goal_ratings"]
