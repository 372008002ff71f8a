"""Template tags other pages use to show measures without importing this app:

- ``{% measures_worklist %}`` on the caseload: repeats due and open item-9 alerts;
- ``{% measure_trends client %}`` anywhere a client's page wants the trends
  (the treatment-plan page): access-checked and audited here.
"""

from __future__ import annotations

from django import template

from notes.measures import access, selectors, trends
from practice import audit
from practice.models import AuditAction

register = template.Library()


@register.inclusion_tag("measures/_worklist.html", takes_context=True)
def measures_worklist(context):
    user = context["request"].user
    return {"due": selectors.due_for(user), "alerts": selectors.alerts_for(user)}


@register.inclusion_tag("measures/_trends.html", takes_context=True)
def measure_trends(context, client, heading_level: int = 2):
    request = context["request"]
    if not access.can_read(request.user, client):
        return {"trends": None}
    results = list(selectors.client_results(client).order_by("completed_at", "id"))
    if results:
        audit.record(
            AuditAction.VIEW,
            request=request,
            object_type="measures.measureresult",
            client=client,
            detail={"trends": True, "count": len(results)},
        )
    return {
        "trends": trends.trends_for(results, id_prefix="plan-trend"),
        "heading_level": heading_level,
        "client": client,
    }
