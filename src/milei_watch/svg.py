"""SVG drawings from plain values: line, bar and stacked-bar charts, and the timeline of events.

Written by hand rather than with a charting library (README.md, "Charts"): a few kilobytes a chart,
the same bytes for the same values, text that stays text, `<title>` and `<desc>` for assistive
technology, and colours set by classes the stylesheet changes for dark mode (with the light
scheme's colours as attributes, for feed readers that show SVG without the site's stylesheet).

Everything is laid out on a 400-unit-wide canvas that the stylesheet scales to the column: at a
390 px phone the text is drawn at about 12 px, on a desktop at about 18.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable

WIDTH = 400
FONT = 13                       # tick labels, captions, legends
SMALL = 12                      # the source line
PALETTE = ("#0b5cad", "#b3261e", "#1e7a3c", "#8a4b00", "#6b3fa0", "#00707a")  # CSS --chart-0 … --chart-5
MUTED = "#4d5560"
RULE = "#c4cbd3"
_CHAR = 0.58                    # an average character's width, in font sizes, to lay out text without fonts


def _e(text: str) -> str:
    return html.escape(str(text), quote=True)


def _n(value: float) -> str:
    """A coordinate, rounded to a tenth, written the shortest way ('12', '12.5', never '-0')."""
    text = f"{round(value, 1):.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def text_width(text: str, size: float = FONT) -> float:
    return len(text) * size * _CHAR


# --- scales --------------------------------------------------------------------------------------------

def ticks(low: float, high: float, count: int = 5, whole: bool = False) -> list[Decimal]:
    """Round values from at or below `low` to at or above `high`, about `count` steps apart, each
    step 1, 2, 2.5 or 5 times a power of ten (and at least 1 for `whole` numbers, such as counts);
    exact decimals, so that labels never read 0.30000000000000004."""
    if low == high:
        pad = abs(low) * 0.1 or 1
        low, high = low - pad, high + pad
    raw = (high - low) / count
    if whole:
        raw = max(raw, 1.0)
    power = math.floor(math.log10(raw))
    for multiple in ("1", "2", "2.5", "5", "10"):
        step = Decimal(multiple).scaleb(power)
        if step >= Decimal(repr(raw)):
            break
    first = math.floor(Decimal(repr(low)) / step)
    last = math.ceil(Decimal(repr(high)) / step)
    return [(step * k).normalize() for k in range(first, last + 1)]


class Scale:
    """A linear map from values to canvas units."""

    def __init__(self, low: float, high: float, start: float, end: float) -> None:
        self.low, self.high, self.start, self.end = low, high, start, end

    def __call__(self, value: float) -> float:
        if self.high == self.low:
            return (self.start + self.end) / 2
        return self.start + (value - self.low) * (self.end - self.start) / (self.high - self.low)


# --- charts --------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Series:
    """One line, or one colour of bars: its name, values, each value as readers see it, and colour."""

    name: str
    values: tuple[float, ...]
    shown: tuple[str, ...]
    colour: int = 0


@dataclass(frozen=True, slots=True)
class Chart:
    """What a chart says: categories along x, series of values against them, and its words."""

    kind: str                       # "line", "bar" or "stack"
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    title: str
    description: str                # for <desc>: what the chart shows, in words
    x_label: str
    y_label: str
    source: str                     # the source line as shown, e.g. "Source: INDEC"


def chart(spec: Chart, ident: str, number: Callable[[Decimal], str]) -> str:
    """The chart as an `<svg>` element with role img; `ident` makes its ids unique in the page and
    `number` writes a tick value in the reader's locale."""
    stacked = spec.kind == "stack"
    values = [v for s in spec.series for v in s.values]
    if stacked:
        totals = [sum(s.values[i] for s in spec.series) for i in range(len(spec.categories))]
        values = totals + [0.0]
    elif spec.kind == "bar":
        values = values + [0.0]  # bars stand on zero
    scale_ticks = ticks(min(values), max(values), whole=all(float(v).is_integer() for v in values))
    labels = [number(t) for t in scale_ticks]
    left = max(24.0, max(text_width(label) for label in labels) + 10)
    right = WIDTH - 10
    out: list[str] = []
    y = 4.0
    legend = spec.series if len(spec.series) > 1 or stacked else ()
    if legend:
        y = _legend(out, legend, y)
    if spec.y_label:
        y += FONT + 2
        out.append(f'<text class="muted" x="0" y="{_n(y)}" fill="{MUTED}">{_e(spec.y_label)}</text>')
    top = y + 12
    bottom = top + 170
    scale = Scale(float(scale_ticks[0]), float(scale_ticks[-1]), bottom, top)
    for value, label in zip(scale_ticks, labels):
        at = _n(scale(float(value)))
        out.append(f'<line class="grid" x1="{_n(left)}" x2="{_n(right)}" y1="{at}" y2="{at}" stroke="{RULE}"/>')
        out.append(f'<text class="muted tick" x="{_n(left - 6)}" y="{at}" dy="0.35em" text-anchor="end" '
                   f'fill="{MUTED}">{_e(label)}</text>')
    count = len(spec.categories)
    band = (right - left) / count
    if spec.kind == "line":
        inset = min(12.0, band / 2) if count > 1 else (right - left) / 2
        step = (right - left - 2 * inset) / (count - 1) if count > 1 else 0
        centres = [left + inset + i * step for i in range(count)]
    else:
        centres = [left + band * (i + 0.5) for i in range(count)]
    zero = scale(0.0) if scale.low <= 0 <= scale.high else bottom
    if spec.kind == "line":
        _lines(out, spec, centres, scale)
    else:
        _bars(out, spec, centres, band, scale, zero, stacked)
    axis = _n(zero if spec.kind != "line" else bottom)
    out.append(f'<line class="axis" x1="{_n(left)}" x2="{_n(right)}" y1="{axis}" y2="{axis}" stroke="{MUTED}"/>')
    y = _categories(out, spec.categories, centres, band, bottom)
    if spec.x_label:
        y += FONT + 6
        out.append(f'<text class="muted" x="{_n((left + right) / 2)}" y="{_n(y)}" text-anchor="middle" '
                   f'fill="{MUTED}">{_e(spec.x_label)}</text>')
    if spec.source:
        y += SMALL + 10
        out.append(f'<text class="source" x="0" y="{_n(y)}" font-size="{SMALL}">{_e(spec.source)}</text>')
    height = math.ceil(y + 6)
    return (f'<svg class="chart-svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
            f'width="{WIDTH}" height="{height}" role="img" aria-labelledby="{ident}-title" '
            f'aria-describedby="{ident}-desc" font-size="{FONT}" fill="currentColor">'
            f'<title id="{ident}-title">{_e(spec.title)}</title><desc id="{ident}-desc">{_e(spec.description)}</desc>'
            + "".join(out) + "</svg>")


