"""Writes to treatment plans: start (or revise), edit the draft, sign, co-sign;
and the progress a note records on the plan's goals."""

from __future__ import annotations

import copy
import uuid
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from clients.models import Client
from notes.models import Intervention, ProgressNote
from notes.plans import access
from notes.plans.models import AgreementMethod, GoalProgress, PlanStatus, Rating, TreatmentPlan
from notes.services import NoteRefused
from practice import audit
from practice.models import AuditAction, PracticeSettings
from practice.refusals import Refused
from practice.signing import content_hash, sign, signer_name

MAX_STATEMENT = 1000
MAX_TEXT = 500
MAX_FREQUENCY = 100
MAX_PROGRESS_TEXT = 300
# A plan a person can read in one sitting; also bounds what one request can add.
MAX_ITEMS = 25


class PlanRefused(Refused):
    """A treatment-plan rule refused the change (messages safe to show, never clinical text)."""


def _clean_text(value: str, *, field: str, limit: int, what: str) -> str:
    text = " ".join((value or "").split())  # one line: plans are read as lists
    if not text:
        raise PlanRefused({field: f"Write the {what}."})
    if len(text) > limit:
        raise PlanRefused({field: f"Keep the {what} under {limit:,} characters."})
    if "\x00" in text:
        raise PlanRefused({field: "Remove the null character pasted into this field."})
    return text


def _key() -> str:
    return str(uuid.uuid4())


def _locked_draft(plan: TreatmentPlan, actor) -> TreatmentPlan:
    """The draft, locked for this change, if ``actor`` is its author and may still write."""
    if plan.author_id != actor.pk:
        raise PlanRefused({None: "Only the author changes a draft plan."})
    fresh = (
        TreatmentPlan.objects.select_for_update(of=("self",))
        .select_related("client", "author")
        .filter(pk=plan.pk, status=PlanStatus.DRAFT)
        .first()
    )
    if fresh is None:
        raise PlanRefused({None: "This version was signed meanwhile; start a revision."})
    if not access.can_write(actor, fresh.client):
        raise PlanRefused({None: "Only clinicians on this client's care team write plans."})
    return fresh


def _save_content(plan: TreatmentPlan, *, actor, request, change: str, key: str = "") -> None:
    plan.save(update_fields=["problems", "updated_at"])
    detail = {"change": change, "version": plan.version}
    if key:
        detail["item"] = key
    audit.record(
        AuditAction.UPDATE, request=request, user=actor, obj=plan, client=plan.client, detail=detail
    )


def _find(plan: TreatmentPlan, key: str) -> tuple[str, dict, list] | None:
    """(kind, item, the list holding it) for the item with this key."""
    for problem in plan.problems:
        if problem["key"] == key:
            return "problem", problem, plan.problems
        for goal in problem["goals"]:
            if goal["key"] == key:
                return "goal", goal, problem["goals"]
            for objective in goal["objectives"]:
                if objective["key"] == key:
                    return "objective", objective, goal["objectives"]
        for intervention in problem["interventions"]:
            if intervention["key"] == key:
                return "intervention", intervention, problem["interventions"]
    return None


def _item(plan: TreatmentPlan, key: str, kind: str, field: str) -> dict:
    found = _find(plan, key or "")
    if found is None or found[0] != kind:
        raise PlanRefused({field: f"That {kind} is no longer in the plan; reload the page."})
    return found[1]


def _room(items: list, what: str, field: str) -> None:
    if len(items) >= MAX_ITEMS:
        raise PlanRefused({field: f"A plan holds at most {MAX_ITEMS} {what} here."})


# -- starting a plan or a revision -------------------------------------------


def latest_signed(client: Client) -> TreatmentPlan | None:
    return (
        TreatmentPlan.objects.filter(client=client, status=PlanStatus.SIGNED)
        .order_by("-version")
        .first()
    )


@transaction.atomic
def plan_start(*, client: Client, actor, request=None, today: date | None = None) -> TreatmentPlan:
    """Start the client's first plan, or a revision of the latest signed version.

    A revision starts as a copy of that version's problems, goals, objectives
    and interventions (keeping their keys, so goal histories carry over); the
    client's agreement is asked again and the review date starts afresh.
    Returns the author's open draft instead when there is one.
    """
    if not access.can_write(actor, client):
        raise PlanRefused({None: "Only clinicians on this client's care team write plans."})
    # Serialise starts for this client: two clicks make one draft.
    Client.objects.select_for_update().filter(pk=client.pk).first()
    draft = TreatmentPlan.objects.filter(client=client, status=PlanStatus.DRAFT).first()
    if draft is not None:
        if draft.author_id == actor.pk:
            return draft
        raise PlanRefused({None: f"{draft.author.signature_name} is already revising this plan."})
    today = today or timezone.localdate()
    previous = latest_signed(client)
    version = (TreatmentPlan.objects.filter(client=client).aggregate(v=Max("version"))["v"]) or 0
    plan = TreatmentPlan(
        client=client,
        author=actor,
        version=version + 1,
        problems=copy.deepcopy(previous.problems) if previous else [],
        review_due=today + timedelta(days=PracticeSettings.load().plan_review_days),
    )
    plan.save()
    detail = {"version": plan.version}
    if previous is not None:
        detail["revision_of"] = str(previous.uuid)
    audit.record(
        AuditAction.CREATE, request=request, user=actor, obj=plan, client=client, detail=detail
    )
    return plan


