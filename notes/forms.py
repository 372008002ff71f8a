from __future__ import annotations

from django import forms

from clients.models import ServiceType
from notes.formats import NoteFormat, sections_for
from notes.models import (
    CssrsResult,
    Intervention,
    PlaceOfService,
    ProgressNote,
    RiskLevel,
    SafetyPlan,
    session_time_errors,
)
from notes.services import MAX_TEXT
from practice.querystrings import PlausibleDateField

CPT_CHOICES = [
    ("", "Use the suggested code"),
    ("90832", "90832 Psychotherapy, 16-37 min"),
    ("90834", "90834 Psychotherapy, 38-52 min"),
    ("90837", "90837 Psychotherapy, 53+ min"),
    ("90791", "90791 Psychiatric diagnostic evaluation"),
    ("90846", "90846 Family psychotherapy without the client"),
    ("90847", "90847 Family psychotherapy with the client"),
    ("90853", "90853 Group psychotherapy"),
    ("90839", "90839 Psychotherapy for crisis, first 60 min"),
]


def _text(label: str, rows: int = 4, help_text: str = "", **attrs) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=MAX_TEXT,
        strip=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows, **attrs}),
        error_messages={"max_length": f"Keep this under {MAX_TEXT:,} characters."},
    )


class NewNoteForm(forms.Form):
    format = forms.ChoiceField(
        label="Note format",
        choices=[
            (NoteFormat.SOAP, "SOAP: Subjective, Objective, Assessment, Plan"),
            (NoteFormat.DAP, "DAP: Data, Assessment, Plan"),
            (NoteFormat.BIRP, "BIRP: Behavior, Intervention, Response, Plan"),
        ],
        widget=forms.RadioSelect,
        initial=NoteFormat.SOAP,
    )
    service_type = forms.ChoiceField(choices=ServiceType.choices, initial=ServiceType.INDIVIDUAL)
    service_date = PlausibleDateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="A session booked for you on this day is linked, with its times.",
    )

    def clean_service_date(self):
        value = self.cleaned_data["service_date"]
        error = session_time_errors(value, None, None).get("service_date")
        if error:
            raise forms.ValidationError(error)
        return value


