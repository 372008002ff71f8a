"""The chart page is assembled from sections that each app provides.

A provider is ``section(request, client) -> dict | None``: a dict with a
``template`` and its context, or None when the user may not see that section.
Each provider applies its own app's access rules; the chart view only stacks
the results in order. This app sits above the features, so it names their
providers directly; apps nested in notes (the process-note store) register
theirs with ``notes.chart.register_section`` and come after the notes' own.
"""

from __future__ import annotations

from clients.amendments.chart import amendments_section
from clients.schedule import chart as schedule_chart
from contacts import chart as contacts_chart
from notes import chart as notes_chart
from notes.measures import chart as measures_chart
from notes.plans import chart as plans_chart

PROVIDERS = [
    notes_chart.progress_notes_section,
    plans_chart.plan_section,
    contacts_chart.contact_log_section,
    schedule_chart.appointments_section,
    amendments_section,
    measures_chart.measures_section,
]


def chart_sections(request, client) -> list[dict]:
    sections = []
    for section in [*PROVIDERS, *notes_chart.nested_sections()]:
        result = section(request, client)
        if result:
            sections.append(result)
    return sections