@transaction.atomic
def plan_discard(*, plan: TreatmentPlan, actor, request=None) -> None:
    """The author deletes their unsigned draft (signed versions are never deleted)."""
    fresh = _locked_draft(plan, actor)
    audit.record(
        AuditAction.DELETE_ATTEMPT,
        request=request,
        user=actor,
        obj=fresh,
        client=fresh.client,
        detail={"outcome": "deleted", "status": "draft", "version": fresh.version},
    )
    fresh.delete()


# -- editing the draft --------------------------------------------------------


@transaction.atomic
def plan_update(
    *,
    plan: TreatmentPlan,
    actor,
    review_due: date,
    agreed_by: str = "",
    agreed_on: date | None = None,
    agreement_method: str = "",
    request=None,
) -> list[str]:
    """The draft's review date and the client's agreement; returns what changed."""
    fresh = _locked_draft(plan, actor)
    agreed_by = " ".join((agreed_by or "").split())
    errors: dict[str | None, str] = {}
    if len(agreed_by) > 200:
        errors["agreed_by"] = "Keep the name under 200 characters."
    if "\x00" in agreed_by:
        errors["agreed_by"] = "Remove the null character pasted into this field."
    if agreement_method and agreement_method not in AgreementMethod.values:
        errors["agreement_method"] = "Choose in person or verbally."
    if agreed_on and agreed_on > timezone.localdate():
        errors["agreed_on"] = "The agreement date cannot be in the future."
    if errors:
        raise PlanRefused(errors)
    values = {
        "review_due": review_due,
        "agreed_by": agreed_by,
        "agreed_on": agreed_on,
        "agreement_method": agreement_method or "",
    }
    changed = [k for k, v in values.items() if getattr(fresh, k) != v]
    if not changed:
        return []
    for k in changed:
        setattr(fresh, k, values[k])
    fresh.save(update_fields=[*changed, "updated_at"])
    audit.record(
        AuditAction.UPDATE,
        request=request,
        user=actor,
        obj=fresh,
        client=fresh.client,
        detail={"fields": changed, "version": fresh.version},
    )
    return changed


@transaction.atomic
def plan_problem_add(
    *, plan: TreatmentPlan, actor, diagnosis_code: str, statement: str, request=None
) -> dict:
    """A problem, tied to one of the client's active diagnoses (snapshotted)."""
    fresh = _locked_draft(plan, actor)
    _room(fresh.problems, "problems", "statement")
    dx = fresh.client.diagnoses.filter(code=diagnosis_code, resolved_date__isnull=True).first()
    if dx is None:
        raise PlanRefused({"diagnosis": "Choose one of the client's active diagnoses."})
    problem = {
        "key": _key(),
        "diagnosis": {"code": dx.code, "description": dx.description},
        "statement": _clean_text(statement, field="statement", limit=MAX_STATEMENT, what="problem"),
        "goals": [],
        "interventions": [],
    }
    fresh.problems.append(problem)
    _save_content(fresh, actor=actor, request=request, change="problem_added", key=problem["key"])
    return problem


@transaction.atomic
def plan_goal_add(*, plan: TreatmentPlan, actor, problem_key: str, text: str, request=None) -> dict:
    """A measurable goal under one problem."""
    fresh = _locked_draft(plan, actor)
    problem = _item(fresh, problem_key, "problem", "text")
    _room(problem["goals"], "goals per problem", "text")
    goal = {
        "key": _key(),
        "text": _clean_text(text, field="text", limit=MAX_TEXT, what="goal"),
        "objectives": [],
    }
    problem["goals"].append(goal)
    _save_content(fresh, actor=actor, request=request, change="goal_added", key=goal["key"])
    return goal


