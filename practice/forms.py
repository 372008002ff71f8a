from __future__ import annotations

from django import forms

from practice.models import PracticeSettings, User
from practice.roles import CLINICAL_ROLES, Role


class StaffForm(forms.ModelForm):
    """A staff account as a practice admin sees it. There is no password here:
    credentials are the user's own (practice/credentials.py); the admin issues
    a one-time reset code instead. The practice-admin role is not offered: no
    admin makes another admin (the operator does, audited)."""

    role = forms.ChoiceField(choices=[c for c in Role.choices if c[0] != Role.PRACTICE_ADMIN])

    class Meta:
        model = User
        fields = [
            "username",
            "first_name",
            "last_name",
            "email",
            "credentials",
            "license_number",
            "npi",
            "requires_cosign",
            "supervisor",
            "is_active",
        ]

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = User.objects.filter(
            is_active=True, groups__name=Role.SUPERVISOR
        ).order_by("last_name")
        self.fields["supervisor"].label_from_instance = lambda u: u.signature_name
        if self.instance.pk:
            self.fields["role"].initial = self.instance.role
        if actor is not None and self.instance.pk == actor.pk:
            # An admin editing their own account keeps their role: nobody
            # changes their own standing.
            self.fields["role"].choices = Role.choices
            self.fields["role"].disabled = True
            self.fields["is_active"].disabled = True

    def clean(self):
        data = super().clean()
        role = data.get("role")
        if data.get("requires_cosign") and not data.get("supervisor"):
            self.add_error("supervisor", "A clinician who needs co-signature needs a supervisor.")
        if data.get("supervisor") and role not in CLINICAL_ROLES:
            self.add_error("supervisor", "Only clinicians have clinical supervisors.")
        if data.get("supervisor") and data.get("supervisor") == self.instance and self.instance.pk:
            self.add_error("supervisor", "Nobody supervises themselves.")
        return data


class PracticeSettingsForm(forms.ModelForm):
    class Meta:
        model = PracticeSettings
        fields = [
            "name",
            "address",
            "phone",
            "npi",
            "tax_id",
            "retention_years",
            "age_of_majority",
            "no_show_fee",
            "late_cancel_fee",
            "late_cancel_window_hours",
            "export_expiry_days",
            "mrn_prefix",
            "plan_review_days",
            "require_mfa",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 2})}
        labels = {
            "name": "Practice name",
            "tax_id": "Tax ID",
            "mrn_prefix": "MRN prefix",
            "retention_years": "Retention (years)",
            "no_show_fee": "No-show fee ($)",
            "late_cancel_fee": "Late-cancellation fee ($)",
            "late_cancel_window_hours": "Late-cancellation notice window (hours)",
            "export_expiry_days": "Keep generated files (days)",
        }
