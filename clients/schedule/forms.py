"""Forms for booking appointments and for the front desk's status changes."""

from __future__ import annotations

from django import forms

from clients.models import Client, ServiceType
from clients.schedule.services import BY_CLIENT, BY_PRACTICE
from contacts.forms import DATETIME_FORMAT, DateTimeInput, local_now_minute, means_field
from contacts.forms import minutes_field as _minutes_field
from practice.models import User
from practice.querystrings import PlausibleDateTimeField

_DT = {"widget": DateTimeInput(), "input_formats": [DATETIME_FORMAT, "%Y-%m-%d %H:%M"]}


class AppointmentForm(forms.Form):
    clinician = forms.ModelChoiceField(queryset=User.objects.none())
    start = PlausibleDateTimeField(label="Start", **_DT)
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)", min_value=1, max_value=480, initial=50
    )
    service_type = forms.ChoiceField(choices=ServiceType.choices, initial=ServiceType.INDIVIDUAL)

    def __init__(self, *args, client: Client, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = User.objects.filter(
            care_teams__client=client, is_active=True
        ).order_by("last_name")
        self.fields["clinician"].label_from_instance = lambda u: u.signature_name
        # Most bookings are with the primary clinician: offer them first.
        primary = client.care_team.filter(role="primary", clinician__is_active=True).first()
        if primary is not None and "clinician" not in self.initial:
            self.initial["clinician"] = primary.clinician_id


class _ScheduleNoteForm(forms.Form):
    """The contact-note part every status change carries, pre-filled."""

    # Nothing pre-ticked and 0 minutes: the note records only what someone
    # actually did (a no-show is often no conversation at all).
    means = means_field(
        required=False,
        help_text="Only if you actually spoke to or wrote to the client.",
    )
    minutes = _minutes_field(
        min_value=0,
        initial=0,
        help_text="0 unless time was actually spent with the client.",
    )
    summary = forms.CharField(
        label="Contact note",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Pre-filled; edit if needed. The fee decision is added to the note, "
        "which is signed with your name when saved.",
    )


class NoShowForm(_ScheduleNoteForm):
    pass


class CancelForm(_ScheduleNoteForm):
    by = forms.ChoiceField(
        label="Cancelled by",
        choices=[(BY_CLIENT, "Client"), (BY_PRACTICE, "Practice")],
        widget=forms.RadioSelect,
        initial=BY_CLIENT,
    )
    notice_at = PlausibleDateTimeField(
        label="Notice given at",
        initial=local_now_minute,
        help_text="When the client told us.",
        **_DT,
    )
    field_order = ["by", "notice_at", "means", "minutes", "summary"]


class RescheduleForm(_ScheduleNoteForm):
    new_start = PlausibleDateTimeField(label="New start", **_DT)
    notice_at = PlausibleDateTimeField(label="Notice given at", initial=local_now_minute, **_DT)
    field_order = ["new_start", "notice_at", "means", "minutes", "summary"]
