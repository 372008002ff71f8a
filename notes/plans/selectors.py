"""Reads of treatment plans that are more than a filter: the plan in effect,
goal histories, and the reviews due on a caseload."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from notes.models import Intervention
from notes.plans.models import GoalProgress, PlanStatus, TreatmentPlan

IN_EFFECT = Q(status=PlanStatus.SIGNED) & (Q(cosign_required=False) | Q(cosigned_at__isnull=False))


def plans_in_effect() -> QuerySet[TreatmentPlan]:
    return TreatmentPlan.objects.filter(IN_EFFECT)


def active_plan(client) -> TreatmentPlan | None:
    """The client's plan in effect: the latest signed (and, where required,
    co-signed) version."""
    return plans_in_effect().filter(client=client).order_by("-version").first()


def plan_in_effect_on(client, day: date) -> TreatmentPlan | None:
    """The version in effect on ``day``: the latest one signed on or before it
    (co-signed where required, by now)."""
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    return plans_in_effect().filter(client=client, signed_at__lt=end).order_by("-version").first()


def goal_histories(client, goal_keys) -> dict[str, list[GoalProgress]]:
    """Each goal's ratings from the client's signed notes, oldest first (one query)."""
    rows = (
        GoalProgress.objects.filter(
            note__client=client, note__status="signed", goal_key__in=list(goal_keys)
        )
        .select_related("note")
        .order_by("note__service_date", "note__start_time", "id")
    )
    histories: dict[str, list[GoalProgress]] = defaultdict(list)
    for row in rows:
        histories[row.goal_key].append(row)
    return dict(histories)


def with_review_due(clients: QuerySet, *, today: date | None = None) -> QuerySet:
    """Annotate clients with ``plan_review_due`` (of their plan in effect, or None)."""
    latest = plans_in_effect().filter(client=OuterRef("pk")).order_by("-version")
    return clients.annotate(plan_review_due=Subquery(latest.values("review_due")[:1]))


def overdue_reviews(clients: QuerySet, *, today: date | None = None) -> QuerySet:
    """Those of ``clients`` whose plan in effect is past its review date, most overdue first."""
    today = today or timezone.localdate()
    return (
        with_review_due(clients)
        .filter(plan_review_due__lt=today)
        .order_by("plan_review_due", "legal_last_name", "id")
    )


def plans_for_export(client, start: date, end: date) -> list[TreatmentPlan]:
    """The chart export's plans: every version signed by the end of the period,
    newest first, each problem's interventions labelled and, on the goals,
    their session ratings from signed notes in the period (two queries)."""
    upper = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
    plans = list(
        TreatmentPlan.objects.filter(client=client, status=PlanStatus.SIGNED, signed_at__lt=upper)
        .select_related("client", "author", "cosigner")
        .order_by("-version")
    )
    if not plans:
        return []
    ratings: dict[str, list[GoalProgress]] = defaultdict(list)
    rows = (
        GoalProgress.objects.filter(
            note__client=client,
            note__status="signed",
            note__service_date__gte=start,
            note__service_date__lte=end,
        )
        .select_related("note")
        .order_by("note__service_date", "note__start_time", "id")
    )
    for row in rows:
        ratings[row.goal_key].append(row)
    modalities = dict(Intervention.choices)
    for plan in plans:
        # Display copies: the plan's own problems stay as they were signed (and hashed).
        plan.display_problems = [
            {
                **problem,
                "interventions": [
                    {**i, "label": modalities.get(i["modality"], i["modality"])}
                    for i in problem["interventions"]
                ],
                "goals": [{**g, "ratings": ratings.get(g["key"], [])} for g in problem["goals"]],
            }
            for problem in plan.problems
        ]
    return plans
