"""Treatment-plan pages. Every view loads the plan (or its client) through
notes.plans.access; writes go through notes.plans.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from notes.models import Intervention
from notes.plans import access, forms, services
from notes.plans.models import TreatmentPlan
from notes.plans.selectors import active_plan, goal_histories
from practice import audit, integrity
from practice.models import AuditAction


def _versions(request, client) -> list[TreatmentPlan]:
    return list(
        access.plans_visible_to(request.user, client)
        .select_related("author")
        .order_by("-version")
        .defer("problems")
    )


def _read_context(request, plan: TreatmentPlan, versions: list[TreatmentPlan]) -> dict:
    """What the plan page shows for one version, with each goal's session ratings."""
    active = active_plan(plan.client)
    goals = plan.goals()
    histories = goal_histories(plan.client, [g["key"] for g in goals])
    modalities = dict(Intervention.choices)
    problems = [
        {
            **problem,
            "interventions": [
                {**i, "label": modalities.get(i["modality"], i["modality"])}
                for i in problem["interventions"]
            ],
            "goals": [{**g, "history": histories.get(g["key"], [])} for g in problem["goals"]],
        }
        for problem in plan.problems
    ]
    user = request.user
    draft = next((v for v in versions if not v.is_signed), None)
    return {
        "client": plan.client,
        "plan": plan,
        "problems": problems,
        "versions": versions,
        "is_active": active is not None and active.pk == plan.pk,
        "active": active,
        "superseded_by": next(
            (v for v in versions if v.is_signed and v.version > plan.version), None
        ),
        "draft": draft,
        "can_write": access.can_write(user, plan.client),
        "can_cosign": access.is_cosigner_for(user, plan),
        # Every read of a signed version checks it against its keyed hashes; a
        # mismatch is shown and audited (practice.integrity).
        "hash_ok": not integrity.check_signed([plan], context="plan_page", request=request)
        if plan.is_signed
        else None,
        "cosign_hash_ok": integrity.check_hash(
            plan,
            stored=plan.cosign_hash,
            content=plan.cosign_content(),
            what="co-signature",
            context="plan_page",
            request=request,
        )
        if plan.cosigned_at
        else None,
        "overdue": plan.is_signed and plan.review_overdue(timezone.localdate()),
    }


def _audit_read(request, plan: TreatmentPlan, **detail) -> None:
    audit.record(
        AuditAction.VIEW,
        request=request,
        obj=plan,
        client=plan.client,
        detail={"version": plan.version, **detail},
    )


@never_cache
@login_required
def client_plan(request: HttpRequest, client_uuid) -> HttpResponse:
    """The client's treatment plan: the version in effect (or the latest one the
    user may see), its goals' session ratings, and every version."""
    client = access.get_client_for_plans(request, client_uuid)
    versions = _versions(request, client)
    if not versions:
        audit.record(
            AuditAction.VIEW,
            request=request,
            object_type=access.OBJECT_TYPE,
            client=client,
            detail={"plans": 0},
        )
        return render(
            request,
            "plans/plan_none.html",
            {"client": client, "can_write": access.can_write(request.user, client)},
        )
    current = active_plan(client)
    signed = [v for v in versions if v.is_signed]
    plan = current or (signed[0] if signed else versions[0])
    plan = TreatmentPlan.objects.select_related("client", "author", "cosigner").get(pk=plan.pk)
    plan.client = client
    _audit_read(request, plan)
    return render(request, "plans/plan_detail.html", _read_context(request, plan, versions))


@never_cache
@login_required
def plan_detail(request: HttpRequest, plan_uuid) -> HttpResponse:
    plan = access.get_plan_for_user(request, plan_uuid, access.READ)
    _audit_read(request, plan)
    context = _read_context(request, plan, _versions(request, plan.client))
    return render(request, "plans/plan_detail.html", context)


