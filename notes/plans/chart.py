"""The treatment-plan section of the client's chart: the plan in effect, its
goals with each goal's history of session ratings, and the versions.

A constant number of queries whatever the number of versions or ratings: the
versions in one, the ratings in one, the audit row.
"""

from __future__ import annotations

from django.utils import timezone

from notes.plans import access
from notes.plans.selectors import goal_histories
from practice import audit
from practice.models import AuditAction


def plan_section(request, client):
    user = request.user
    if not access.can_read(user, client):
        return None  # front desk, billers, practice admins: no plan content
    versions = list(
        access.plans_visible_to(user, client).select_related("author").order_by("-version")
    )
    signed = [v for v in versions if v.is_signed]
    plan = next((v for v in signed if v.is_in_effect), None) or (signed[0] if signed else None)
    draft = next((v for v in versions if not v.is_signed), None)
    section = {
        "template": "plans/_chart_section.html",
        "plan": plan,
        "draft": draft,
        "signed_count": len(signed),
        "can_write": access.can_write(user, client),
        "client": client,
    }
    if plan is None:
        return section
    histories = goal_histories(client, [g["key"] for g in plan.goals()])
    section["goals"] = [{**g, "history": histories.get(g["key"], [])} for g in plan.goals()]
    section["overdue"] = plan.review_overdue(timezone.localdate())
    audit.record(
        AuditAction.VIEW,
        request=request,
        obj=plan,
        client=client,
        detail={"version": plan.version, "chart": True},
    )
    return section
