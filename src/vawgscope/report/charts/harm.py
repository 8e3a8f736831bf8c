"""Charts of harm: the Lorenz curve, the most harmful tenth, harm against volume by group."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from vawgscope.report.charts.base import PALETTE, chart, pct, share_error, styled


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


@chart("harm_share_top10pct_perpetrators")
def top_tenth(finding: dict[str, Any]) -> go.Figure | None:
    figures = finding["figures"]
    harm = figures.get("harm_share_top10pct") or {}
    if harm.get("estimate") is None:
        return None
    top, everyone = figures.get("top_perpetrators"), figures.get("perpetrators")
    people = top / everyone if top is not None and everyone else None
    fig = go.Figure()
    bars = (
        ("% of perpetrators", (people, None, None), PALETTE[0]),
        ("% of all harm", (harm["estimate"], harm.get("low"), harm.get("high")), PALETTE[3]),
    )
    for name, value, colour in bars:
        fig.add_bar(
            y=[name],
            x=[pct(value[0])],
            orientation="h",
            marker_color=colour,
            # A count known without sampling error gets no error bar at all.
            error_x=share_error([value]) if value[1] is not None else None,
            text=[None if value[0] is None else f"{pct(value[0]):.1f}%"],
            textposition="inside",
            insidetextanchor="start",
            showlegend=False,
        )
    fig.update_xaxes(title="% of all perpetrators / of all harm (95% interval)", range=[0, 100])
    fig.update_layout(height=260)
    return styled(fig, "The most harmful tenth of perpetrators and their share of all harm")
