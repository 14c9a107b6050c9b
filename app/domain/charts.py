"""Server-rendered SVG charts: readable without JavaScript, described for screen readers.

Pure Python: functions take plain data and return an SVG string. Every chart is an
`<svg role="img">` labelled by its own `<title>` and `<desc>` (`aria-labelledby`); the
page shows the same numbers as a table beside it. All text is XML-escaped here, so the
string is safe to place in a page. Colours are presentation attributes (no `style=`, which
the CSP forbids); series differ by marker shape and dash pattern as well as colour, so
they can be told apart in greyscale print and by colour-blind readers.

Line chart: x is time (first to last point, evenly scaled by timestamp; a single instant
is centred), y is 0..y_max with grid lines every quarter, one legend row per series. Bar
chart: horizontal bars, one per label, scaled to the largest value (or `x_max`); long
labels are shortened with an ellipsis, the full label in the bar's <title>.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape, quoteattr

PALETTE = ("#1f5fbf", "#b3261e", "#1b7a3a", "#8a5a00", "#6b3fa0", "#00727a", "#555b66", "#c2185b")
DASHES = ("", "6 3", "2 3", "8 3 2 3")
MARKERS = ("circle", "square", "triangle", "diamond")


@dataclass(frozen=True)
class Point:
    at: datetime
    value: float


@dataclass(frozen=True)
class Series:
    name: str
    points: tuple[Point, ...]


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    c = quoteattr(colour)
    if kind == "circle":
        return f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="4" fill={c}/>'
    if kind == "square":
        return f'<rect x="{_fmt(x - 4)}" y="{_fmt(y - 4)}" width="8" height="8" fill={c}/>'
    if kind == "triangle":
        pts = f"{_fmt(x)},{_fmt(y - 5)} {_fmt(x + 5)},{_fmt(y + 4)} {_fmt(x - 5)},{_fmt(y + 4)}"
        return f'<polygon points="{pts}" fill={c}/>'
    pts = (
        f"{_fmt(x)},{_fmt(y - 5)} {_fmt(x + 5)},{_fmt(y)} "
        f"{_fmt(x)},{_fmt(y + 5)} {_fmt(x - 5)},{_fmt(y)}"
    )
    return f'<polygon points="{pts}" fill={c}/>'


def shorten(text: str, limit: int) -> str:
    """`text` cut to `limit` characters with an ellipsis (the full text goes in a <title>)."""
    return text if len(text) <= limit else text[: max(limit - 1, 1)].rstrip() + "…"


def style_of(index: int) -> dict[str, str]:
    """Colour, dash pattern and marker of the series at `index` (the legend uses it too)."""
    return {
        "colour": PALETTE[index % len(PALETTE)],
        "dash": DASHES[(index // len(PALETTE) + index) % len(DASHES)],
        "marker": MARKERS[index % len(MARKERS)],
    }


def _open(chart_id: str, title: str, desc: str, width: int, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def line_chart(
    chart_id: str,
    series: Sequence[Series],
    title: str,
    desc: str,
    *,
    width: int = 640,
    height: int = 280,
    y_max: float = 100.0,
) -> str:
    """A multi-series line chart over time as an SVG string."""
    left, right, top = 40, 12, 12
    bottom = 28 + 20 * len(series)  # one legend row per series: long names never collide
    plot_w, plot_h = width - left - right, height - top - bottom
    parts = _open(chart_id, title, desc, width, height)
    for q in range(5):
        value = y_max * q / 4
        y = top + plot_h - plot_h * q / 4
        parts.append(
            f'<line x1="{left}" y1="{_fmt(y)}" x2="{width - right}" y2="{_fmt(y)}" '
            f'stroke="#d6d8dc" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{_fmt(y + 4)}" text-anchor="end" font-size="11" '
            f'fill="#555b66">{_fmt(value)}</text>'
        )
    instants = [p.at for s in series for p in s.points]
    if not instants:
        parts.append(
            f'<text x="{width // 2}" y="{top + plot_h // 2}" text-anchor="middle" '
            f'font-size="13" fill="#555b66">No scored rounds yet</text>'
        )
        parts.append("</svg>")
        return "".join(parts)
    first, last = min(instants), max(instants)
    span = (last - first).total_seconds()

    def x_of(at: datetime) -> float:
        if span == 0:
            return left + plot_w / 2
        return left + plot_w * (at - first).total_seconds() / span

    def y_of(value: float) -> float:
        clamped = min(max(value, 0.0), y_max)
        return top + plot_h - plot_h * clamped / y_max if y_max else top + plot_h

    axis_y = top + plot_h + 16
    parts.append(
        f'<text x="{left}" y="{axis_y}" font-size="11" fill="#555b66">{first:%Y-%m-%d}</text>'
    )
    if span:
        parts.append(
            f'<text x="{width - right}" y="{axis_y}" text-anchor="end" font-size="11" '
            f'fill="#555b66">{last:%Y-%m-%d}</text>'
        )
    for index, s in enumerate(series):
        st = style_of(index)
        points = sorted(s.points, key=lambda p: p.at)
        coords = " ".join(f"{_fmt(x_of(p.at))},{_fmt(y_of(p.value))}" for p in points)
        dash = f' stroke-dasharray="{st["dash"]}"' if st["dash"] else ""
        parts.append(f'<g class="series"><title>{escape(s.name)}</title>')
        if len(points) > 1:
            parts.append(
                f'<polyline points="{coords}" fill="none" stroke="{st["colour"]}" '
                f'stroke-width="2"{dash}/>'
            )
        parts += [_marker(st["marker"], x_of(p.at), y_of(p.value), st["colour"]) for p in points]
        parts.append("</g>")
        lx = left
        ly = top + plot_h + 36 + 20 * index
        parts.append(
            f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 22}" y2="{ly - 4}" '
            f'stroke="{st["colour"]}" stroke-width="2"{dash}/>'
        )
        parts.append(_marker(st["marker"], lx + 11, ly - 4, st["colour"]))
        parts.append(
            f'<text x="{lx + 28}" y="{ly}" font-size="12" fill="#1d1f23">{escape(s.name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(
    chart_id: str,
    bars: Sequence[tuple[str, float]],
    title: str,
    desc: str,
    *,
    width: int = 640,
    bar_height: int = 22,
    x_max: float | None = None,
    label_width: int = 220,
) -> str:
    """Horizontal bars, one per (label, value), as an SVG string."""
    gap, top = 8, 8
    height = top * 2 + max(len(bars), 1) * (bar_height + gap)
    parts = _open(chart_id, title, desc, width, height)
    if not bars:
        parts.append(
            f'<text x="{width // 2}" y="{height // 2 + 4}" text-anchor="middle" font-size="13" '
            f'fill="#555b66">Nothing yet</text></svg>'
        )
        return "".join(parts)
    top_value = x_max if x_max else max((v for _, v in bars), default=0) or 1
    plot_w = width - label_width - 48
    for index, (label, value) in enumerate(bars):
        y = top + index * (bar_height + gap)
        w = plot_w * min(max(value, 0), top_value) / top_value
        parts.append(
            f'<text x="{label_width - 8}" y="{y + bar_height * 0.7:.0f}" text-anchor="end" '
            f'font-size="12" fill="#1d1f23"><title>{escape(label)}</title>'
            f"{escape(shorten(label, label_width // 7))}</text>"
        )
        parts.append(
            f'<rect x="{label_width}" y="{y}" width="{_fmt(w)}" height="{bar_height}" '
            f'fill="{PALETTE[0]}"/>'
        )
        parts.append(
            f'<text x="{_fmt(label_width + w + 6)}" y="{y + bar_height * 0.7:.0f}" '
            f'font-size="12" fill="#1d1f23">{_fmt(value)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
