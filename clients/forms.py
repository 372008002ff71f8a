from __future__ import annotations

from django import forms
from django.utils import timezone

from clients.icd10 import validate_billable
from clients.models import CareTeamRole, Client, CollateralContact
from practice.models import User
from practice.querystrings import PlausibleDateField
from practice.roles import CLINICAL_ROLES


class DateInput(forms.DateInput):
    input_type = "date"


class ClientForm(forms.ModelForm):
    class Meta:
        model = Client
        fields = [
            "legal_first_name",
            "legal_last_name",
            "preferred_name",
            "pronouns",
            "date_of_birth",
            "mrn",
            "phone",
            "email",
            "address",
            "appointment_reminders",
        ]
        widgets = {"date_of_birth": DateInput(), "address": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"mrn": "Leave blank to assign the next practice MRN."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mrn"].required = False

    def clean_date_of_birth(self):
        dob = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if dob > today:
            raise forms.ValidationError("The date of birth cannot be in the future.")
        if dob.year < today.year - 120:
            raise forms.ValidationError("Check the year: that is over 120 years ago.")
        return dob


class CareTeamAddForm(forms.Form):
    clinician = forms.ModelChoiceField(queryset=User.objects.none())
    role = forms.ChoiceField(choices=CareTeamRole.choices, initial=CareTeamRole.MEMBER)

    def __init__(self, *args, client: Client, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = (
            User.objects.filter(is_active=True, groups__name__in=[str(r) for r in CLINICAL_ROLES])
            .exclude(care_teams__client=client)
            .distinct()
            .order_by("last_name", "first_name")
        )
        self.fields["clinician"].label_from_instance = lambda u: u.signature_name


class DiagnosisForm(forms.Form):
    code = forms.CharField(
        label="ICD-10-CM code",
        max_length=10,
        help_text="A billable code, e.g. F41.1. Mental-health (F) codes are covered diagnoses.",
    )
    is_primary = forms.BooleanField(label="Primary diagnosis", required=False)
    onset_date = PlausibleDateField(required=False, widget=DateInput())

    def clean_code(self):
        code, self.description = validate_billable(self.cleaned_data["code"])
        return code


class DiagnosisResolveForm(forms.Form):
    resolved_date = PlausibleDateField(widget=DateInput(), initial=timezone.localdate)


class CollateralForm(forms.ModelForm):
    class Meta:
        model = CollateralContact
        fields = [
            "name",
            "relationship",
            "organization",
            "phone",
            "email",
            "fax",
            "is_personal_representative",
            "representative_authority",
        ]


class SuspendRepresentationForm(forms.Form):
    reason = forms.CharField(
        label="Reason for suspending",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="For example a documented concern of abuse, neglect or endangerment "
        "(45 CFR 164.502(g)(5)). Kept on the contact record, not in the audit trail.",
    )


class ReleaseForm(forms.Form):
    signed_date = PlausibleDateField(widget=DateInput())
    expires_on = PlausibleDateField(widget=DateInput(), help_text="Most releases last one year.")
    scope = forms.CharField(
        max_length=300, help_text="What may be shared, e.g. attendance, progress, safety concerns."
    )

    def clean(self):
        data = super().clean()
        signed, expires = data.get("signed_date"), data.get("expires_on")
        if signed and signed > timezone.localdate():
            self.add_error("signed_date", "The signed date cannot be in the future.")
        if signed and expires and expires < signed:
            self.add_error("expires_on", "The release cannot expire before it was signed.")
        return data


class RevokeForm(forms.Form):
    reason = forms.CharField(max_length=300, label="Reason for revocation")


class DischargeForm(forms.Form):
    discharge_date = PlausibleDateField(widget=DateInput(), initial=timezone.localdate)

    def clean_discharge_date(self):
        day = self.cleaned_data["discharge_date"]
        if day > timezone.localdate():
            raise forms.ValidationError("The discharge date cannot be in the future.")
        return day
