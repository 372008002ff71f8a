"""Chart section for the author's own process notes.

Shown only to a clinician on the care team, and only their own notes: a
count, dates and links, never text. For everyone else it returns None, so the
chart page (and anything built from the chart's sections) never touches the
store's content.
"""

from __future__ import annotations

from notes.psychotherapy import access, crypto


def process_notes_section(request, client):
    user = request.user
    if not access.may_write_for(user, client):
        return None
    notes = access.process_notes_for(user, client)
    return {
        "template": "psychotherapy/_chart_section.html",
        "client": client,
        "count": notes.count(),
        "recent": list(notes.only("uuid", "session_date", "created_at", "updated_at")[:5]),
        "store_available": crypto.is_configured(),
    }
