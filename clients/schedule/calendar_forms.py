"""Forms for the week view's recurring appointments and series changes."""

from __future__ import annotations

from django import forms

from clients.models import Client, ServiceType
from clients.schedule import recurrence
from clients.schedule.series import SCOPE_CHOICES, THIS
from contacts.forms import DATETIME_FORMAT, DateTimeInput, local_now_minute, means_field
from contacts.forms import minutes_field as _minutes_field
from practice.models import User

_DT = {"widget": DateTimeInput(), "input_formats": [DATETIME_FORMAT, "%Y-%m-%d %H:%M"]}


class SeriesForm(forms.Form):
    clinician = forms.ModelChoiceField(queryset=User.objects.none())
    first_start = forms.DateTimeField(label="First appointment", **_DT)
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)", min_value=1, max_value=480, initial=50
    )
    service_type = forms.ChoiceField(choices=ServiceType.choices, initial=ServiceType.INDIVIDUAL)
    frequency = forms.ChoiceField(
        label="Repeats", choices=recurrence.FREQUENCY_CHOICES, initial=recurrence.WEEKLY
    )
    count = forms.IntegerField(
        label="Number of appointments",
        min_value=1,
        max_value=recurrence.MAX_OCCURRENCES,
        required=False,
        initial=10,
        help_text=f"Up to {recurrence.MAX_OCCURRENCES}. Or give an end date instead.",
    )
    until = forms.DateField(
        label="Or until (date)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    skip_conflicts = forms.BooleanField(
        label="Book the other dates and leave out those that conflict",
        required=False,
    )

    def __init__(self, *args, client: Client, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = User.objects.filter(
            care_teams__client=client, is_active=True
        ).order_by("last_name")
        self.fields["clinician"].label_from_instance = lambda u: u.signature_name
        primary = client.care_team.filter(role="primary", clinician__is_active=True).first()
        if primary is not None and "clinician" not in self.initial:
            self.initial["clinician"] = primary.clinician_id

    def clean(self):
        data = super().clean()
        count, until = data.get("count"), data.get("until")
        if count and until:
            self.add_error("until", "Give a number of appointments or an end date, not both.")
        elif not count and not until and "count" not in self.errors:
            self.add_error("count", "Give a number of appointments or an end date.")
        elif data.get("frequency") and not self.errors:
            try:
                data["rule"] = recurrence.build_rule(
                    frequency=data["frequency"], count=count or None, until=until or None
                )
            except recurrence.RecurrenceError as exc:
                self.add_error("count", str(exc))
        return data


class SeriesChangeForm(forms.Form):
    MOVE, CANCEL = "move", "cancel"
    change = forms.ChoiceField(
        label="Change",
        choices=[(MOVE, "Move to another time"), (CANCEL, "Cancel")],
        widget=forms.RadioSelect,
    )
    scope = forms.ChoiceField(
        label="Which appointments", choices=SCOPE_CHOICES, widget=forms.RadioSelect, initial=THIS
    )
    new_start = forms.DateTimeField(
        label="New time (for this appointment)",
        required=False,
        help_text="For several appointments, each moves by the same amount.",
        **_DT,
    )
    by = forms.ChoiceField(
        label="Cancelled by",
        choices=[("client", "Client"), ("practice", "Practice")],
        widget=forms.RadioSelect,
        initial="client",
        required=False,
    )
    notice_at = forms.DateTimeField(
        label="Notice given at", initial=local_now_minute, required=False, **_DT
    )
    means = means_field(
        required=False, help_text="Only if you actually spoke to or wrote to the client."
    )
    minutes = _minutes_field(
        min_value=0, initial=0, help_text="0 unless time was actually spent with the client."
    )
    summary = forms.CharField(
        label="Contact note", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("change") == self.MOVE and not data.get("new_start"):
            self.add_error("new_start", "Give the new time.")
        if data.get("change") == self.CANCEL:
            if not data.get("by"):
                self.add_error("by", "Say who cancelled.")
            if not data.get("notice_at"):
                self.add_error("notice_at", "Give when notice was given.")
        return data
