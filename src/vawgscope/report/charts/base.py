"""Charts for findings: Plotly figures rendered as HTML fragments, no network needed.

Each chart builder takes a finding (its JSON form) and returns a figure, or None when the
finding lacks what the chart needs. The palette is Okabe–Ito, safe for colour-blind readers.
"""

from __future__ import annotations

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


def styled(fig: go.Figure, title: str) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "font": {"size": 15}},
        template="simple_white",
        colorway=list(PALETTE),
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
        height=380,
        font={"family": "system-ui, -apple-system, Segoe UI, sans-serif", "size": 12},
        legend={"orientation": "h", "y": -0.2},
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
    if fig is None:
        return None
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
            error_x={
                "type": "data",
                "symmetric": False,
                "array": [pct_gap(r["high"], r["share"]) for r in rows],
                "arrayminus": [pct_gap(r["share"], r["low"]) for r in rows],
            },
        )
    )
    fig.update_xaxes(title=axis)
    fig.update_layout(height=420)
    return styled(fig, title)