def _legend(out: list[str], series: tuple[Series, ...], y: float) -> float:
    """Swatches with the series' names, wrapped across the width; returns the y below them."""
    x, row = 0.0, y + FONT
    for s in series:
        wide = 16 + text_width(s.name) + 14
        if x > 0 and x + wide > WIDTH:
            x, row = 0.0, row + FONT + 6
        colour = s.colour % len(PALETTE)
        out.append(f'<g class="s{colour}" fill="{PALETTE[colour]}"><rect x="{_n(x)}" y="{_n(row - 10)}" '
                   f'width="11" height="11" rx="2"/></g>'
                   f'<text x="{_n(x + 16)}" y="{_n(row)}">{_e(s.name)}</text>')
        x += wide
    return row + 4


def _lines(out: list[str], spec: Chart, centres: list[float], scale: Scale) -> None:
    radius = 3.5 if len(centres) <= 60 else 2
    for s in spec.series:
        colour = s.colour % len(PALETTE)
        points = [(centres[i], scale(v)) for i, v in enumerate(s.values)]
        out.append(f'<g class="s{colour} series" fill="{PALETTE[colour]}" stroke="{PALETTE[colour]}">')
        if len(points) > 1:
            out.append('<polyline fill="none" stroke-width="2.5" stroke-linejoin="round" stroke-linecap="round" '
                       f'points="{" ".join(f"{_n(x)},{_n(y)}" for x, y in points)}"/>')
        for (x, y), category, shown in zip(points, spec.categories, s.shown):
            out.append(f'<circle class="point" cx="{_n(x)}" cy="{_n(y)}" r="{radius}" stroke="none">'
                       f'<title>{_e(_point_title(spec, s, category, shown))}</title></circle>')
        out.append("</g>")


def _bars(out: list[str], spec: Chart, centres: list[float], band: float, scale: Scale, zero: float,
          stacked: bool) -> None:
    group = band * 0.8
    wide = group if stacked else group / len(spec.series)
    bases = [0.0] * len(centres)
    for index, s in enumerate(spec.series):
        colour = s.colour % len(PALETTE)
        out.append(f'<g class="s{colour} series" fill="{PALETTE[colour]}">')
        for i, (value, category, shown) in enumerate(zip(s.values, spec.categories, s.shown)):
            if stacked:
                low, high = scale(bases[i]), scale(bases[i] + value)
                bases[i] += value
                x = centres[i] - wide / 2
            else:
                low, high = zero, scale(value)
                x = centres[i] - group / 2 + index * wide
            if low == high and stacked:
                continue  # nothing of this series in this category
            y, height = min(low, high), abs(low - high)
            out.append(f'<rect class="bar" x="{_n(x)}" y="{_n(y)}" width="{_n(max(wide - 1, 0.5))}" '
                       f'height="{_n(height)}"><title>{_e(_point_title(spec, s, category, shown))}</title></rect>')
        out.append("</g>")


