from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone

from clients.models import Client
from clients.records.chart_export import EXPORT_CHART, MAX_DAYS
from practice.permissions import has_role_perm, objects_with_perm
from practice.querystrings import PlausibleDateField


def exportable_clients(user):
    """Clients whose chart the user may export: all for auditors, the care team's otherwise."""
    if has_role_perm(user, EXPORT_CHART):
        return objects_with_perm(user, "clients.view_clinical", Client.objects.all())
    return objects_with_perm(user, "clients.document_care", Client.objects.all())


class ChartExportForm(forms.Form):
    client = forms.ModelChoiceField(
        queryset=Client.objects.none(),
        to_field_name="uuid",
        empty_label="Choose a client…",
    )
    start = PlausibleDateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = PlausibleDateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["client"]
        field.queryset = exportable_clients(user).order_by("legal_last_name", "legal_first_name")
        field.label_from_instance = lambda c: f"{c.legal_last_name}, {c.legal_first_name} · {c.mrn}"
        if not self.is_bound:
            today = timezone.localdate()
            self.initial.setdefault("start", today.replace(month=1, day=1))
            self.initial.setdefault("end", today)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "The end date is before the start date.")
            elif end - start > timedelta(days=MAX_DAYS):
                self.add_error("start", "Choose a period of at most ten years.")
            elif end > timezone.localdate():
                self.add_error("end", "The period cannot end in the future.")
        return data
