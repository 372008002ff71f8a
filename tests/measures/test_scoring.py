"""PHQ-9 and GAD-7 scoring against the published bands, one test per boundary.

PHQ-9 (Kroenke, Spitzer & Williams 2001): 0-4 minimal, 5-9 mild, 10-14
moderate, 15-19 moderately severe, 20-27 severe. GAD-7 (Spitzer et al. 2006):
0-4 minimal, 5-9 mild, 10-14 moderate, 15-21 severe.
"""

from __future__ import annotations

import pytest

from notes.measures import instruments
from notes.measures.models import InstrumentKey
from tests.measures.conftest import gad7, phq9

PHQ9_BOUNDARIES = [
    (0, "minimal"),
    (4, "minimal"),
    (5, "mild"),
    (9, "mild"),
    (10, "moderate"),
    (14, "moderate"),
    (15, "moderately_severe"),
    (19, "moderately_severe"),
    (20, "severe"),
    (27, "severe"),
]
GAD7_BOUNDARIES = [
    (0, "minimal"),
    (4, "minimal"),
    (5, "mild"),
    (9, "mild"),
    (10, "moderate"),
    (14, "moderate"),
    (15, "severe"),
    (21, "severe"),
]


@pytest.mark.parametrize("total,band", PHQ9_BOUNDARIES)
def test_phq9_band_boundaries(total, band):
    # Above 24 item 9 must carry the rest (eight items give at most 24).
    score = instruments.get("phq9").score(phq9(total, item9=max(0, total - 24)))
    assert (score.total, score.band.key) == (total, band)


@pytest.mark.parametrize("total,band", GAD7_BOUNDARIES)
def test_gad7_band_boundaries(total, band):
    score = instruments.get("gad7").score(gad7(total))
    assert (score.total, score.band.key) == (total, band)


def test_published_example_phq9_moderately_severe_with_item9():
    # Answers 3,3,2,2,1,2,1,1,1: total 16 (moderately severe), item 9 positive.
    score = instruments.get("phq9").score([3, 3, 2, 2, 1, 2, 1, 1, 1])
    assert score.total == 16
    assert score.band.label == "Moderately severe"
    assert score.alert_items == (9,)


def test_item9_zero_raises_no_alert_whatever_the_total():
    assert instruments.get("phq9").score([3] * 8 + [0]).alert_items == ()


def test_gad7_items_never_alert():
    assert instruments.get("gad7").score([3] * 7).alert_items == ()


def test_thresholds_and_loinc_codes_come_from_the_data_file():
    phq, gad = instruments.get("phq9"), instruments.get("gad7")
    assert phq.thresholds == [5, 10, 15, 20]
    assert gad.thresholds == [5, 10, 15]
    assert phq.loinc_total == "44261-6"
    assert phq.items[8].loinc == "44260-8"
    assert gad.loinc_total == "70274-6"
    assert (len(phq.items), phq.max_score, len(gad.items), gad.max_score) == (9, 27, 7, 21)


@pytest.mark.parametrize(
    "answers",
    [[0] * 8, [0] * 10, [0] * 8 + [4], [0] * 8 + [-1], [0] * 8 + ["1"], [0] * 8 + [True]],
)
def test_answers_off_the_scale_are_refused(answers):
    with pytest.raises(instruments.ScoringError):
        instruments.get("phq9").score(answers)


def test_model_choices_match_the_data_file():
    assert {i.key for i in instruments.all_instruments()} == set(InstrumentKey.values)
