"""Charts drawn on the server as inline SVG: nothing loaded from a CDN, readable without
JavaScript, printable in the monthly PDF. Each chart is labelled for screen readers with a
title and a data table is always shown next to it on the page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

BAR = "#2f6f9f"
BELOW = "#c0504d"
TARGET = "#d08c00"
INK = "#333"
FONT = "font-family='Noto Sans CJK SC, Noto Serif CJK SC, sans-serif'"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # a share between 0 and 1; None: nothing to measure
    note: str = ""


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def rate_bars(title: str, bars: Sequence[Bar], target: float) -> Markup:
    """Horizontal bars of rates (0–100%) with a dashed target line; bars below it in red."""
    label_width, bar_width, row, top = 64, 250, 24, 24
    width = label_width + bar_width + 56
    height = top + row * len(bars) + 24
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' role='img' "
        f"class='chart' {FONT} font-size='13'><title>{escape(title)}</title>"
    ]
    for index, bar in enumerate(bars):
        y = top + index * row
        parts.append(
            f"<text x='{label_width - 8}' y='{y + 16}' text-anchor='end' fill='{INK}'>"
            f"{escape(bar.label)}</text>"
        )
        if bar.value is None:
            parts.append(f"<text x='{label_width + 4}' y='{y + 16}' fill='#888'>—</text>")
            continue
        length = max(bar_width * min(bar.value, 1.0), 1)
        colour = BAR if bar.value >= target else BELOW
        parts.append(
            f"<rect x='{label_width}' y='{y + 4}' width='{length:.1f}' height='{row - 8}' "
            f"fill='{colour}'><title>{escape(bar.label)} {_pct(bar.value)} "
            f"{escape(bar.note)}</title></rect>"
            f"<text x='{label_width + length + 4:.1f}' y='{y + 16}' fill='{INK}'>"
            f"{_pct(bar.value)}</text>"
        )
    x = label_width + bar_width * target
    parts.append(
        f"<line x1='{x:.1f}' y1='{top - 6}' x2='{x:.1f}' y2='{height - 18}' stroke='{TARGET}' "
        f"stroke-width='2' stroke-dasharray='5 3'/>"
        f"<text x='{x:.1f}' y='{top - 10}' text-anchor='middle' fill='{TARGET}'>"
        f"{_pct(target)}</text>"
    )
    for tick in (0, 0.5, 1.0):
        tx = label_width + bar_width * tick
        parts.append(
            f"<text x='{tx:.1f}' y='{height - 4}' text-anchor='middle' fill='#888' "
            f"font-size='11'>{int(tick * 100)}%</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in parts went through escape()


def trend_line(title: str, points: Sequence[tuple[str, float | None]], target: float) -> Markup:
    """The rate over time as a line from 0–100% with the target as a dashed line."""
    left, right, top, bottom, width, height = 40, 12, 12, 30, 360, 180
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(points) - 1, 1)

    def y_of(value: float) -> float:
        return top + plot_h * (1 - min(max(value, 0.0), 1.0))

    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' role='img' "
        f"class='chart' {FONT} font-size='12'><title>{escape(title)}</title>"
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        y = y_of(tick)
        parts.append(
            f"<line x1='{left}' y1='{y:.1f}' x2='{width - right}' y2='{y:.1f}' stroke='#e5e5e5'/>"
            f"<text x='{left - 6}' y='{y + 4:.1f}' text-anchor='end' fill='#888'>"
            f"{int(tick * 100)}%</text>"
        )
    ty = y_of(target)
    parts.append(
        f"<line x1='{left}' y1='{ty:.1f}' x2='{width - right}' y2='{ty:.1f}' stroke='{TARGET}' "
        f"stroke-width='2' stroke-dasharray='5 3'/>"
    )
    coordinates = [
        (left + index * step, y_of(value), label, value)
        for index, (label, value) in enumerate(points)
        if value is not None
    ]
    if coordinates:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in coordinates)
        parts.append(f"<polyline points='{path}' fill='none' stroke='{BAR}' stroke-width='2.5'/>")
    for x, y, label, value in coordinates:
        parts.append(
            f"<circle cx='{x:.1f}' cy='{y:.1f}' r='3.5' fill='{BAR}'>"
            f"<title>{escape(label)} {_pct(value)}</title></circle>"
        )
    for index, (label, _) in enumerate(points):
        if index % 2 == len(points) % 2 or len(points) <= 6:
            x = left + index * step
            parts.append(
                f"<text x='{x:.1f}' y='{height - bottom + 18}' text-anchor='middle' "
                f"fill='#666'>{escape(label)}</text>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in parts went through escape()


def funnel_bars(title: str, stages: Sequence[tuple[str, int]]) -> Markup:
    """Stage counts as bars scaled to the first (widest) stage."""
    # Room for the longest label: a CJK character is about one em wide, Latin about half.
    longest = max(
        (sum(1.0 if ord(ch) > 0x2E80 else 0.55 for ch in label) for label, _ in stages), default=4
    )
    label_width, row, top = int(longest * 12) + 12, 24, 6
    bar_width = 200
    widest = max((count for _, count in stages), default=0) or 1
    width, height = label_width + bar_width + 50, top + row * len(stages) + 6
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' role='img' "
        f"class='chart' {FONT} font-size='12'><title>{escape(title)}</title>"
    ]
    for index, (label, count) in enumerate(stages):
        y = top + index * row
        length = max(bar_width * count / widest, 1)
        parts.append(
            f"<text x='{label_width - 8}' y='{y + 16}' text-anchor='end' fill='{INK}'>"
            f"{escape(label)}</text>"
            f"<rect x='{label_width}' y='{y + 4}' width='{length:.1f}' height='{row - 8}' "
            f"fill='{BAR}' opacity='{1 - index * 0.08:.2f}'/>"
            f"<text x='{label_width + length + 4:.1f}' y='{y + 16}' fill='{INK}'>{count}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in parts went through escape()
