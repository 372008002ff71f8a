"""Measure pages: who sees what, what is audited, the chart's trends and
query count, repeats listed when due."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notes.measures import selectors, services
from notes.measures.models import MeasureResult, MeasureSchedule
from notes.measures.trends import trends_for
from practice.models import AuditAction, AuditEvent
from practice.signing import FrozenRecordError
from tests.measures.conftest import gad7, phq9

pytestmark = pytest.mark.django_db


def test_the_chart_shows_each_trend_with_thresholds_and_a_table(give, client_record, alice, login):
    for days, total in ((56, 18), (28, 12), (0, 7)):
        give("phq9", phq9(total), days_ago=days)
    give("gad7", gad7(11))
    page = login(alice).get(f"/clients/{client_record.uuid}/").content.decode()
    assert 'id="trend-phq9"' in page and 'id="trend-gad7"' in page
    assert "3 scores from" in page and ": 18, 12, 7. Latest 7 of 27 (Mild)." in page
    assert "down 11 since" in page
    # The text alternative lists every score.
    assert "PHQ-9 scores as a table" in page
    # PHQ-9 has four thresholds drawn as dashed lines, GAD-7 three.
    svg = page[page.index('id="trend-phq9"') : page.index("</svg>", page.index('id="trend-phq9"'))]
    assert svg.count('stroke-dasharray="4 3"') == 4
    assert svg.count("<circle") == 3


def test_the_svg_is_safe_under_the_strict_csp(give, client_record):
    give("phq9", phq9(5))
    svg = str(trends_for(list(MeasureResult.objects.all()))[0].svg)
    assert "style=" not in svg and "<script" not in svg and "<style" not in svg
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg


@pytest.mark.parametrize("who,status", [("fran", 200), ("bill", 200), ("ada", 200)])
def test_front_desk_billers_and_admins_see_no_measures_on_the_chart(
    give, client_record, people, login, who, status
):
    give("phq9", phq9(14, item9=1))
    response = login(people[who]).get(f"/clients/{client_record.uuid}/")
    assert response.status_code == status
    page = response.content.decode()
    assert "PHQ-9" not in page and "Suicide-item" not in page


@pytest.mark.parametrize(
    "who,status",
    [
        ("alice", 200),
        ("audrey", 200),
        ("fran", 403),
        ("bill", 403),
        ("ada", 403),
        ("bob", 404),
        ("root", 404),
    ],
)
def test_reading_a_result_is_for_clinical_readers_only_and_audited(
    give, people, login, who, status
):
    result = give("phq9", phq9(10))
    before = AuditEvent.objects.count()
    response = login(people[who]).get(f"/measures/{result.uuid}/")
    assert response.status_code == status
    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() > before
    if status == 200:
        assert event.action == AuditAction.VIEW and event.object_id == str(result.uuid)
        assert "Little interest or pleasure" in response.content.decode()
    else:
        assert event.action == AuditAction.ACCESS_DENIED


def test_auditors_read_but_do_not_give(client_record, audrey, login):
    url = f"/measures/client/{client_record.uuid}/give/phq9/"
    assert login(audrey).get(url).status_code == 403


def test_entering_a_measure_keeps_what_was_typed_and_names_the_gap(client_record, alice, login):
    http = login(alice)
    url = f"/measures/client/{client_record.uuid}/give/gad7/"
    data = {f"item_{i}": "2" for i in range(1, 7)}
    response = http.post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Answer question 7." in page
    assert page.count(" checked>") == 6
    data["item_7"] = "9"  # off the scale: refused, not a 500
    assert http.post(url, data).status_code == 400
    data["item_7"] = "3"
    response = http.post(url, data)
    result = MeasureResult.objects.get()
    assert response["Location"] == f"/measures/{result.uuid}/"
    assert (result.total, result.band, result.given_by) == (15, "severe", "clinician")
    event = AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(result.uuid)).get()
    assert event.detail == {"instrument": "gad7", "given_by": "clinician"}


def test_unknown_measure_is_a_404(client_record, alice, login):
    assert login(alice).get(f"/measures/client/{client_record.uuid}/give/bdi/").status_code == 404


def test_a_recorded_measure_is_final(give):
    result = give("phq9", phq9(3))
    with pytest.raises(FrozenRecordError):
        result.save()
    with pytest.raises(FrozenRecordError):
        result.delete()


def test_the_database_refuses_to_change_a_result(give):
    result = give("phq9", phq9(3))
    with pytest.raises(DatabaseError), transaction.atomic():
        MeasureResult.objects.filter(pk=result.pk).update(total=0)
    with pytest.raises(DatabaseError), transaction.atomic():
        MeasureResult.objects.filter(pk=result.pk).delete()


def _bulk_results(client, clinician, count):
    now = timezone.now()
    MeasureResult.objects.bulk_create(
        MeasureResult(
            client=client,
            instrument="phq9" if i % 2 else "gad7",
            answers=phq9(i % 20) if i % 2 else gad7(i % 20),
            total=i % 20,
            band="mild",
            alert=False,
            given_by="clinician",
            clinician=clinician,
            completed_at=now - timedelta(days=7 * i),
        )
        for i in range(count)
    )


def _count(http, url) -> int:
    http.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = http.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_chart_queries_do_not_grow_with_50_measures(client_record, alice, login):
    http = login(alice)
    url = f"/clients/{client_record.uuid}/"
    services.measure_schedule_set(
        client=client_record,
        instrument="phq9",
        every_days=28,
        starts_on=timezone.localdate(),
        actor=alice,
    )
    _bulk_results(client_record, alice, 2)
    with_two = _count(http, url)
    _bulk_results(client_record, alice, 50)
    with_52 = _count(http, url)
    assert with_52 == with_two
    assert http.get(url).content.decode().count("<circle") == 52


def test_a_repeat_is_listed_on_the_caseload_when_due(client_record, alice, login, give):
    http = login(alice)
    response = http.post(
        f"/measures/client/{client_record.uuid}/repeats/",
        {"instrument": "phq9", "every_weeks": "4", "starts_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    caseload = http.get("/clients/caseload/").content.decode()
    assert "Measures due" in caseload and client_record.display_name in caseload
    # Given today: next due in 4 weeks, so no longer listed.
    give("phq9", phq9(4))
    assert "Measures due" not in http.get("/clients/caseload/").content.decode()


@pytest.mark.parametrize("days_ago,listed", [(29, True), (28, True), (27, False)])
def test_due_again_an_interval_after_the_last_time(client_record, alice, give, days_ago, listed):
    services.measure_schedule_set(
        client=client_record,
        instrument="phq9",
        every_days=28,
        starts_on=timezone.localdate() - timedelta(days=60),
        actor=alice,
    )
    give("phq9", phq9(4), days_ago=days_ago)
    give("gad7", gad7(4), days_ago=100)  # another measure does not count
    due = selectors.due_for(alice)
    assert bool(due) is listed
    if listed:
        assert due[0].last_on == timezone.localdate() - timedelta(days=days_ago)


def test_setting_a_repeat_again_replaces_it_and_stop_keeps_the_row(client_record, alice, login):
    http = login(alice)
    url = f"/measures/client/{client_record.uuid}/repeats/"
    today = timezone.localdate().isoformat()
    http.post(url, {"instrument": "phq9", "every_weeks": "4", "starts_on": today})
    http.post(url, {"instrument": "phq9", "every_weeks": "2", "starts_on": today})
    active = MeasureSchedule.objects.get(active=True)
    assert active.every_days == 14 and MeasureSchedule.objects.count() == 2
    http.post(f"/measures/repeats/{active.uuid}/stop/")
    assert not MeasureSchedule.objects.filter(active=True).exists()
    # Bad input: a clear message, no 500.
    response = http.post(url, {"instrument": "phq9", "every_weeks": "3", "starts_on": "soon"})
    assert response.status_code == 400


def test_repeats_are_for_the_care_team(client_record, people, login):
    url = f"/measures/client/{client_record.uuid}/repeats/"
    assert login(people["fran"]).get(url).status_code == 403
    assert login(people["bob"]).get(url).status_code == 404
