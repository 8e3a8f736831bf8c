"""Charts of outcomes: rates by group and the attrition funnel."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from vawgscope.report.charts.base import PALETTE, chart, pct, share_bars, styled


def _rate_bars(finding: dict[str, Any], table: str, title: str) -> go.Figure | None:
    rows = [r for r in finding["tables"].get(table, []) if r.get("group") != "all"]
    return share_bars(rows, "group", title, "% of crimes with an outcome")


@chart("charge_rate")
def charge(finding: dict[str, Any]) -> go.Figure | None:
    return _rate_bars(finding, "charge_rate_by_group", "Charged or summonsed, by group")


@chart("victim_not_supporting_rate")
def not_supporting(finding: dict[str, Any]) -> go.Figure | None:
    return _rate_bars(
        finding,
        "victim_not_supporting_rate_by_group",
        "Victim does not support action (outcomes 14 and 16), by group",
    )


@chart("evidential_difficulty_rate")
def evidential(finding: dict[str, Any]) -> go.Figure | None:
    return _rate_bars(
        finding,
        "evidential_difficulty_rate_by_group",
        "Evidential difficulties (outcome 15), by group",
    )


@chart("attrition_funnel")
def funnel(finding: dict[str, Any]) -> go.Figure | None:
    rows = finding["tables"].get("funnel")
    if not rows:
        return None
    fig = go.Figure()
    for i, group in enumerate(("rape", "other_sexual", "stalking", "violence_with_injury")):
        chosen = [r for r in rows if r["group"] == group]
        if chosen:
            fig.add_scatter(
                x=[r["stage"] for r in chosen],
                y=[pct(r["share_of_recorded"]) for r in chosen],
                mode="lines+markers",
                name=group.replace("_", " "),
                line={"color": PALETTE[i]},
            )
    fig.update_yaxes(title="% of recorded crimes", range=[0, 100])
    return styled(fig, "From recorded to charged: the attrition funnel")
