from __future__ import annotations

from django import forms

from notes.models import Intervention
from notes.plans.models import AgreementMethod
from notes.plans.services import MAX_FREQUENCY, MAX_STATEMENT, MAX_TEXT

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlanHeaderForm(forms.Form):
    review_due = forms.DateField(
        label="Review date", widget=DATE, help_text="When the plan is reviewed with the client."
    )
    agreed_by = forms.CharField(
        label="Agreed by",
        required=False,
        max_length=200,
        help_text="The client, or who agreed for them (e.g. 'Jordan Lee, parent').",
    )
    agreed_on = forms.DateField(label="Agreed on", required=False, widget=DATE)
    agreement_method = forms.ChoiceField(
        label="How",
        required=False,
        choices=[("", "Not yet recorded"), *AgreementMethod.choices],
    )


class ProblemForm(forms.Form):
    diagnosis = forms.ChoiceField(label="Diagnosis")
    statement = forms.CharField(
        label="Problem",
        max_length=MAX_STATEMENT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The problem as the client experiences it, in a sentence or two.",
    )

    def __init__(self, *args, client, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["diagnosis"].choices = [
            (d.code, f"{d.code} {d.description}")
            for d in client.diagnoses.filter(resolved_date__isnull=True).order_by(
                "-is_primary", "code"
            )
        ]


class GoalForm(forms.Form):
    text = forms.CharField(
        label="New goal",
        max_length=MAX_TEXT,
        help_text="Measurable: what will be different, by how much.",
    )


class ObjectiveForm(forms.Form):
    text = forms.CharField(label="New objective", max_length=MAX_TEXT)
    target_date = forms.DateField(label="Target date", widget=DATE)


class InterventionForm(forms.Form):
    modality = forms.ChoiceField(label="Modality", choices=[("", "Choose…"), *Intervention.choices])
    frequency = forms.CharField(
        label="Frequency", max_length=MAX_FREQUENCY, help_text="e.g. 'Weekly, 50 minutes'."
    )


class ItemTextForm(forms.Form):
    text = forms.CharField(label="New wording", max_length=MAX_STATEMENT)


class RemoveForm(forms.Form):
    """Nothing to fill in: the item is named by the form's target."""
