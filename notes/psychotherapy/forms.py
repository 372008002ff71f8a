from __future__ import annotations

from django import forms
from django.utils import timezone

MAX_LENGTH = 20_000

FORM_NOTICE = (
    "Private process notes: only you can ever read these. Do not record session times, "
    "medication, diagnoses or test results here — those belong in the progress note."
)


class DateInput(forms.DateInput):
    input_type = "date"


class ProcessNoteForm(forms.Form):
    session_date = forms.DateField(
        required=False,
        widget=DateInput(),
        label="Session date (optional)",
        help_text="The session these thoughts relate to. Only the date: no start or stop times.",
    )
    text = forms.CharField(
        label="Private process note",
        max_length=MAX_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "autocomplete": "off"}),
        # The notice above the form already says what does not belong here.
        help_text="Your own impressions, hypotheses and reflections.",
    )

    def clean_session_date(self):
        value = self.cleaned_data.get("session_date")
        if value and value > timezone.localdate():
            raise forms.ValidationError("The session date cannot be in the future.")
        return value

    def clean_text(self):
        value = self.cleaned_data["text"]
        if not value.strip():
            raise forms.ValidationError("Write something, or cancel.")
        return value


class UnsealForm(forms.Form):
    secret = forms.CharField(
        label="Your previous password, or a recovery code",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "autofocus": True}),
        help_text="The password you had before your sign-in was reset, or the one-time "
        "recovery code your practice gave you after a recovery run.",
    )
    current_password = forms.CharField(
        label="Your current password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Your notes are sealed again under this one.",
    )