@login_required
@require_POST
def plan_start(request: HttpRequest, client_uuid) -> HttpResponse:
    """Start the first plan, or a revision of the signed one (or reopen one's own draft)."""
    client = access.get_client_for_plans(request, client_uuid, write=True)
    try:
        plan = services.plan_start(client=client, actor=request.user, request=request)
    except services.PlanRefused as exc:
        messages.error(request, " ".join(exc.errors.values()))
        return redirect("plans:client", client_uuid=client.uuid)
    return redirect("plans:edit", plan_uuid=plan.uuid)


# -- the editor -----------------------------------------------------------------


def _add_objective(plan, actor, data, target, request):
    return services.plan_objective_add(
        plan=plan,
        actor=actor,
        goal_key=target,
        text=data["text"],
        target_date=data["target_date"],
        request=request,
    )


# action -> (form class, service call, message when done)
EDITOR_ACTIONS = {
    "header": (
        forms.PlanHeaderForm,
        lambda plan, actor, data, target, request: services.plan_update(
            plan=plan, actor=actor, request=request, **data
        ),
        "Saved.",
    ),
    "add_problem": (
        forms.ProblemForm,
        lambda plan, actor, data, target, request: services.plan_problem_add(
            plan=plan,
            actor=actor,
            diagnosis_code=data["diagnosis"],
            statement=data["statement"],
            request=request,
        ),
        "Problem added.",
    ),
    "add_goal": (
        forms.GoalForm,
        lambda plan, actor, data, target, request: services.plan_goal_add(
            plan=plan, actor=actor, problem_key=target, text=data["text"], request=request
        ),
        "Goal added.",
    ),
    "add_objective": (forms.ObjectiveForm, _add_objective, "Objective added."),
    "add_intervention": (
        forms.InterventionForm,
        lambda plan, actor, data, target, request: services.plan_intervention_add(
            plan=plan,
            actor=actor,
            problem_key=target,
            modality=data["modality"],
            frequency=data["frequency"],
            request=request,
        ),
        "Intervention added.",
    ),
    "edit_item": (
        forms.ItemTextForm,
        lambda plan, actor, data, target, request: services.plan_item_edit(
            plan=plan, actor=actor, key=target, text=data["text"], request=request
        ),
        "Reworded.",
    ),
    "remove": (
        forms.RemoveForm,
        lambda plan, actor, data, target, request: services.plan_item_remove(
            plan=plan, actor=actor, key=target, request=request
        ),
        "Removed.",
    ),
}


def _prefix(action: str, target: str) -> str:
    return f"{action}-{target[:8]}" if target else action


class _Forms:
    """The editor's forms, fresh, except the one that was just refused (bound, with its errors)."""

    def __init__(self, plan: TreatmentPlan, failed: tuple[str, str, object] | None = None):
        self.plan = plan
        self.failed = failed

    def get(self, action: str, target: str = ""):
        if self.failed and self.failed[:2] == (action, target):
            return self.failed[2]
        form_class = EDITOR_ACTIONS[action][0]
        kwargs = {"prefix": _prefix(action, target)}
        if action == "add_problem":
            kwargs["client"] = self.plan.client
        if action == "header":
            kwargs["initial"] = {
                "review_due": self.plan.review_due,
                "agreed_by": self.plan.agreed_by,
                "agreed_on": self.plan.agreed_on,
                "agreement_method": self.plan.agreement_method,
            }
        return form_class(**kwargs)


