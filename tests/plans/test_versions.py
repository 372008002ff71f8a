"""A signed plan version is frozen (in Python and by the database); a revision
is a new version, and the earlier one stays readable as it was signed."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from clients import services as client_services
from notes.plans import services
from notes.plans.models import TreatmentPlan
from notes.plans.selectors import active_plan
from practice.models import AuditEvent, PracticeSettings
from practice.signing import FrozenRecordError
from tests.plans.conftest import write_plan

pytestmark = pytest.mark.django_db


def test_signing_records_the_signature_and_the_review_date_from_the_setting(client_record, alice):
    settings = PracticeSettings.load()
    settings.plan_review_days = 60
    settings.save()
    plan = write_plan(client_record, alice)
    assert plan.is_signed and plan.hash_matches()
    assert plan.signer_name == "Alice Adams" and plan.signer_credentials == "LCSW"
    assert plan.review_due == timezone.localdate() + timedelta(days=60)
    assert active_plan(client_record) == plan
    assert AuditEvent.objects.filter(action="sign", object_id=str(plan.uuid)).exists()


def test_a_signed_version_refuses_orm_save_and_delete(signed_plan):
    plan = TreatmentPlan.objects.get(pk=signed_plan.pk)
    plan.problems[0]["statement"] = "Rewritten after signing"
    with pytest.raises(FrozenRecordError):
        plan.save()
    with pytest.raises(FrozenRecordError):
        plan.delete()
    assert TreatmentPlan.objects.get(pk=plan.pk).hash_matches()


def test_the_services_refuse_to_change_a_signed_version(signed_plan, alice):
    with pytest.raises(services.PlanRefused):
        services.plan_goal_add(
            plan=signed_plan,
            actor=alice,
            problem_key=signed_plan.problems[0]["key"],
            text="A goal added after signing",
        )
    with pytest.raises(services.PlanRefused):
        services.plan_sign(plan=signed_plan, actor=alice)


@pytest.mark.postgres
def test_the_trigger_rejects_raw_sql_on_a_signed_version_but_allows_one_cosign(
    client_record, sam, sue, ada
):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL trigger")
    client_services.care_team_add(client=client_record, clinician=sam, actor=ada, role="primary")
    plan = write_plan(client_record, sam)
    assert plan.awaiting_cosign
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "UPDATE plans_treatmentplan SET problems = '[]'::jsonb WHERE id = %s", [plan.pk]
        )
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE plans_treatmentplan SET review_due = now() WHERE id = %s", [plan.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM plans_treatmentplan WHERE id = %s", [plan.pk])
    # The co-signature may be filled in once, then it is frozen too.
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE plans_treatmentplan SET cosigned_at = now(), cosigner_id = %s, "
            "cosigner_name = 'Sue Stone', cosign_hash = 'abc' WHERE id = %s",
            [sue.pk, plan.pk],
        )
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE plans_treatmentplan SET cosigner_name = 'x' WHERE id = %s", [plan.pk])
    assert TreatmentPlan.objects.get(pk=plan.pk).hash_matches()


@pytest.mark.postgres
def test_a_draft_is_freely_editable_in_sql(client_record, alice):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL trigger")
    plan = write_plan(client_record, alice, sign=False)
    with connection.cursor() as cur:
        cur.execute("UPDATE plans_treatmentplan SET agreed_by = 'edited' WHERE id = %s", [plan.pk])
    assert TreatmentPlan.objects.get(pk=plan.pk).agreed_by == "edited"


def test_a_revision_is_a_new_version_and_the_old_one_stays_readable(
    signed_plan, client_record, alice, login
):
    old_hash = signed_plan.content_hash
    revision = services.plan_start(client=client_record, actor=alice)
    assert revision.version == 2 and not revision.is_signed
    # The revision starts as a copy, keeping every key (so goal histories carry over).
    assert revision.problems == signed_plan.problems
    assert not revision.agreed_on  # the client agrees to the revision afresh
    goal = revision.problems[0]["goals"][0]
    services.plan_item_edit(plan=revision, actor=alice, key=goal["key"], text="Sleep 8 hours")
    services.plan_item_remove(
        plan=revision, actor=alice, key=revision.problems[0]["goals"][1]["key"]
    )
    revision = write_plan(client_record, alice)  # agreement recorded, signed
    assert revision.version == 2 and revision.is_signed
    assert active_plan(client_record) == revision

    old = TreatmentPlan.objects.get(pk=signed_plan.pk)
    assert old.content_hash == old_hash and old.hash_matches()
    assert [g["text"] for g in old.goals()] == ["Sleep 7 hours", "Return to work full time"]
    assert [g["text"] for g in revision.goals()] == ["Sleep 8 hours"]
    assert revision.goals()[0]["key"] == goal["key"]

    http = login(alice)
    page = http.get(f"/plans/{old.uuid}/").content.decode()
    assert "Return to work full time" in page and "Superseded by version 2" in page
    page = http.get(f"/plans/client/{client_record.uuid}/").content.decode()
    assert "Sleep 8 hours" in page and "In effect" in page and "Version 1" in page


def test_only_one_draft_at_a_time_and_a_second_start_reopens_it(client_record, alice):
    first = services.plan_start(client=client_record, actor=alice)
    assert services.plan_start(client=client_record, actor=alice) == first
    assert TreatmentPlan.objects.filter(client=client_record).count() == 1


def test_signing_is_refused_until_the_plan_is_complete(client_record, alice):
    plan = services.plan_start(client=client_record, actor=alice)
    with pytest.raises(services.PlanRefused) as exc:
        services.plan_sign(plan=plan, actor=alice)
    message = str(exc.value)
    assert "at least one problem" in message and "client's agreement" in message
    problem = services.plan_problem_add(
        plan=plan, actor=alice, diagnosis_code="F41.1", statement="Worry"
    )
    services.plan_goal_add(plan=plan, actor=alice, problem_key=problem["key"], text="Less worry")
    plan.refresh_from_db()
    problems = services.sign_problems(plan)
    assert any("Goal 1.1 needs at least one objective" in p for p in problems)
    assert any("Problem 1 needs at least one planned intervention" in p for p in problems)
    assert not TreatmentPlan.objects.get(pk=plan.pk).is_signed


def test_a_problem_must_be_tied_to_an_active_diagnosis(client_record, alice):
    plan = services.plan_start(client=client_record, actor=alice)
    with pytest.raises(services.PlanRefused) as exc:
        services.plan_problem_add(plan=plan, actor=alice, diagnosis_code="F99", statement="x")
    assert "diagnosis" in exc.value.errors


def test_a_pre_licensed_clinicians_plan_takes_effect_when_co_signed(
    client_record, sam, sue, ada, login
):
    client_services.care_team_add(client=client_record, clinician=sam, actor=ada, role="primary")
    plan = write_plan(client_record, sam)
    assert plan.awaiting_cosign and active_plan(client_record) is None
    # Only the author's supervisor co-signs, once.
    assert login(sam).post(f"/plans/{plan.uuid}/cosign/").status_code == 403
    response = login(sue).post(f"/plans/{plan.uuid}/cosign/")
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.cosigned_at and plan.cosigner == sue and plan.cosign_hash_matches()
    assert active_plan(client_record) == plan
    assert login(sue).post(f"/plans/{plan.uuid}/cosign/").status_code == 403
