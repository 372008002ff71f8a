"""What the treatment plan adds to the medical-necessity check at signing
(registered with ``notes.hooks`` by ``PlansConfig.ready()``)."""

from __future__ import annotations

from clients.models import ServiceType
from notes.models import ProgressNote
from notes.necessity import Item
from notes.plans.models import GoalProgress
from notes.plans.selectors import plan_in_effect_on

ITEMS = {
    "treatment_plan": Item(
        "treatment_plan",
        "An active treatment plan",
        "Write and sign the client's treatment plan (problems, goals, objectives and "
        "interventions) so the sessions answer to it.",
    ),
    "plan_review": Item(
        "plan_review",
        "A current treatment-plan review",
        "The plan's review date has passed: review the plan with the client and sign a revision.",
    ),
    "goal_ratings": Item(
        "goal_ratings",
        "Progress on the goals addressed",
        "Rate the progress (improved, unchanged or worsened) on each treatment-plan goal "
        "this session addressed.",
    ),
}


def plan_necessity(note: ProgressNote) -> list[Item]:
    """A plan in effect on the session date, not overdue for review, and a
    rating on each goal the note says it addressed. An intake (the diagnostic
    evaluation the plan is built on) needs no plan yet."""
    if note.service_type == ServiceType.INTAKE:
        return []
    plan = plan_in_effect_on(note.client, note.service_date)
    if plan is None:
        return [ITEMS["treatment_plan"]]
    missing = []
    if plan.review_overdue(note.service_date):
        missing.append(ITEMS["plan_review"])
    if GoalProgress.objects.filter(note=note, rating="").exists():
        missing.append(ITEMS["goal_ratings"])
    return missing
