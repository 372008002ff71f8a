"""The measures section of the client's chart: the item-9 alert, repeats due,
the trends and every result (three queries whatever the number of results)."""

from __future__ import annotations

from notes.measures import access, instruments, selectors
from practice import audit
from practice.models import AuditAction


def measures_section(request, client):
    user = request.user
    if not access.can_read(user, client):
        return None
    data = selectors.chart_measures(client)
    if data["results"]:
        # Scores are clinical content: the chart read is audited per section too.
        audit.record(
            AuditAction.VIEW,
            request=request,
            object_type="measures.measureresult",
            client=client,
            detail={"chart": True, "count": len(data["results"])},
        )
    return {
        "template": "measures/_chart_section.html",
        "client": client,
        "can_give": access.can_give(user, client) and client.status == "active",
        "instruments": instruments.all_instruments(),
        **data,
    }