@transaction.atomic
def plan_objective_add(
    *,
    plan: TreatmentPlan,
    actor,
    goal_key: str,
    text: str,
    target_date: date | None,
    request=None,
) -> dict:
    """An objective (a step toward a goal) with its target date."""
    fresh = _locked_draft(plan, actor)
    goal = _item(fresh, goal_key, "goal", "text")
    _room(goal["objectives"], "objectives per goal", "text")
    text = _clean_text(text, field="text", limit=MAX_TEXT, what="objective")
    if target_date is None:
        raise PlanRefused({"target_date": "Give the target date."})
    if target_date < timezone.localdate():
        raise PlanRefused({"target_date": "The target date cannot be in the past."})
    objective = {"key": _key(), "text": text, "target_date": target_date.isoformat()}
    goal["objectives"].append(objective)
    _save_content(
        fresh, actor=actor, request=request, change="objective_added", key=objective["key"]
    )
    return objective


@transaction.atomic
def plan_intervention_add(
    *,
    plan: TreatmentPlan,
    actor,
    problem_key: str,
    modality: str,
    frequency: str,
    request=None,
) -> dict:
    """A planned intervention for a problem: its modality and how often."""
    fresh = _locked_draft(plan, actor)
    problem = _item(fresh, problem_key, "problem", "modality")
    _room(problem["interventions"], "interventions per problem", "modality")
    if modality not in Intervention.values:
        raise PlanRefused({"modality": "Choose the modality from the list."})
    intervention = {
        "key": _key(),
        "modality": modality,
        "frequency": _clean_text(
            frequency, field="frequency", limit=MAX_FREQUENCY, what="frequency"
        ),
    }
    problem["interventions"].append(intervention)
    _save_content(
        fresh, actor=actor, request=request, change="intervention_added", key=intervention["key"]
    )
    return intervention


@transaction.atomic
def plan_item_edit(*, plan: TreatmentPlan, actor, key: str, text: str, request=None) -> None:
    """Reword a problem, goal or objective in the draft (its key, and a goal's
    history of session ratings, stay)."""
    fresh = _locked_draft(plan, actor)
    found = _find(fresh, key or "")
    if found is None or found[0] == "intervention":
        raise PlanRefused({"text": "That item is no longer in the plan; reload the page."})
    kind, item, _ = found
    if kind == "problem":
        item["statement"] = _clean_text(text, field="text", limit=MAX_STATEMENT, what="problem")
    else:
        item["text"] = _clean_text(text, field="text", limit=MAX_TEXT, what=kind)
    _save_content(fresh, actor=actor, request=request, change=f"{kind}_edited", key=key)


@transaction.atomic
def plan_item_remove(*, plan: TreatmentPlan, actor, key: str, request=None) -> str:
    """Take a problem (with its goals), goal, objective or intervention out of the draft."""
    fresh = _locked_draft(plan, actor)
    found = _find(fresh, key or "")
    if found is None:
        raise PlanRefused({None: "That item is no longer in the plan; reload the page."})
    kind, item, holder = found
    holder.remove(item)
    _save_content(fresh, actor=actor, request=request, change=f"{kind}_removed", key=key)
    return kind


# -- signing -------------------------------------------------------------------


def sign_problems(plan: TreatmentPlan, *, today: date | None = None) -> list[str]:
    """What must be complete before a version can be signed (no override).

    Messages name problems and goals by their number, never by their text.
    """
    today = today or timezone.localdate()
    problems = []
    if not plan.problems:
        problems.append("Add at least one problem, tied to a diagnosis.")
    active_codes = set(
        plan.client.diagnoses.filter(resolved_date__isnull=True).values_list("code", flat=True)
    )
    for p, problem in enumerate(plan.problems, start=1):
        if problem["diagnosis"]["code"] not in active_codes:
            problems.append(
                f"Problem {p} is tied to {problem['diagnosis']['code']}, which is no longer "
                "an active diagnosis: tie the problem to an active one."
            )
        if not problem["goals"]:
            problems.append(f"Problem {p} needs at least one measurable goal.")
        if not problem["interventions"]:
            problems.append(f"Problem {p} needs at least one planned intervention.")
        for g, goal in enumerate(problem["goals"], start=1):
            if not goal["objectives"]:
                problems.append(f"Goal {p}.{g} needs at least one objective with a target date.")
    if not (plan.agreed_by and plan.agreed_on and plan.agreement_method):
        problems.append("Record the client's agreement: who agreed, when, and how.")
    if plan.review_due <= today:
        problems.append("The review date must be after today.")
    return problems


