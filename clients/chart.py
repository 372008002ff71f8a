"""The chart page is assembled from sections that each app provides.

A provider is ``section(request, client) -> dict | None``: a dict with a
``template`` and its context, or None when the user may not see that section.
Each provider applies its own app's access rules; the chart view only stacks
the results in order.
"""

from __future__ import annotations

from importlib import import_module

PROVIDERS = [
    "notes.chart.progress_notes_section",
    "contacts.chart.contact_log_section",
    "clients.chart_appointments.appointments_section",
    "clients.amendments.amendments_section",
    "notes.measures.chart.measures_section",
    "notes.psychotherapy.chart.process_notes_section",
]


def chart_sections(request, client) -> list[dict]:
    sections = []
    for dotted in PROVIDERS:
        module_name, func_name = dotted.rsplit(".", 1)
        section = getattr(import_module(module_name), func_name)
        result = section(request, client)
        if result:
            sections.append(result)
    return sections
