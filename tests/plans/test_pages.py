"""The plan pages: who sees what, bad input, the chart section, the caseload,
and a constant number of queries on the chart whatever the number of versions."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notes.measures import services as measure_services
from notes.measures.models import GivenBy
from notes.plans import services
from notes.plans.models import TreatmentPlan
from practice.models import AuditEvent
from tests.plans.conftest import write_plan

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["fran", "bill", "ada"])
def test_the_desk_billers_and_admins_never_see_a_plan_and_the_refusal_is_audited(
    role, signed_plan, client_record, people, login
):
    http = login(people[role])
    for url in (f"/plans/client/{client_record.uuid}/", f"/plans/{signed_plan.uuid}/"):
        response = http.get(url)
        assert response.status_code == 403
        assert "Sleep 7 hours" not in response.content.decode()
    assert (
        AuditEvent.objects.filter(
            action="access_denied", user=people[role], object_type="plans.treatmentplan"
        ).count()
        == 2
    )
    # The chart opens for them, without the plan.
    chart = http.get(f"/clients/{client_record.uuid}/").content.decode()
    assert 'id="treatment-plan"' not in chart and "Sleep 7 hours" not in chart


@pytest.mark.parametrize("role", ["bob", "sue", "root"])
def test_outsiders_get_a_404(role, signed_plan, client_record, people, login):
    http = login(people[role])
    assert http.get(f"/plans/{signed_plan.uuid}/").status_code == 404
    assert http.get(f"/plans/client/{client_record.uuid}/").status_code == 404


def test_the_auditor_reads_signed_versions_but_writes_nothing(
    signed_plan, client_record, audrey, login
):
    http = login(audrey)
    page = http.get(f"/plans/client/{client_record.uuid}/").content.decode()
    assert "Sleep 7 hours" in page and "Review and revise" not in page
    assert http.post(f"/plans/client/{client_record.uuid}/start/").status_code == 403
    assert AuditEvent.objects.filter(
        action="view", user=audrey, object_id=str(signed_plan.uuid)
    ).exists()


def test_a_draft_is_its_authors_alone(signed_plan, client_record, alice, audrey, login):
    draft = services.plan_start(client=client_record, actor=alice)
    assert login(audrey).get(f"/plans/{draft.uuid}/edit/").status_code == 404
    assert login(audrey).get(f"/plans/{draft.uuid}/").status_code == 404
    page = login(audrey).get(f"/plans/client/{client_record.uuid}/").content.decode()
    assert "Version 2" not in page


def test_the_editor_refuses_bad_input_with_a_message_and_keeps_what_was_typed(
    client_record, alice, login
):
    http = login(alice)
    response = http.post(f"/plans/client/{client_record.uuid}/start/")
    edit_url = response["Location"]
    plan = TreatmentPlan.objects.get(client=client_record)
    # A problem on a diagnosis the client does not have.
    response = http.post(
        edit_url,
        {
            "action": "add_problem",
            "add_problem-diagnosis": "F99",
            "add_problem-statement": "Typed problem statement",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Typed problem statement" in page and "Select a valid choice" in page
    response = http.post(
        edit_url,
        {
            "action": "add_problem",
            "add_problem-diagnosis": "F41.1",
            "add_problem-statement": "Worry most days",
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    problem = plan.problems[0]
    # An objective dated in the past, under a goal.
    goal = services.plan_goal_add(
        plan=plan, actor=alice, problem_key=problem["key"], text="Worry less"
    )
    prefix = f"add_objective-{goal['key'][:8]}"
    response = http.post(
        edit_url,
        {
            "action": "add_objective",
            "target": goal["key"],
            f"{prefix}-text": "Typed objective",
            f"{prefix}-target_date": (timezone.localdate() - timedelta(days=2)).isoformat(),
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The target date cannot be in the past." in page and "Typed objective" in page
    # Items that do not exist, and unknown actions, never give a 500.
    response = http.post(edit_url, {"action": "remove", "target": "not-a-key"})
    assert response.status_code == 400
    assert http.post(edit_url, {"action": "drop_table"}).status_code == 302
    response = http.post(
        edit_url, {"action": "header", "header-review_due": "not a date", "header-agreed_by": "x"}
    )
    assert response.status_code == 400 and "Enter a valid date." in response.content.decode()


def test_the_sign_page_lists_what_is_missing_and_signs_when_complete(client_record, alice, login):
    plan = write_plan(client_record, alice, sign=False)
    http = login(alice)
    services.plan_update(plan=plan, actor=alice, review_due=plan.review_due)  # agreement unset
    page = http.get(f"/plans/{plan.uuid}/sign/").content.decode()
    assert "Record the client&#x27;s agreement" in page and "Sign the plan" not in page
    assert http.post(f"/plans/{plan.uuid}/sign/").status_code == 400
    write_plan(client_record, alice, sign=False)  # records the agreement on the same draft
    response = http.post(f"/plans/{plan.uuid}/sign/")
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.is_signed


def test_the_caseload_lists_overdue_reviews(client_record, alice, login):
    write_plan(
        client_record,
        alice,
        now=timezone.now() - timedelta(days=120),
        review_due=timezone.localdate() - timedelta(days=30),
    )
    page = login(alice).get("/clients/caseload/").content.decode()
    assert "Treatment-plan reviews overdue" in page and "Casey Zebulon" in page
    chart = login(alice).get(f"/clients/{client_record.uuid}/").content.decode()
    assert "Review overdue" in chart


def test_the_chart_runs_the_same_queries_for_one_plan_version_as_for_five(
    client_record, alice, login
):
    http = login(alice)
    url = f"/clients/{client_record.uuid}/"
    write_plan(client_record, alice, now=timezone.now() - timedelta(days=50))

    def count() -> int:
        http.get(url)
        with CaptureQueriesContext(connection) as ctx:
            response = http.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    with_one = count()
    for days in (40, 30, 20, 10):
        write_plan(client_record, alice, now=timezone.now() - timedelta(days=days))
    assert TreatmentPlan.objects.filter(client=client_record).count() == 5
    assert count() == with_one
    page = http.get(url).content.decode()
    assert "version 5" in page and "5 signed versions" in page


def test_the_plan_page_shows_the_measure_trends_and_audits_them(
    signed_plan, client_record, alice, login
):
    for days_ago, answers in ((28, [2, 2, 2, 2, 2, 2, 2, 2, 0]), (0, [1] * 8 + [0])):
        measure_services.measure_record(
            client=client_record,
            instrument="phq9",
            answers=answers,
            clinician=alice,
            given_by=GivenBy.CLINICIAN,
            now=timezone.now() - timedelta(days=days_ago),
        )
    page = login(alice).get(f"/plans/client/{client_record.uuid}/").content.decode()
    assert "Measures" in page and "PHQ-9" in page and "<svg" in page
    assert AuditEvent.objects.filter(
        user=alice, object_type="measures.measureresult", detail__trends=True
    ).exists()


def test_the_chart_runs_the_same_queries_with_50_measures_and_5_plan_versions(
    client_record, alice, login
):
    """Issue 15's "done means": both halves together, a constant number of queries."""
    http = login(alice)
    url = f"/clients/{client_record.uuid}/"

    def count() -> int:
        http.get(url)
        with CaptureQueriesContext(connection) as ctx:
            response = http.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    def give(n: int, start: int) -> None:
        for i in range(start, start + n):
            measure_services.measure_record(
                client=client_record,
                instrument="phq9",
                answers=[1] * 8 + [0],
                clinician=alice,
                given_by=GivenBy.CLINICIAN,
                now=timezone.now() - timedelta(days=60 - i),
            )

    write_plan(client_record, alice, now=timezone.now() - timedelta(days=50))
    give(2, 0)
    small = count()
    for days in (40, 30, 20, 10):
        write_plan(client_record, alice, now=timezone.now() - timedelta(days=days))
    give(48, 2)
    assert count() == small
    page = http.get(url).content.decode()
    assert "5 signed versions" in page and page.count("<circle") == 50
