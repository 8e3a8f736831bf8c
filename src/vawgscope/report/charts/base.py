"""Charts for findings: Plotly figures rendered as HTML fragments, no network needed.

Each chart builder takes a finding (its JSON form) and returns a figure, or None when the
finding lacks what the chart needs. The palette is Okabe–Ito, safe for colour-blind readers.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go

PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
)
#: Sequential heat scale: perceptually uniform and readable with colour-blindness.
HEAT = "Cividis"
#: Neutral greys for "other" or "not significant" beside the palette.
GREY, LIGHT_GREY = "#888888", "#CCCCCC"
#: Reference lines (zero, an even spread, a county median).
DARK_GREY = "#555555"
#: A share (or any estimate) with its interval; any part may be withheld (None).
Estimate = tuple[float | None, float | None, float | None]
ChartBuilder = Callable[[dict[str, Any]], go.Figure | None]
CHARTS: dict[str, ChartBuilder] = {}


def chart(finding_id: str) -> Callable[[ChartBuilder], ChartBuilder]:
    """Register a chart builder for a finding id."""

    def register(builder: ChartBuilder) -> ChartBuilder:
        CHARTS[finding_id] = builder
        return builder

    return register


def pct(value: float | None) -> float | None:
    """A share as a percentage; a withheld share stays a gap in the chart."""
    return None if value is None else 100 * value


def pct_gap(upper: float | None, lower: float | None) -> float | None:
    """The distance between two shares in percentage points (error bars), or a gap."""
    return None if upper is None or lower is None else 100 * (upper - lower)


def gap(upper: float | None, lower: float | None) -> float | None:
    """The distance between two values (error bars), or a gap when either is withheld."""
    return None if upper is None or lower is None else upper - lower


def count(value: float | None) -> str:
    """A count for a label, with thousands separators; a withheld count is a dash."""
    return "–" if value is None else f"{value:,.0f}"


def month_name(month: str) -> str:
    """``2020-08`` as ``Aug 2020``."""
    year, _, number = str(month).partition("-")
    if not number[:2].isdigit() or not 1 <= int(number[:2]) <= 12:
        return str(month)
    return f"{calendar.month_abbr[int(number[:2])]} {year}"


def words(name: Any) -> str:
    """A code as a reader sees it: underscores as spaces."""
    return str(name).replace("_", " ")


def estimate(
    row: dict[str, Any], key: str = "share", low: str = "low", high: str = "high"
) -> Estimate:
    """The (estimate, low, high) of ``row``; missing keys are gaps."""
    return row.get(key), row.get(low), row.get(high)


def share_error(values: list[Estimate]) -> dict[str, Any]:
    """Asymmetric error bars, in percentage points, for shares with their intervals."""
    return {
        "type": "data",
        "symmetric": False,
        "array": [pct_gap(high, share) for share, _, high in values],
        "arrayminus": [pct_gap(share, low) for share, low, _ in values],
    }


def styled(fig: go.Figure, title: str) -> go.Figure:
    """The house style; a height the chart already set is kept."""
    fig.update_layout(
        title={"text": title, "x": 0, "font": {"size": 15}},
        template="simple_white",
        colorway=list(PALETTE),
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
        height=fig.layout.height or 380,
        font={"family": "system-ui, -apple-system, Segoe UI, sans-serif", "size": 12},
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def legend_below(fig: go.Figure, rows: int = 1) -> go.Figure:
    """The legend under the x-axis title, in a bottom margin sized for ``rows`` lines.

    Call after :func:`styled`; a legend placed relative to the plot would overlap the axis
    title of a short chart.
    """
    fig.update_layout(
        legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0},
        margin={"b": 72 + 22 * rows},
        height=fig.layout.height + 22 * rows,
    )
    return fig


def render(
    finding: dict[str, Any], index: int, context: dict[str, Any] | None = None
) -> str | None:
    """The chart of ``finding`` as an HTML fragment (plotly.js is inlined once elsewhere).

    ``context`` is the profile's dataset section (period, named periods), which builders
    read as ``finding["context"]``.
    """
    builder = CHARTS.get(finding["id"])
    if builder is None or finding.get("status") != "ok":
        return None
    fig = builder({**finding, "context": context or {}})
    return None if fig is None else figure_html(fig, index)


def figure_html(fig: go.Figure, index: int) -> str:
    """A figure as an HTML fragment for a page that inlines plotly.js once."""
    return fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=f"chart-{index}",
        config={"displaylogo": False, "responsive": True},
    )


def share_bars(rows: list[dict[str, Any]], label: str, title: str, axis: str) -> go.Figure | None:
    """Horizontal bars of ``share`` (with its ``low``–``high`` interval), smallest at the foot."""
    rows = sorted((r for r in rows if r.get("share") is not None), key=lambda r: r["share"])
    if not rows:
        return None
    fig = go.Figure(
        go.Bar(
            y=[str(r[label]).replace("_", " ") for r in rows],
            x=[100 * r["share"] for r in rows],
            orientation="h",
            marker_color=PALETTE[0],
            error_x=share_error([estimate(r) for r in rows]),
        )
    )
    fig.update_xaxes(title=axis)
    fig.update_layout(height=420)
    return styled(fig, title)


def grouped_share_bars(
    categories: list[str], series: dict[str, list[Estimate]], title: str, axis: str
) -> go.Figure | None:
    """Horizontal bars of shares, one bar per series in each category, with intervals.

    ``series`` maps a legend name to one estimate per category; the first category is drawn
    at the foot. A withheld share is a gap, a withheld bound drops only its error bar.
    """
    if not categories or all(v[0] is None for values in series.values() for v in values):
        return None
    fig = go.Figure()
    labels = [words(c) for c in categories]
    for i, (name, values) in enumerate(series.items()):
        fig.add_bar(
            y=labels,
            x=[pct(v[0]) for v in values],
            name=name,
            orientation="h",
            marker_color=PALETTE[i % len(PALETTE)],
            error_x=share_error(values),
        )
    fig.update_xaxes(title=axis)
    # Legend in the order the bars are stacked on screen, top first.
    fig.update_layout(
        barmode="group",
        height=140 + len(categories) * (12 + 16 * len(series)),
        legend_traceorder="reversed",
    )
    return legend_below(styled(fig, title))
