"""Charts of harm: the Lorenz curve and harm against volume by group."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from vawgscope.report.charts.base import PALETTE, chart, pct, styled


@chart("harm_lorenz_curve")
def lorenz(finding: dict[str, Any]) -> go.Figure | None:
    rows = finding["tables"].get("lorenz")
    if not rows:
        return None
    fig = go.Figure()
    fig.add_scatter(
        x=[pct(r["share_of_perpetrators"]) for r in rows],
        y=[pct(r["share_of_harm_most_harmful"]) for r in rows],
        mode="lines",
        name="most harmful first",
        line={"color": PALETTE[3]},
    )
    fig.add_scatter(
        x=[0, 100],
        y=[0, 100],
        mode="lines",
        name="equal harm",
        line={"color": "#999", "dash": "dot"},
    )
    fig.update_xaxes(title="% of perpetrators, most harmful first")
    fig.update_yaxes(title="% of all harm")
    return styled(fig, "How concentrated harm is")


@chart("harm_by_group")
def harm_volume(finding: dict[str, Any]) -> go.Figure | None:
    rows = [r for r in finding["tables"].get("by_group", []) if r.get("crimes")]
    if not rows:
        return None
    names = [r["offence_group"].replace("_", " ") for r in rows]
    fig = go.Figure()
    fig.add_bar(
        y=names,
        x=[pct(r["share_of_crimes"]) for r in rows],
        orientation="h",
        name="% of crimes",
        marker_color=PALETTE[0],
    )
    fig.add_bar(
        y=names,
        x=[pct(r["share_of_harm"]) for r in rows],
        orientation="h",
        name="% of harm",
        marker_color=PALETTE[3],
    )
    fig.update_layout(barmode="group", height=460)
    return styled(fig, "Volume against harm, by offence group")
