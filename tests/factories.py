"""factory_boy factories for the records every app's tests need."""

from __future__ import annotations

from datetime import date, time, timedelta

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from clients.models import (
    CareTeamMember,
    Client,
    CollateralContact,
    Diagnosis,
    ReleaseOfInformation,
)
from notes.cpt import suggest_cpt
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
    "CareTeamMember",
    "ClientFactory",
    "CollateralFactory",
    "DiagnosisFactory",
    "PASSWORD",
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
