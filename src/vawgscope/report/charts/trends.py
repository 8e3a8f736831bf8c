"""Charts of volume and trend: monthly lines by group, seasonality, period effects."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from vawgscope.report.charts.base import PALETTE, chart, styled

#: Groups drawn as their own line; the rest are summed as "other groups".
MAIN_GROUPS = (
    "violence_without_injury",
    "violence_with_injury",
    "harassment",
    "stalking",
    "malicious_communications",
    "controlling_coercive",
    "other_sexual",
    "rape",
)


@chart("monthly_counts")
def monthly(finding: dict[str, Any]) -> go.Figure | None:
    rows = finding["tables"].get("monthly_counts")
    if not rows:
        return None
    months = [r["month"] for r in rows]
    fig = go.Figure()
    for i, group in enumerate(MAIN_GROUPS):
        if group in rows[0]:
            fig.add_scatter(
                x=months,
                y=[r.get(group) for r in rows],
                mode="lines",
                name=group.replace("_", " "),
                line={"color": PALETTE[i % len(PALETTE)], "width": 1.6},
            )
    for period in finding["context"].get("periods") or []:
        fig.add_vrect(
            x0=str(period["start_date"])[:7],
            x1=str(period["end_date"])[:7],
            fillcolor="#999",
            opacity=0.18,
            line_width=0,
            annotation_text=period["name"],
            annotation_position="top left",
            annotation_font_size=9,
        )
    fig.update_yaxes(title="crimes a month", rangemode="tozero")
    fig.update_layout(height=440)
    return styled(fig, "Crimes a month by offence group (lockdowns shaded)")


@chart("seasonality")
def seasonality(finding: dict[str, Any]) -> go.Figure | None:
    rows = [r for r in finding["tables"].get("crimes_by_year_and_month", []) if r.get("complete")]
    if not rows:
        return None
    fig = go.Figure()
    for i, year in enumerate(sorted({r["year"] for r in rows})):
        chosen = sorted((r for r in rows if r["year"] == year), key=lambda r: r["month"])
        fig.add_scatter(
            x=[r["month_name"] for r in chosen],
            y=[r["crimes"] for r in chosen],
            mode="lines+markers",
            name=str(year),
            line={"color": PALETTE[i % len(PALETTE)]},
        )
    fig.update_yaxes(title="crimes", rangemode="tozero")
    return styled(fig, "Crimes by month of the year, one line a year")


@chart("period_effects")
def periods(finding: dict[str, Any]) -> go.Figure | None:
    rows = finding["tables"].get("monthly_residuals")
    if not rows:
        return None
    months = [r["month"] for r in rows]
    fig = go.Figure()
    fig.add_scatter(
        x=months + months[::-1],
        y=[r["all_high"] for r in rows] + [r["all_low"] for r in rows][::-1],
        fill="toself",
        fillcolor="rgba(0,114,178,0.15)",
        line={"width": 0},
        name="95% prediction interval",
        hoverinfo="skip",
    )
    fig.add_scatter(
        x=months,
        y=[r["all_expected"] for r in rows],
        mode="lines",
        name="expected from earlier years",
        line={"color": PALETTE[0], "dash": "dash"},
    )
    fig.add_scatter(
        x=months,
        y=[r["all_observed"] for r in rows],
        mode="lines+markers",
        name="observed",
        line={"color": PALETTE[3]},
    )
    fig.update_yaxes(title="crimes a month")
    return styled(fig, "Observed against expected crimes around the named periods")
