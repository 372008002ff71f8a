"""factory_boy factories for the records every app's tests need."""

from __future__ import annotations

import hashlib
import uuid as uuid_module
from datetime import date, time, timedelta
from pathlib import Path

import factory
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone

from clients.models import (
    CareTeamMember,
    Client,
    CollateralContact,
    Diagnosis,
    ReleaseOfInformation,
)
from contacts.models import kind_for_reason
from notes.cpt import suggest_cpt
from notes.psychotherapy import sealing
from practice.models import User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))
        self.save()


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    mrn = factory.Sequence(lambda n: f"T-{n:06d}")
    legal_first_name = factory.Faker("first_name")
    legal_last_name = factory.Faker("last_name")
    date_of_birth = date(1990, 5, 17)
    pronouns = "they/them"


class DiagnosisFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Diagnosis

    client = factory.SubFactory(ClientFactory)
    code = "F41.1"
    description = "Generalized anxiety disorder"
    is_primary = True


class CollateralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CollateralContact

    client = factory.SubFactory(ClientFactory)
    name = factory.Faker("name")
    relationship = "parent"
    phone = "555-0100"


class ReleaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReleaseOfInformation

    contact = factory.SubFactory(CollateralFactory)
    signed_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=335))
    scope = "Attendance and progress"


__all__ = [
    "AppointmentFactory",
    "BillingExportFactory",
    "CareTeamMember",
    "ClientFactory",
    "CollateralFactory",
    "ContactNoteFactory",
    "DiagnosisFactory",
    "DocumentJobFactory",
    "PASSWORD",
    "ProcessNoteFactory",
    "ProgressNoteFactory",
    "ReleaseFactory",
    "plan_in_effect",
    "UserFactory",
]


def _minutes(start: time | None, end: time | None) -> int:
    if start is None or end is None:
        return 0
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


class ProgressNoteFactory(factory.django.DjangoModelFactory):
    """A draft SOAP note; sign it through notes.services in tests that need one signed."""

    class Meta:
        model = "notes.ProgressNote"

    client = factory.SubFactory(ClientFactory)
    author = factory.SubFactory(UserFactory)
    format = "soap"
    service_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=1))
    start_time = time(10, 0)
    end_time = time(10, 53)
    service_type = "individual"
    diagnoses = factory.LazyFunction(
        lambda: [{"code": "F41.1", "description": "Generalized anxiety disorder"}]
    )
    subjective = "Reports worry most days, sleeping five hours."
    objective = "Alert, anxious affect, good eye contact."
    assessment = "Anxiety symptoms persist; engaged in treatment."
    plan = "Continue weekly CBT; practice breathing daily."
    symptoms = "Excessive worry, insomnia, muscle tension."
    functional_impairment = "Missed two workdays this month due to worry."
    progress = "Uses breathing exercise twice a week; worry ratings down from 8 to 6."
    interventions = factory.LazyFunction(lambda: ["cbt", "psychoeducation"])
    risk_level = "low"
    # The code follows the session, as notes.services would suggest it.
    cpt_suggested = factory.LazyAttribute(
        lambda n: suggest_cpt(n.service_type, _minutes(n.start_time, n.end_time))
    )
    cpt_code = factory.LazyAttribute(lambda n: n.cpt_suggested)


def process_note_key(user, password: str = PASSWORD) -> bytes:
    """The author's process-note key as their sign-in with ``password`` opens
    it (made at the first one, as notes/psychotherapy/signals.py does)."""
    from notes.psychotherapy import sealing

    return sealing.unlock_with_password(user, password) or sealing.author_key_create(
        author=user, password=password
    )


class AppointmentFactory(factory.django.DjangoModelFactory):
    """A scheduled 50-minute session tomorrow at 10:00 local. Status changes go
    through clients.schedule.services in tests that need them."""

    class Meta:
        model = "clients.Appointment"

    client = factory.SubFactory(ClientFactory)
    clinician = factory.SubFactory(UserFactory)
    start = factory.LazyFunction(
        lambda: timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
        + timedelta(days=1)
    )
    duration_minutes = 50
    service_type = "individual"


class ContactNoteFactory(factory.django.DjangoModelFactory):
    """A draft contact note with the client an hour ago (sign it through
    contacts.services, or use ``contact_note`` with ``sign=True`` there)."""

    class Meta:
        model = "contacts.ContactNote"

    client = factory.SubFactory(ClientFactory)
    author = factory.SubFactory(UserFactory)
    contact_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    person_name = factory.LazyAttribute(lambda n: n.client.display_name)
    relationship = "Client"
    reason = "treatment_update"
    kind = factory.LazyAttribute(lambda n: kind_for_reason(n.reason))
    means = factory.LazyFunction(lambda: ["phone"])
    summary = "Discussed the week's homework."
    minutes = 15