@transaction.atomic
def plan_sign(
    *, plan: TreatmentPlan, actor, request=None, now: datetime | None = None
) -> TreatmentPlan:
    """Sign a draft version: signer, credentials, time and the SHA-256 of its
    content; a pre-licensed author's version then awaits their supervisor's
    co-signature. A conditional update from draft, so two clicks sign once."""
    fresh = _locked_draft(plan, actor)
    now = now or timezone.now()
    problems = sign_problems(fresh, today=timezone.localdate(now))
    if problems:
        raise PlanRefused({None: " ".join(problems)})
    # The one signing path of every signed record: signer, time, hash, and a
    # conditional update from draft (two clicks sign once).
    sign(
        fresh,
        actor=actor,
        now=now,
        refusal=PlanRefused,
        cosign_required=bool(actor.requires_cosign),
    )
    detail = {"version": fresh.version}
    if fresh.cosign_required:
        detail["cosign_required"] = True
    audit.record(
        AuditAction.SIGN, request=request, user=actor, obj=fresh, client=fresh.client, detail=detail
    )
    return TreatmentPlan.objects.select_related("client", "author").get(pk=fresh.pk)


@transaction.atomic
def plan_cosign(
    *, plan: TreatmentPlan, actor, request=None, now: datetime | None = None
) -> TreatmentPlan:
    """The author's supervisor co-signs a signed version that requires it, once."""
    fresh = TreatmentPlan.objects.select_related("client", "author").get(pk=plan.pk)
    if not access.is_cosigner_for(actor, fresh):
        if fresh.cosigned_at is not None:
            raise PlanRefused({None: "This version is already co-signed."})
        raise PlanRefused({None: "Only the author's supervisor co-signs this plan."})
    fresh.cosigned_at = now or timezone.now()
    fresh.cosigner = actor
    fresh.cosigner_name = signer_name(actor)
    fresh.cosigner_credentials = actor.credentials
    fresh.cosign_hash = content_hash(fresh.cosign_content())
    updated = TreatmentPlan.objects.filter(
        pk=fresh.pk, status=PlanStatus.SIGNED, cosign_required=True, cosigned_at__isnull=True
    ).update(
        cosigned_at=fresh.cosigned_at,
        cosigner=actor,
        cosigner_name=fresh.cosigner_name,
        cosigner_credentials=fresh.cosigner_credentials,
        cosign_hash=fresh.cosign_hash,
        updated_at=fresh.cosigned_at,
    )
    if updated != 1:
        raise PlanRefused({None: "This version is already co-signed."})
    audit.record(
        AuditAction.COSIGN,
        request=request,
        user=actor,
        obj=fresh,
        client=fresh.client,
        detail={"version": fresh.version},
    )
    return TreatmentPlan.objects.select_related("client", "author", "cosigner").get(pk=fresh.pk)


# -- what a note says about the goals ------------------------------------------


@transaction.atomic
def goal_progress_save(
    *,
    note: ProgressNote,
    actor,
    plan: TreatmentPlan,
    entries: dict[str, tuple[str, str]],
    request=None,
) -> list[str]:
    """Set which goals of ``plan`` the draft note addressed: ``entries`` maps a
    goal key to (rating, text); goals left out are no longer addressed.
    Returns the goal keys whose entry changed (nothing is written otherwise).
    """
    if note.author_id != actor.pk:
        raise NoteRefused({None: "Only the author can change a draft."})
    if not ProgressNote.objects.select_for_update().filter(pk=note.pk, status="draft").exists():
        raise NoteRefused({None: "This note was signed meanwhile; add an addendum instead."})
    if plan.client_id != note.client_id or not plan.is_signed:
        raise NoteRefused({None: "That plan is not this client's plan in effect; reload the page."})
    goals = {g["key"]: g for g in plan.goals()}
    errors: dict[str | None, str] = {}
    for key, (rating, text) in entries.items():
        if key not in goals:
            errors[None] = "A goal is no longer in the plan; reload the page."
        elif rating and rating not in Rating.values:
            errors[None] = "Rate progress as improved, unchanged or worsened."
        elif len(text) > MAX_PROGRESS_TEXT or "\x00" in text:
            errors[None] = (
                f"Keep each goal's progress to one line under {MAX_PROGRESS_TEXT} characters."
            )
    if errors:
        raise NoteRefused(errors)
    existing = {gp.goal_key: gp for gp in GoalProgress.objects.filter(note=note)}
    changed = []
    for key, gp in existing.items():
        if key not in entries:
            gp.delete()
            changed.append(key)
    for key, (rating, text) in entries.items():
        gp = existing.get(key)
        if gp is None:
            GoalProgress.objects.create(
                note=note,
                plan=plan,
                goal_key=key,
                goal_text=goals[key]["text"][:500],
                rating=rating,
                text=text,
            )
            changed.append(key)
        elif (gp.rating, gp.text, gp.plan_id) != (rating, text, plan.pk):
            gp.rating, gp.text, gp.plan = rating, text, plan
            gp.goal_text = goals[key]["text"][:500]
            gp.save()
            changed.append(key)
    if changed:
        audit.record(
            AuditAction.UPDATE,
            request=request,
            user=actor,
            obj=note,
            client=note.client,
            detail={"goal_progress": len(entries), "plan": str(plan.uuid)},
        )
    return changed
