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
