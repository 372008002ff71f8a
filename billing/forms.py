from __future__ import annotations

from django import forms

from billing.selectors import last_month
from clients.models import Client
from practice.models import User
from practice.querystrings import PlausibleDateField
from practice.roles import CLINICAL_ROLES


class PeriodForm(forms.Form):
    start = PlausibleDateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = PlausibleDateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))
    clinician = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        to_field_name="uuid",
        empty_label="All clinicians",
    )
    client_mrn = forms.CharField(
        label="Client MRN", required=False, max_length=20, help_text="Optional: one client only."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        start, end = last_month()
        self.fields["start"].initial = start
        self.fields["end"].initial = end
        field = self.fields["clinician"]
        field.queryset = (
            User.objects.filter(groups__name__in=[str(r) for r in CLINICAL_ROLES])
            .distinct()
            .order_by("last_name", "first_name")
        )
        field.label_from_instance = lambda u: u.signature_name

    def clean_client_mrn(self):
        mrn = self.cleaned_data["client_mrn"].strip()
        if not mrn:
            return None
        client = Client.objects.filter(mrn__iexact=mrn).first()
        if client is None:
            raise forms.ValidationError("No client has this MRN.")
        return client

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "The end date is before the start date.")
        return data


class VoidForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why the export is voided (e.g. 'wrong period'). "
        "Its items become exportable again.",
    )