class NoteForm(forms.Form):
    """The editor: shared header, the format's own sections, necessity, risk, CPT.

    Grouped into fieldsets by ``groups`` so the template can lay them out.
    """

    service_date = PlausibleDateField(widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(
        required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end_time = forms.TimeField(
        required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    service_type = forms.ChoiceField(choices=ServiceType.choices)
    place_of_service = forms.ChoiceField(
        label="Place of service / telehealth", choices=PlaceOfService.choices
    )
    client_location = forms.CharField(
        label="Client's location",
        required=False,
        max_length=200,
        help_text="For telehealth: where the client was (city and state).",
    )
    diagnoses = forms.MultipleChoiceField(
        label="Diagnoses addressed",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="From the client's active diagnoses in the chart.",
    )
    interventions = forms.MultipleChoiceField(
        label="Interventions used",
        required=False,
        choices=Intervention.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    symptoms = _text("Symptoms", 3, "Current symptoms, with frequency and severity.")
    functional_impairment = _text(
        "Functional impairment", 3, "Effect on work, school, relationships or self-care."
    )
    progress = _text(
        "Client response / progress toward goals",
        3,
        "Response to today's interventions and movement on treatment-plan goals.",
    )
    next_appointment = forms.CharField(
        label="Next appointment",
        required=False,
        max_length=200,
        help_text="e.g. 'Weekly, next Tuesday 10:00'.",
    )
    risk_level = forms.ChoiceField(
        label="Risk level", required=False, choices=[("", "Not assessed"), *RiskLevel.choices]
    )
    cssrs_result = forms.ChoiceField(
        label="C-SSRS screening", required=False, choices=CssrsResult.choices
    )
    risk_factors = _text("Risk factors", 2)
    protective_factors = _text("Protective factors", 2)
    risk_narrative = _text(
        "Risk narrative", 3, "Required before signing when risk is moderate or high."
    )
    safety_plan = forms.ChoiceField(
        label="Safety plan",
        required=False,
        choices=SafetyPlan.choices,
        help_text="Required before signing when risk is moderate or high.",
    )
    crisis_resources_given = forms.BooleanField(label="Crisis resources given", required=False)
    cpt_code = forms.ChoiceField(label="CPT code", required=False, choices=CPT_CHOICES)
    cpt_override_reason = forms.CharField(
        label="Reason for changing the code",
        required=False,
        max_length=300,
        help_text="Needed only when you choose a code other than the suggestion.",
    )

    HEADER = (
        "service_date",
        "start_time",
        "end_time",
        "service_type",
        "place_of_service",
        "client_location",
    )
    CHOICES = ("diagnoses", "interventions")
    NECESSITY = ("symptoms", "functional_impairment", "progress", "next_appointment")
    RISK = (
        "risk_level",
        "cssrs_result",
        "risk_factors",
        "protective_factors",
        "risk_narrative",
        "safety_plan",
        "crisis_resources_given",
    )
    CPT = ("cpt_code", "cpt_override_reason")

    def __init__(self, *args, note: ProgressNote, **kwargs):
        if "initial" not in kwargs and not args:
            kwargs["initial"] = self.initial_from(note)
        super().__init__(*args, **kwargs)
        self.note = note
        self.section_names = []
        for section in sections_for(note.format):
            self.fields[section.field] = _text(section.label, 5, section.guidance)
            self.section_names.append(section.field)
        choices = {d["code"]: d["description"] for d in note.diagnoses}
        for dx in note.client.diagnoses.filter(resolved_date__isnull=True):
            choices.setdefault(dx.code, dx.description)
        self.fields["diagnoses"].choices = [(c, f"{c} {d}") for c, d in choices.items()]
        for name, field in self.fields.items():
            if field.help_text and not isinstance(field.widget, forms.CheckboxSelectMultiple):
                field.widget.attrs["aria-describedby"] = f"id_{name}_help"

    @staticmethod
    def initial_from(note: ProgressNote) -> dict:
        initial = {
            name: getattr(note, name) for name in NoteForm.base_fields if name != "diagnoses"
        }
        initial["diagnoses"] = note.diagnosis_codes
        initial["cpt_code"] = note.cpt_code if note.cpt_override_reason else ""
        for section in sections_for(note.format):
            initial[section.field] = getattr(note, section.field)
        return initial

    def group(self, names):
        return [self[n] for n in names]

    @property
    def header_fields(self):
        return self.group(self.HEADER)

    @property
    def section_fields(self):
        return self.group(self.section_names)

    @property
    def choice_fields(self):
        return self.group(self.CHOICES)

    @property
    def necessity_fields(self):
        return self.group(self.NECESSITY)

    @property
    def risk_fields(self):
        return self.group(self.RISK)

    @property
    def cpt_fields(self):
        return self.group(self.CPT)

    def clean(self):
        data = super().clean()
        errors = session_time_errors(
            data.get("service_date"),
            data.get("start_time"),
            data.get("end_time"),
            date_of_birth=self.note.client.date_of_birth,
        )
        for field, message in errors.items():
            self.add_error(field, message)
        return data

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        codes = data.pop("diagnoses")
        data["interventions"] = list(data["interventions"])
        return {"diagnosis_codes": list(codes), **data}


class SignForm(forms.Form):
    override_reason = forms.CharField(
        label="Reason for signing with items missing",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded on the note and covered by your signature.",
    )


class AddendumForm(forms.Form):
    text = forms.CharField(
        label="Addendum",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_TEXT,
        help_text="A correction or addition. It is signed with your name when added and "
        "cannot be changed afterwards.",
    )
