"""Measurement-based care in the browser: a PHQ-9 given in client mode on a
tablet-sized screen, the locked session refusing a typed URL, the clinician's
password taking the device back, and the chart's trend showing three scores.
Screenshots of client mode and the trend at 1280 and 768 px go to test-artifacts/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from notes.measures import services
from notes.measures.models import GivenBy, MeasureResult
from notes.plans.models import TreatmentPlan
from tests.browser.conftest import ARTIFACTS, assert_accessible, assert_fits
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def _shot(page, name: str, width: int, locator=None) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    target = locator if locator is not None else page
    kwargs = {} if locator is not None else {"full_page": True}
    target.screenshot(path=str(ARTIFACTS / f"measures-{name}-{width}.png"), **kwargs)


def test_phq9_in_client_mode_and_the_trend(page, sign_in, alice, client_record):
    for days, answers in ((56, [3, 3, 2, 2, 2, 2, 2, 1, 0]), (28, [2, 2, 2, 1, 1, 1, 1, 1, 0])):
        services.measure_record(
            client=client_record,
            instrument="phq9",
            answers=answers,
            clinician=alice,
            now=timezone.now() - timedelta(days=days),
        )
    sign_in(alice)
    chart = f"/clients/{client_record.uuid}/"
    page.goto(chart)
    page.get_by_role("button", name="PHQ-9 in client mode").click()
    expect(page.get_by_role("heading", name="Patient Health Questionnaire (PHQ-9)")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
    for width in (1280, 768):
        _shot(page, "client-mode", width)
    assert_accessible(page)
    assert_fits(page, 768)

    # Typing another URL leads straight back to the questionnaire.
    page.goto(chart)
    expect(page).to_have_url(f"{page.url.split('/measures/')[0]}/measures/client-mode/")
    expect(page.get_by_text(client_record.mrn)).to_have_count(0)

    answers = [1, 1, 1, 0, 1, 0, 1, 0, 1]
    for number, value in enumerate(answers, start=1):
        group = page.get_by_role("group", name=f"{number}.", exact=False).first
        group.get_by_role("radio").nth(value).check()
    page.get_by_role("button", name="I'm done").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    page.get_by_role("link", name="Clinician: end client mode").click()
    page.get_by_label("Clinician's password").fill("not-my-password")
    page.get_by_role("button", name="Unlock").click()
    expect(page.get_by_text("That is not the password")).to_be_visible()
    page.get_by_label("Clinician's password").fill(PASSWORD)
    page.get_by_role("button", name="Unlock").click()

    # The clinician is told of item 9 at once, on the result page.
    expect(page.get_by_text("Suicide-item alert.")).to_be_visible()
    result = MeasureResult.objects.order_by("-completed_at").first()
    assert (result.total, result.given_by, result.alert) == (6, GivenBy.CLIENT, True)

    page.goto(chart + "#measures")
    trend = page.locator("#trend-phq9")
    expect(trend.locator("circle")).to_have_count(3)
    expect(page.get_by_role("img", name="PHQ-9 total scores over time")).to_be_visible()
    expect(page.get_by_text("Suicide-item alert.")).to_be_visible()
    page.get_by_text("PHQ-9 scores as a table").click()
    rows = page.locator("#measures details table tbody tr")
    expect(rows).to_have_count(3)
    assert_accessible(page)
    section = page.locator("#measures")
    for width in (1280, 768):
        assert_fits(page, width)
        _shot(page, "trend", width, locator=section)

    # The treatment-plan page shows the same trend (client_record has a plan in effect).
    plan = TreatmentPlan.objects.filter(client=client_record).latest("version")
    page.goto(f"/plans/{plan.uuid}/")
    expect(page.locator("#plan-trend-phq9 circle")).to_have_count(3)
    assert_accessible(page)
    _shot(page, "plan-trend", 1280, locator=page.locator(".measures-trends"))

    for url in (
        f"/measures/client/{client_record.uuid}/give/gad7/",
        f"/measures/client/{client_record.uuid}/repeats/",
        f"/measures/{result.uuid}/",
    ):
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(url)
        assert_accessible(page)
        assert_fits(page, 768)
