"""Charts drawn on the server as SVG: no script, no external library, nothing to load from elsewhere."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH = 720
HEIGHT = 240
MARGIN_LEFT = 44
MARGIN_BOTTOM = 36
MARGIN_TOP = 28


@dataclass(slots=True, frozen=True)
class Series:
    label: str
    colour: str
    values: Sequence[float]


def stacked_bars(title: str, categories: Sequence[str], series: Sequence[Series], unit: str = "") -> str:
    """A stacked bar chart: one bar per category, one segment per series, with a legend."""
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    top = max([*totals, 1.0])
    plot_width = WIDTH - MARGIN_LEFT - 10
    plot_height = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    slot = plot_width / max(len(categories), 1)
    bar = max(slot * 0.7, 1.0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}"'
        f' role="img" aria-label="{escape(title)}" font-family="sans-serif" font-size="11">',
        f'<text x="{MARGIN_LEFT}" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{MARGIN_LEFT}" y1="{HEIGHT - MARGIN_BOTTOM}" x2="{WIDTH - 10}" y2="{HEIGHT - MARGIN_BOTTOM}"'
        ' stroke="#888"/>',
        f'<text x="{MARGIN_LEFT - 6}" y="{MARGIN_TOP + 4}" text-anchor="end">{_number(top)}{escape(unit)}</text>',
        f'<text x="{MARGIN_LEFT - 6}" y="{HEIGHT - MARGIN_BOTTOM}" text-anchor="end">0</text>',
    ]
    label_every = max(1, len(categories) // 10)
    for index, category in enumerate(categories):
        x = MARGIN_LEFT + index * slot + (slot - bar) / 2
        y = float(HEIGHT - MARGIN_BOTTOM)
        for item in series:
            height = plot_height * item.values[index] / top
            if height <= 0:
                continue
            y -= height
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{height:.1f}" fill="{item.colour}">'
                f"<title>{escape(category)}: {escape(item.label)} {_number(item.values[index])}{escape(unit)}</title>"
                "</rect>"
            )
        if index % label_every == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - MARGIN_BOTTOM + 14}" text-anchor="middle">'
                f"{escape(category)}</text>"
            )
    legend_x = WIDTH - 10 - 90 * len(series)
    for index, item in enumerate(series):
        x = legend_x + index * 90
        parts.append(f'<rect x="{x}" y="6" width="10" height="10" fill="{item.colour}"/>')
        parts.append(f'<text x="{x + 14}" y="15">{escape(item.label)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _number(value: float) -> str:
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"