def _point_title(spec: Chart, series: Series, category: str, shown: str) -> str:
    name = f"{series.name}, " if len(spec.series) > 1 else ""
    return f"{name}{category}: {shown}"


def _categories(out: list[str], categories: tuple[str, ...], centres: list[float], band: float,
                bottom: float) -> float:
    """The category labels under the plot, as many as fit without overlapping; returns their baseline."""
    y = bottom + FONT + 6
    widest = max(text_width(c) for c in categories) + 8
    span = (centres[-1] - centres[0]) if len(centres) > 1 else 0
    fit = max(1, int(span / widest) + 1) if span else 1
    every = max(1, math.ceil(len(categories) / fit))
    for i in range(0, len(categories), every):
        half = text_width(categories[i]) / 2
        x = min(max(centres[i], half), WIDTH - half)
        out.append(f'<text class="muted" x="{_n(x)}" y="{_n(y)}" text-anchor="middle" fill="{MUTED}">'
                   f"{_e(categories[i])}</text>")
    return y


# --- the timeline --------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Mark:
    """An event on the timeline: where it falls (0 to 1 along the axis), its lane, link and words."""

    at: float
    lane: int
    href: str
    label: str                      # its date, title and article, for the tooltip and assistive technology


@dataclass(frozen=True, slots=True)
class Lane:
    """A row of the timeline: a topic, by its name and colour."""

    name: str
    colour: int


DOT = 6                             # a mark's radius
_HIT = 11                           # the radius of its target for a pointer (about 20 px on a phone)
_ROW = 24
_SIDE = 14


def timeline(lanes: tuple[Lane, ...], marks: tuple[Mark, ...], axis: tuple[tuple[float, str], ...], *,
             title: str, description: str, ident: str) -> str:
    """Events as dots on a time axis, one lane per topic, each dot a link to its article. The dots of
    one lane that would overlap are put on rows of their own."""
    left, right = _SIDE, WIDTH - _SIDE
    place = Scale(0.0, 1.0, left, right)
    out: list[str] = []
    y = 0.0
    for index, lane in enumerate(lanes):
        colour = lane.colour % len(PALETTE)
        if index:
            out.append(f'<line class="grid" x1="0" x2="{WIDTH}" y1="{_n(y + 4)}" y2="{_n(y + 4)}" stroke="{RULE}"/>')
            y += 4
        y += FONT + 6
        out.append(f'<text x="0" y="{_n(y)}" font-weight="600">{_e(lane.name)}</text>')
        rows: list[float] = []
        placed = []
        for mark in sorted((m for m in marks if m.lane == index), key=lambda m: (m.at, m.href, m.label)):
            x = place(mark.at)
            row = next((r for r, last in enumerate(rows) if x - last >= 2 * DOT + 3), len(rows))
            if row == len(rows):
                rows.append(x)
            rows[row] = x
            placed.append((mark, x, row))
        out.append(f'<g class="s{colour} marks" fill="{PALETTE[colour]}">')
        for mark, x, row in placed:
            cy = y + 6 + _HIT + row * _ROW
            out.append(f'<a href="{_e(mark.href)}"><title>{_e(mark.label)}</title>'
                       f'<circle class="hit" cx="{_n(x)}" cy="{_n(cy)}" r="{_HIT}" fill-opacity="0"/>'
                       f'<circle cx="{_n(x)}" cy="{_n(cy)}" r="{DOT}"/></a>')
        out.append("</g>")
        y += 6 + max(1, len(rows)) * _ROW
    y += 6
    out.append(f'<line class="axis" x1="0" x2="{WIDTH}" y1="{_n(y)}" y2="{_n(y)}" stroke="{MUTED}"/>')
    previous_end = -math.inf
    for at, label in axis:
        x = place(at)
        out.append(f'<line class="axis" x1="{_n(x)}" x2="{_n(x)}" y1="{_n(y)}" y2="{_n(y + 5)}" stroke="{MUTED}"/>')
        half = text_width(label) / 2
        centre = min(max(x, half), WIDTH - half)
        if centre - half >= previous_end + 6:  # a label that would overlap the one before is left out
            out.append(f'<text class="muted" x="{_n(centre)}" y="{_n(y + FONT + 8)}" text-anchor="middle" '
                       f'fill="{MUTED}">{_e(label)}</text>')
            previous_end = centre + half
    height = math.ceil(y + FONT + 14)
    return (f'<svg class="timeline-svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
            f'width="{WIDTH}" height="{height}" aria-labelledby="{ident}-title" aria-describedby="{ident}-desc" '
            f'font-size="{FONT}" fill="currentColor">'
            f'<title id="{ident}-title">{_e(title)}</title><desc id="{ident}-desc">{_e(description)}</desc>'
            + "".join(out) + "</svg>")
