"""The standard measures the practice gives, read from the data file the project
ships (``data/instruments.json``): items, answer scale, scoring, severity bands
and LOINC codes. Scoring lives here and nowhere else.

PHQ-9 and GAD-7 are public domain (Spitzer, Williams, Kroenke and colleagues).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).with_name("data") / "instruments.json"


class ScoringError(ValueError):
    """The answers do not fit the instrument (wrong count or a value off the scale)."""


@dataclass(frozen=True)
class Answer:
    value: int
    label: str


@dataclass(frozen=True)
class MeasureItem:
    number: int
    text: str
    loinc: str = ""
    # An answer above this value raises the alert (PHQ-9 item 9: any answer above 0).
    alert_above: int | None = None


@dataclass(frozen=True)
class Band:
    key: str
    label: str
    min: int
    max: int


@dataclass(frozen=True)
class Score:
    total: int
    band: Band
    alert_items: tuple[int, ...]


@dataclass(frozen=True)
class Instrument:
    key: str
    name: str
    title: str
    construct: str
    loinc_panel: str
    loinc_total: str
    stem: str
    answers: tuple[Answer, ...]
    items: tuple[MeasureItem, ...]
    difficulty_text: str
    difficulty_answers: tuple[Answer, ...]
    max_score: int
    bands: tuple[Band, ...]

    @property
    def thresholds(self) -> list[int]:
        """Lower bounds of every band above the lowest (PHQ-9: 5, 10, 15, 20)."""
        return [b.min for b in self.bands[1:]]

    def band_for(self, total: int) -> Band:
        for band in self.bands:
            if band.min <= total <= band.max:
                return band
        raise ScoringError(f"{self.name} total {total} is outside 0-{self.max_score}.")

    def band_label(self, key: str) -> str:
        return next((b.label for b in self.bands if b.key == key), key)

    def score(self, answers: list[int] | tuple[int, ...]) -> Score:
        """Sum of the item answers, its severity band and the items that alert."""
        answers = list(answers)
        if len(answers) != len(self.items):
            raise ScoringError(f"{self.name} has {len(self.items)} items, got {len(answers)}.")
        allowed = {a.value for a in self.answers}
        if any(not isinstance(v, int) or isinstance(v, bool) or v not in allowed for v in answers):
            raise ScoringError(f"{self.name} answers must be one of {sorted(allowed)}.")
        total = sum(answers)
        alerts = tuple(
            item.number
            for item, value in zip(self.items, answers, strict=True)
            if item.alert_above is not None and value > item.alert_above
        )
        return Score(total=total, band=self.band_for(total), alert_items=alerts)


def _answers(rows) -> tuple[Answer, ...]:
    return tuple(Answer(int(r["value"]), r["label"]) for r in rows)


@cache
def _load() -> dict[str, Instrument]:
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    instruments = {}
    for row in raw["instruments"]:
        if row.get("scoring") != "sum":
            raise ValueError(f"unsupported scoring {row.get('scoring')!r} for {row['key']}")
        instrument = Instrument(
            key=row["key"],
            name=row["name"],
            title=row["title"],
            construct=row["construct"],
            loinc_panel=row["loinc_panel"],
            loinc_total=row["loinc_total"],
            stem=row["stem"],
            answers=_answers(row["answers"]),
            items=tuple(
                MeasureItem(
                    number=int(i["number"]),
                    text=i["text"],
                    loinc=i.get("loinc", ""),
                    alert_above=i.get("alert_above"),
                )
                for i in row["items"]
            ),
            difficulty_text=row["difficulty"]["text"],
            difficulty_answers=_answers(row["difficulty"]["answers"]),
            max_score=int(row["max_score"]),
            bands=tuple(
                Band(b["key"], b["label"], int(b["min"]), int(b["max"])) for b in row["bands"]
            ),
        )
        # The bands must tile 0..max exactly: a gap would leave a score without severity.
        expected = 0
        for band in instrument.bands:
            if band.min != expected:
                raise ValueError(f"{instrument.key}: bands do not start at {expected}")
            expected = band.max + 1
        if expected != instrument.max_score + 1:
            raise ValueError(f"{instrument.key}: bands do not end at {instrument.max_score}")
        instruments[instrument.key] = instrument
    return instruments


def all_instruments() -> list[Instrument]:
    return list(_load().values())


def get(key: str) -> Instrument:
    try:
        return _load()[key]
    except KeyError:
        raise ScoringError(f"Unknown measure {key!r}.") from None


def choices() -> list[tuple[str, str]]:
    return [(i.key, i.name) for i in all_instruments()]
