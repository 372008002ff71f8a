"""The progress-note list on the client's chart (newest first, paginated)."""

from __future__ import annotations

from notes import access, selectors


def progress_notes_section(request, client):
    user = request.user
    level = access.read_level(user, client)
    if level is None:
        return None
    page = selectors.chart_page(user, client, request.GET.get("notes_page"))
    return {
        "template": "notes/_chart_section.html",
        "page": page,
        "level": level,
        "is_billing": level == access.BILLING,
        "can_write": access.can_write(user, client),
    }


# Sections of the apps nested in notes (e.g. the process-note store), registered
# from their own AppConfig.ready(): notes never names them, and the chart page
# (clients.records) shows them after the notes' own sections.
_NESTED_SECTIONS: list = []


def register_section(provider) -> None:
    """Add ``provider(request, client) -> dict | None`` to the chart (once)."""
    if provider not in _NESTED_SECTIONS:
        _NESTED_SECTIONS.append(provider)


def nested_sections() -> list:
    return list(_NESTED_SECTIONS)
