from __future__ import annotations

from datetime import date, datetime

from django import forms
from django.utils import timezone

from clients.models import Client, CollateralContact
from clients.representatives import representation_on, representation_window
from contacts.models import ADMINISTRATIVE_REASONS, Means, Reason
from practice.models import PracticeSettings
from practice.querystrings import PlausibleDateField, PlausibleDateTimeField

CLIENT = "client"
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


def local_now_minute():
    return timezone.localtime().replace(second=0, microsecond=0)


def means_field(**kwargs) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label="Means of communication",
        choices=Means.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one means of communication."},
        **kwargs,
    )


def minutes_field(min_value: int = 1, **kwargs) -> forms.IntegerField:
    message = (
        "Minutes must be a positive whole number."
        if min_value > 0
        else "Minutes must be a whole number (0 if no time was spent)."
    )
    return forms.IntegerField(
        label="Minutes of contact",
        min_value=min_value,
        max_value=24 * 60,
        error_messages={
            "invalid": message,
            "min_value": message,
            "required": message,
        },
        **kwargs,
    )


class ContactNoteForm(forms.Form):
    contact_at = PlausibleDateTimeField(
        label="Date and time of contact",
        widget=DateTimeInput(),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        initial=local_now_minute,
    )
    person = forms.ChoiceField(label="Person contacted")
    # No reason is pre-selected: a silent default ("Reschedule") would be signed unread.
    reason = forms.ChoiceField(
        choices=[("", "Choose a reason…"), *Reason.choices],
        error_messages={"required": "Choose a reason for the contact."},
    )
    means = means_field()
    minutes = minutes_field()
    summary = forms.CharField(
        label="Summary and outcome",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text="What was exchanged and what was decided.",
    )
    billable = forms.BooleanField(
        required=False, help_text="Billable contact needs a clinician author and minutes."
    )
    is_emergency = forms.BooleanField(
        label="Emergency: contact without an active release",
        required=False,
        help_text="Only with the reason Crisis. The note is flagged in the chart and audit trail.",
    )
    emergency_justification = forms.CharField(
        label="Emergency justification",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, client: Client, clinical_author: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client
        self.collaterals = {
            str(c.uuid): c for c in client.collaterals.prefetch_related("releases")
        }
        self.age_of_majority = PracticeSettings.load().age_of_majority
        # The status shown is the one on the contact date typed (or about to
        # be), not today's; static/js/contact_form.js updates it as the date changes.
        day = self.contact_day()
        choices = [(CLIENT, f"{client.display_name} (client)")]
        for key, c in self.collaterals.items():
            choices.append((key, f"{person_label(c)} · {self.person_status(c, day)}"))
        self.fields["person"].choices = choices
        if not clinical_author:
            # The front desk writes administrative notes only, and never billable ones.
            self.fields["reason"].choices = [("", "Choose a reason…")] + [
                (v, label) for v, label in Reason.choices if v in ADMINISTRATIVE_REASONS
            ]
            self.fields[
                "reason"
            ].help_text = "Administrative contacts only; a clinician documents clinical ones."
            self.fields["reason"].error_messages["invalid_choice"] = (
                "The front desk writes administrative contact notes only (reschedule, "
                "cancellation, no-show, records request)."
            )
            for name in ("billable", "is_emergency", "emergency_justification"):
                del self.fields[name]

    def contact_day(self) -> date:
        raw = self.data.get(self.add_prefix("contact_at")) if self.is_bound else None
        if raw:
            for fmt in (DATETIME_FORMAT, "%Y-%m-%d %H:%M"):
                try:
                    return datetime.strptime(raw, fmt).date()
                except ValueError:
                    continue
        value = self.initial.get("contact_at") or self.fields["contact_at"].initial
        value = value() if callable(value) else value
        if isinstance(value, datetime):
            return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
        return timezone.localdate()

    def person_status(self, collateral: CollateralContact, day: date) -> str:
        if representation_on(collateral, day, age_of_majority=self.age_of_majority).holds:
            return f"personal representative on {day:%Y-%m-%d}"
        if collateral.active_release_on(day):
            return f"release active on {day:%Y-%m-%d}"
        return f"no active release on {day:%Y-%m-%d}"

    def person_statuses(self) -> dict:
        """What the page script needs to tell each person's status on any date."""
        data = {}
        for key, c in self.collaterals.items():
            can_hold, until = representation_window(c, age_of_majority=self.age_of_majority)
            data[key] = {
                "label": person_label(c),
                "rep": can_hold,
                "rep_until": until.isoformat() if until else "",
                "releases": [
                    [
                        r.signed_date.isoformat(),
                        r.expires_on.isoformat(),
                        timezone.localdate(r.revoked_at).isoformat() if r.revoked_at else "",
                    ]
                    for r in c.releases.all()
                ],
            }
        return data

    def clean_contact_at(self):
        value = self.cleaned_data["contact_at"]
        if value > timezone.now():
            raise forms.ValidationError("The date and time of contact cannot be in the future.")
        return value

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "contact_at": data["contact_at"],
            "collateral": self.collaterals.get(data["person"]),
            "reason": data["reason"],
            "means": list(data["means"]),
            "minutes": data["minutes"],
            "summary": data["summary"],
            "billable": data.get("billable", False),
            "is_emergency": data.get("is_emergency", False),
            "emergency_justification": data.get("emergency_justification", ""),
        }

    @classmethod
    def initial_from(cls, note) -> dict:
        return {
            "contact_at": note.contact_at,
            "person": str(note.collateral.uuid) if note.collateral_id else CLIENT,
            "reason": note.reason,
            "means": note.means,
            "minutes": note.minutes,
            "summary": note.summary,
            "billable": note.billable,
            "is_emergency": note.is_emergency,
            "emergency_justification": note.emergency_justification,
        }


def person_label(collateral: CollateralContact) -> str:
    return f"{collateral.name} ({collateral.get_relationship_display()})"


class AddendumForm(forms.Form):
    text = forms.CharField(
        label="Addendum", widget=forms.Textarea(attrs={"rows": 4}), max_length=10_000
    )


class PeriodForm(forms.Form):
    contacts_from = PlausibleDateField(label="From", required=False)
    contacts_to = PlausibleDateField(label="To", required=False)
