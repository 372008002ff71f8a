"""Trends: each measure's totals over time as a small server-drawn SVG with the
severity bands, plus the same numbers as rows for a text table.

Hand-written SVG with presentation attributes only (no ``style`` attribute, no
script), so it passes the strict CSP, prints, and renders in WeasyPrint's PDF
exactly as on screen. Every value drawn comes from our own data (numbers,
dates, band labels from the instruments file) and is escaped anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from notes.measures import instruments

WIDTH, HEIGHT = 560, 210
LEFT, RIGHT, TOP, BOTTOM = 36, 428, 12, 178
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
# Band fills from the lowest band up: calm to alarming, readable in grey print.
BAND_FILLS = ("#e8f5e9", "#f9fbe7", "#fff8e1", "#ffe0b2", "#ffcdd2")
LINE = "#1f4e8c"
ALERT = "#b71c1c"
AXIS = "#546e7a"


@dataclass(frozen=True)
class Point:
    uuid: str
    day: date
    total: int
    band: str
    alert: bool
    given_by: str


@dataclass(frozen=True)
class Trend:
    instrument: instruments.Instrument
    points: tuple[Point, ...]
    svg: SafeString

    @property
    def latest(self) -> Point:
        return self.points[-1]

    @property
    def change(self) -> int | None:
        """Latest total minus the first (negative is improvement)."""
        return self.points[-1].total - self.points[0].total if len(self.points) > 1 else None

    @property
    def change_text(self) -> str:
        change = self.change
        if not change:
            return "unchanged"
        return f"down {-change}" if change < 0 else f"up {change}"


def trends_for(results, *, id_prefix: str = "trend") -> list[Trend]:
    """One trend per instrument that has results, in the instruments file's order.
    ``results`` are MeasureResult rows, oldest first."""
    trends = []
    for spec in instruments.all_instruments():
        points = tuple(
            Point(
                uuid=str(r.uuid),
                day=timezone.localtime(r.completed_at).date(),
                total=r.total,
                band=spec.band_label(r.band),
                alert=r.alert,
                given_by=r.get_given_by_display(),
            )
            for r in results
            if r.instrument == spec.key
        )
        if points:
            svg = render_svg(spec, points, svg_id=f"{id_prefix}-{spec.key}")
            trends.append(Trend(instrument=spec, points=points, svg=svg))
    return trends


def _y(value: float, max_score: int) -> float:
    return round(BOTTOM - (value / max_score) * (BOTTOM - TOP), 1)


def _xs(days: list[date]) -> list[float]:
    """Time-proportional x positions; one day (or one point) sits in the middle."""
    first, last = days[0], days[-1]
    span = (last - first).days
    inner_left, inner_right = LEFT + 12, RIGHT - 12
    if span == 0:
        if len(days) == 1:
            return [(LEFT + RIGHT) / 2]
        step = (inner_right - inner_left) / (len(days) - 1)
        return [round(inner_left + i * step, 1) for i in range(len(days))]
    return [
        round(inner_left + (d - first).days / span * (inner_right - inner_left), 1) for d in days
    ]


def _text(x, y, body, *, anchor="start", size=11, fill="#37474f", weight=None) -> str:
    bold = f' font-weight="{weight}"' if weight else ""
    return (
        f'<text x="{x}" y="{y}" font-family="{FONT}" font-size="{size}" fill="{fill}" '
        f'text-anchor="{anchor}"{bold}>{escape(body)}</text>'
    )


def render_svg(spec: instruments.Instrument, points, *, svg_id: str) -> SafeString:
    top = spec.max_score
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend-svg" role="img" '
        f'width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'aria-labelledby="{svg_id}-t {svg_id}-d" id="{svg_id}">'
    ]
    latest = points[-1]
    summary = (
        f"{len(points)} score{'s' if len(points) != 1 else ''} from {points[0].day:%Y-%m-%d} "
        f"to {latest.day:%Y-%m-%d}: {', '.join(str(p.total) for p in points)}. "
        f"Latest {latest.total} of {top} ({latest.band})."
    )
    parts.append(f'<title id="{svg_id}-t">{escape(spec.name)} total scores over time</title>')
    parts.append(f'<desc id="{svg_id}-d">{escape(summary)}</desc>')
    # Severity bands, each shaded and named at the right with its score range.
    for i, band in enumerate(spec.bands):
        y_top = _y(min(band.max + 1, top), top)
        y_bottom = _y(band.min, top)
        fill = BAND_FILLS[min(i, len(BAND_FILLS) - 1)]
        parts.append(
            f'<rect x="{LEFT}" y="{y_top}" width="{RIGHT - LEFT}" '
            f'height="{round(y_bottom - y_top, 1)}" fill="{fill}"/>'
        )
        label = f"{band.label} {band.min}\u2013{band.max}"
        parts.append(_text(RIGHT + 6, round((y_top + y_bottom) / 2 + 4, 1), label, size=10))
    # Thresholds: the band boundaries (PHQ-9 5/10/15/20, GAD-7 5/10/15).
    for value in spec.thresholds:
        y = _y(value, top)
        parts.append(
            f'<line x1="{LEFT}" y1="{y}" x2="{RIGHT}" y2="{y}" stroke="#78909c" '
            f'stroke-width="1" stroke-dasharray="4 3"/>'
        )
    for value in (0, *spec.thresholds, top):
        parts.append(
            _text(LEFT - 5, round(_y(value, top) + 4, 1), str(value), anchor="end", size=10)
        )
    parts.append(
        f'<line x1="{LEFT}" y1="{BOTTOM}" x2="{RIGHT}" y2="{BOTTOM}" stroke="{AXIS}" '
        'stroke-width="1"/>'
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{BOTTOM}" stroke="{AXIS}" stroke-width="1"/>'
    )
    xs = _xs([p.day for p in points])
    coords = [(x, _y(p.total, top)) for x, p in zip(xs, points, strict=True)]
    if len(coords) > 1:
        path = " ".join(f"{x},{y}" for x, y in coords)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{LINE}" stroke-width="2"/>')
    for (x, y), p in zip(coords, points, strict=True):
        fill, radius = (ALERT, 5) if p.alert else (LINE, 4)
        flag = ", item 9 above 0" if p.alert else ""
        parts.append(
            f'<circle cx="{x}" cy="{y}" r="{radius}" fill="{fill}" stroke="#ffffff" '
            f'stroke-width="1.5"><title>{p.day:%Y-%m-%d}: {p.total} '
            f"({escape(p.band)}{flag})</title></circle>"
        )
        parts.append(_text(x, round(y - 8, 1), str(p.total), anchor="middle", size=10, fill=LINE))
    parts.append(_text(LEFT, BOTTOM + 16, f"{points[0].day:%Y-%m-%d}", size=10))
    if len(points) > 1 and points[-1].day != points[0].day:
        parts.append(_text(RIGHT, BOTTOM + 16, f"{latest.day:%Y-%m-%d}", anchor="end", size=10))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - built from escaped values above
