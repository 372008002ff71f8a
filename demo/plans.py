"""Demo treatment plans: a signed plan for every client with a primary clinician
and a diagnosis, signed before the demo's first sessions (so their notes
answer to it), co-signed where the author is pre-licensed. A plan whose review
is due within a week is reviewed again (a signed revision), so the demo's
notes keep passing the necessity check on later runs. Runs before demo.notes.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from clients.models import CareTeamRole
from notes.plans import services
from notes.plans.models import PlanStatus, TreatmentPlan
from notes.plans.selectors import active_plan

# (goal, objective, modality, frequency) by diagnosis family (first letters of the code).
GOALS = {
    "F41": ("Worry no longer keeps the client from work", "Use worry time on five days a week"),
    "F40": ("Take the bus and shop without avoiding", "Complete the first four exposure steps"),
    "F42": ("Rituals take under 30 minutes a day", "Resist one ritual a day with ERP"),
    "F32": ("Mood 6 of 10 or better most days", "Two planned activities each week"),
    "F33": ("Mood 6 of 10 or better most days", "Two planned activities each week"),
    "F34": ("Mood 6 of 10 or better most days", "Two planned activities each week"),
    "F43": ("Sleep through most nights, fewer intrusive memories", "Grounding practice daily"),
    "F90": ("Hand in schoolwork on time", "Use a planner every school day"),
}
SECOND_GOAL = ("Sleep 7 hours on five nights a week", "Keep a sleep diary every night")
PLAN_AGE_DAYS = 75


def _write(client, author, dx, *, signed_at):
    today = timezone.localdate()
    goal_text, objective_text = GOALS.get(dx.code[:3], SECOND_GOAL)
    plan = services.plan_start(client=client, actor=author, today=timezone.localdate(signed_at))
    if not plan.problems:
        problem = services.plan_problem_add(
            plan=plan,
            actor=author,
            diagnosis_code=dx.code,
            statement=f"Symptoms of {dx.description.lower()} get in the way of daily life.",
        )
        for number, (goal, objective) in enumerate(((goal_text, objective_text), SECOND_GOAL)):
            added = services.plan_goal_add(
                plan=plan, actor=author, problem_key=problem["key"], text=goal
            )
            services.plan_objective_add(
                plan=plan,
                actor=author,
                goal_key=added["key"],
                text=objective,
                target_date=today + timedelta(days=30 * (number + 1)),
            )
        services.plan_intervention_add(
            plan=plan,
            actor=author,
            problem_key=problem["key"],
            modality="cbt",
            frequency="Weekly, 53 minutes",
        )
    services.plan_update(
        plan=plan,
        actor=author,
        review_due=timezone.localdate(signed_at) + timedelta(days=90),
        agreed_by=f"{client.display_name} (client)",
        agreed_on=timezone.localdate(signed_at),
        agreement_method="in_person",
    )
    plan = services.plan_sign(plan=plan, actor=author, now=signed_at)
    if plan.cosign_required and author.supervisor is not None:
        services.plan_cosign(
            plan=plan, actor=author.supervisor, now=signed_at + timedelta(hours=20)
        )
    return plan


def seed(users: dict, clients: list, rng: random.Random) -> None:
    now = timezone.now()
    today = timezone.localdate()
    for client in clients:
        member = client.care_team.filter(role=CareTeamRole.PRIMARY).first()
        dx = client.diagnoses.filter(resolved_date__isnull=True).order_by("-is_primary").first()
        if member is None or dx is None:
            continue
        author = member.clinician
        if not TreatmentPlan.objects.filter(client=client).exists():
            _write(client, author, dx, signed_at=now - timedelta(days=PLAN_AGE_DAYS))
            continue
        current = active_plan(client)
        open_draft = TreatmentPlan.objects.filter(client=client, status=PlanStatus.DRAFT).exists()
        if current and not open_draft and current.review_due <= today + timedelta(days=7):
            _write(client, author, dx, signed_at=now - timedelta(hours=1))