class ProcessNoteFactory(factory.django.DjangoModelFactory):
    """A process note sealed with its author's key (``process_note_key``) under the
    configured key set. Tests of access go through notes.psychotherapy.services,
    which also grants the author's object permissions."""

    class Meta:
        model = "psychotherapy.ProcessNote"
        exclude = ("text", "sealed")

    uuid = factory.LazyFunction(uuid_module.uuid4)
    client = factory.SubFactory(ClientFactory)
    author = factory.SubFactory(UserFactory)
    text = "A private reflection."
    sealed = factory.LazyAttribute(
        lambda n: sealing.encrypt_note(process_note_key(n.author), n.uuid, n.text)
    )
    ciphertext = factory.LazyAttribute(lambda n: n.sealed[0])
    key_id = factory.LazyAttribute(lambda n: n.sealed[1])
    sealed_with = factory.LazyAttribute(lambda n: n.sealed[2])


class DocumentJobFactory(factory.django.DjangoModelFactory):
    """A finished job with one small file already on disk (under
    settings.PRIVATE_FILES_DIR), so pages and downloads can be tested without
    rendering or signing a real PDF. ``content`` sets the file's bytes."""

    class Meta:
        model = "documents.DocumentJob"
        exclude = ("content",)

    kind = "chart_export"
    requested_by = factory.SubFactory(UserFactory)
    params = factory.LazyFunction(
        lambda: {
            "start": str(timezone.localdate() - timedelta(days=30)),
            "end": str(timezone.localdate()),
        }
    )
    status = "done"
    progress = 100
    uuid = factory.LazyFunction(uuid_module.uuid4)
    content = b"%PDF-1.7 small test file"
    files = factory.LazyAttribute(
        lambda job: write_job_file(job.uuid, job.content) if job.status == "done" else {}
    )
    finished_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


def write_job_file(job_uuid, data: bytes, key: str = "pdf") -> dict:
    """Put ``data`` where a finished job keeps its file; returns the job's ``files``."""
    folder = Path(settings.PRIVATE_FILES_DIR) / "jobs" / str(job_uuid)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / key).write_bytes(data)
    return {
        key: {
            "name": f"test-{str(job_uuid)[:8]}.pdf",
            "path": str((folder / key).relative_to(settings.PRIVATE_FILES_DIR)),
            "sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data),
            "content_type": "application/pdf",
            "label": "signed PDF",
            "order": 0,
        }
    }


class BillingExportFactory(factory.django.DjangoModelFactory):
    """A live export of last month with no items (use billing.services for real ones)."""

    class Meta:
        model = "billing.BillingExport"

    created_by = factory.SubFactory(UserFactory)
    period_start = factory.LazyFunction(
        lambda: (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    )
    period_end = factory.LazyFunction(
        lambda: timezone.localdate().replace(day=1) - timedelta(days=1)
    )


def contact_note(
    client,
    author,
    *,
    sign=True,
    minutes=15,
    billable=False,
    reason="treatment_update",
    summary_prefix="SUMMARY",
    **kw,
):
    """A contact note written through the real contacts service (rules, audit,
    signing), an hour ago by default; the summary names reason and minutes."""
    from contacts import services

    return services.contact_note_create(
        client=client,
        author=author,
        contact_at=kw.pop("contact_at", timezone.now() - timedelta(hours=1)),
        reason=reason,
        means=kw.pop("means", ["phone"]),
        minutes=minutes,
        billable=billable,
        summary=kw.pop("summary", f"{summary_prefix}-{reason}-{minutes}"),
        sign=sign,
        **kw,
    )


def plan_in_effect(client, author, *, days_ago: int = 365):
    """A treatment plan signed ``days_ago`` and not due for review, on the client's
    primary diagnosis: the background most note tests need (the necessity check
    counts a missing plan). Written directly, without audit rows; the plans'
    own tests write theirs through notes.plans.services."""
    from notes.plans.models import TreatmentPlan

    dx = client.diagnoses.order_by("-is_primary", "id").first()
    today = timezone.localdate()
    plan = TreatmentPlan(
        client=client,
        author=author,
        version=1,
        problems=[
            {
                "key": "00000000-0000-4000-8000-000000000001",
                "diagnosis": {"code": dx.code, "description": dx.description},
                "statement": "Worry keeps the client from work and sleep.",
                "goals": [
                    {
                        "key": "00000000-0000-4000-8000-000000000002",
                        "text": "Fewer days lost to worry",
                        "objectives": [
                            {
                                "key": "00000000-0000-4000-8000-000000000003",
                                "text": "Use a worry-time routine five days a week",
                                "target_date": (today + timedelta(days=60)).isoformat(),
                            }
                        ],
                    }
                ],
                "interventions": [
                    {
                        "key": "00000000-0000-4000-8000-000000000004",
                        "modality": "cbt",
                        "frequency": "Weekly, 50 minutes",
                    }
                ],
            }
        ],
        review_due=today + timedelta(days=90),
        agreed_by="The client",
        agreed_on=today - timedelta(days=days_ago),
        agreement_method="in_person",
        status="signed",
        signed_at=timezone.now() - timedelta(days=days_ago),
        signer_name=author.get_full_name() or author.username,
        signer_credentials=author.credentials,
    )
    plan.content_hash = plan.compute_hash()
    plan.save()
    return plan
