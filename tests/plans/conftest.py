"""Treatment plans for tests, written and signed through the services as a clinician would."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from clients import services as client_services
from clients.models import CareTeamRole
from notes.plans import services
from tests.factories import ClientFactory, DiagnosisFactory


def write_plan(
    client,
    author,
    *,
    goals=("Sleep 7 hours on 5 nights a week",),
    sign=True,
    now=None,
    review_due=None,
):
    """A plan (or revision) with one problem on the client's first active diagnosis,
    the given goals each with one objective, one intervention and the client's agreement."""
    plan = services.plan_start(client=client, actor=author)
    if not plan.problems:
        dx = client.diagnoses.filter(resolved_date__isnull=True).first()
        problem = services.plan_problem_add(
            plan=plan,
            actor=author,
            diagnosis_code=dx.code,
            statement="Worry keeps the client awake and away from work.",
        )
        for text in goals:
            goal = services.plan_goal_add(
                plan=plan, actor=author, problem_key=problem["key"], text=text
            )
            services.plan_objective_add(
                plan=plan,
                actor=author,
                goal_key=goal["key"],
                text="Keep a sleep diary every night",
                target_date=timezone.localdate() + timedelta(days=30),
            )
        services.plan_intervention_add(
            plan=plan,
            actor=author,
            problem_key=problem["key"],
            modality="cbt",
            frequency="Weekly, 50 minutes",
        )
    services.plan_update(
        plan=plan,
        actor=author,
        review_due=review_due or plan.review_due,
        agreed_by="The client",
        agreed_on=timezone.localdate(),
        agreement_method="in_person",
    )
    if sign:
        plan = services.plan_sign(plan=plan, actor=author, now=now)
    else:
        plan.refresh_from_db()
    return plan


@pytest.fixture
def client_record(db, alice, ada):
    """Here: a client on Alice's caseload with a covered diagnosis and no plan yet."""
    record = ClientFactory(legal_first_name="Casey", legal_last_name="Zebulon")
    client_services.care_team_add(
        client=record, clinician=alice, actor=ada, role=CareTeamRole.PRIMARY
    )
    DiagnosisFactory(client=record)
    return record


@pytest.fixture
def signed_plan(client_record, alice):
    """Signed ten days ago, so it is in effect for the factories' notes (yesterday's sessions)."""
    return write_plan(
        client_record,
        alice,
        goals=("Sleep 7 hours", "Return to work full time"),
        now=timezone.now() - timedelta(days=10),
    )
