from __future__ import annotations

from django import forms
from django.utils import timezone

from notes.measures import instruments


class MeasureForm(forms.Form):
    """One radio group per item (the question is the legend) and the optional
    difficulty question. Unanswered items are named; answers typed are kept."""

    def __init__(self, *args, instrument: instruments.Instrument, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        choices = [(a.value, a.label) for a in instrument.answers]
        for item in instrument.items:
            self.fields[f"item_{item.number}"] = forms.TypedChoiceField(
                label=f"{item.number}. {item.text}",
                choices=choices,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": f"Answer question {item.number}."},
            )
        self.fields["difficulty"] = forms.TypedChoiceField(
            label=instrument.difficulty_text,
            choices=[(a.value, a.label) for a in instrument.difficulty_answers],
            coerce=int,
            empty_value=None,
            required=False,
            widget=forms.RadioSelect,
            help_text="Optional; not part of the score.",
        )

    def answers(self) -> list[int]:
        return [self.cleaned_data[f"item_{i.number}"] for i in self.instrument.items]


class ScheduleForm(forms.Form):
    instrument = forms.ChoiceField(label="Measure", choices=instruments.choices)
    every_weeks = forms.TypedChoiceField(
        label="Repeat every",
        coerce=int,
        choices=[
            (1, "week"),
            (2, "2 weeks"),
            (4, "4 weeks"),
            (6, "6 weeks"),
            (8, "8 weeks"),
            (12, "12 weeks"),
        ],
        initial=4,
    )
    starts_on = forms.DateField(
        label="First due on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The measure is listed on your caseload from this day, then again after each "
        "interval counted from the last time it was given.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("starts_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class UnlockForm(forms.Form):
    password = forms.CharField(
        label="Clinician's password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
