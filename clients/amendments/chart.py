"""Chart section: the client's amendment requests."""

from __future__ import annotations

from clients.amendments.access import can_log, can_read, shows_amendment_text
from clients.models import Client


def amendments_section(request, client: Client):
    """Chart section provider (clients.records.chart.PROVIDERS)."""
    user = request.user
    if not can_read(user, client):
        return None
    return {
        "template": "clients/_amendments_section.html",
        "client": client,
        "amendments": list(
            client.amendments.select_related("logged_by", "decided_by").order_by(
                "status", "-received_on", "-id"
            )
        ),
        "can_log": can_log(user, client),
        "shows_text": shows_amendment_text(user, client),
    }