def _editor_context(plan: TreatmentPlan, failed=None) -> dict:
    f = _Forms(plan, failed)
    modalities = dict(Intervention.choices)
    problems = []
    for number, problem in enumerate(plan.problems, start=1):
        key = problem["key"]
        goals = [
            {
                **goal,
                "number": f"{number}.{g}",
                "objective_form": f.get("add_objective", goal["key"]),
                "edit_form": f.get("edit_item", goal["key"]),
            }
            for g, goal in enumerate(problem["goals"], start=1)
        ]
        problems.append(
            {
                **problem,
                "number": number,
                "goals": goals,
                "interventions": [
                    {**i, "label": modalities.get(i["modality"], i["modality"])}
                    for i in problem["interventions"]
                ],
                "goal_form": f.get("add_goal", key),
                "intervention_form": f.get("add_intervention", key),
                "edit_form": f.get("edit_item", key),
            }
        )
    return {
        "plan": plan,
        "client": plan.client,
        "problems": problems,
        "header_form": f.get("header"),
        "problem_form": f.get("add_problem"),
        "failed_action": failed[:2] if failed else None,
    }


@never_cache
@login_required
def plan_edit(request: HttpRequest, plan_uuid) -> HttpResponse:
    """The draft's editor: each change is its own small form, saved at once."""
    plan = access.get_plan_for_user(request, plan_uuid, access.EDIT)
    failed = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        target = request.POST.get("target", "")[:36]
        if action not in EDITOR_ACTIONS:
            messages.error(request, "Unknown change; reload the page.")
            return redirect("plans:edit", plan_uuid=plan.uuid)
        form_class, call, done = EDITOR_ACTIONS[action]
        kwargs = {"prefix": _prefix(action, target)}
        if action == "add_problem":
            kwargs["client"] = plan.client
        form = form_class(request.POST, **kwargs)
        if form.is_valid():
            try:
                call(plan, request.user, form.cleaned_data, target, request)
            except services.PlanRefused as exc:
                for field, message in exc.errors.items():
                    form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, done)
                anchor = f"#item-{target}" if target and action != "remove" else ""
                return redirect(reverse("plans:edit", args=[plan.uuid]) + anchor)
        failed = (action, target, form)
        plan.refresh_from_db(fields=["problems", "review_due", "updated_at"])
    else:
        _audit_read(request, plan, editor=True)
    return render(
        request,
        "plans/plan_edit.html",
        _editor_context(plan, failed),
        status=400 if failed else 200,
    )


@never_cache
@login_required
def plan_sign(request: HttpRequest, plan_uuid) -> HttpResponse:
    """Review before signing: what is still missing; then sign."""
    plan = access.get_plan_for_user(request, plan_uuid, access.SIGN)
    error = ""
    if request.method == "POST":
        try:
            services.plan_sign(plan=plan, actor=request.user, request=request)
        except services.PlanRefused as exc:
            error = " ".join(exc.errors.values())
        else:
            messages.success(request, "Plan signed. This version can no longer be changed.")
            return redirect("plans:detail", plan_uuid=plan.uuid)
    else:
        _audit_read(request, plan, sign_review=True)
    context = _read_context(request, plan, [])
    context.update(
        missing=services.sign_problems(plan),
        error=error,
        requires_cosign=request.user.requires_cosign,
    )
    return render(request, "plans/plan_sign.html", context, status=400 if error else 200)


@login_required
@require_POST
def plan_discard(request: HttpRequest, plan_uuid) -> HttpResponse:
    plan = access.get_plan_for_user(request, plan_uuid, access.EDIT)
    try:
        services.plan_discard(plan=plan, actor=request.user, request=request)
    except services.PlanRefused as exc:
        messages.error(request, " ".join(exc.errors.values()))
        return redirect("plans:edit", plan_uuid=plan.uuid)
    messages.success(request, "Draft discarded.")
    return redirect("plans:client", client_uuid=plan.client.uuid)


@login_required
@require_POST
def plan_cosign(request: HttpRequest, plan_uuid) -> HttpResponse:
    plan = access.get_plan_for_user(request, plan_uuid, access.COSIGN)
    try:
        services.plan_cosign(plan=plan, actor=request.user, request=request)
        messages.success(request, "Plan co-signed.")
    except services.PlanRefused as exc:
        messages.error(request, " ".join(exc.errors.values()))
    return redirect("plans:detail", plan_uuid=plan.uuid)
