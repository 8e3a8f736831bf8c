"""Charts of victims and perpetrators: ages, cohorts, repeat victimisation."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from vawgscope.report.charts.base import PALETTE, chart, styled


@chart("victim_peak_age_window")
def victim_ages(finding: dict[str, Any]) -> go.Figure | None:
    rows = [r for r in finding["tables"].get("by_age", []) if isinstance(r.get("age"), int)]
    if not rows:
        return None
    fig = go.Figure(
        go.Bar(
            x=[r["age"] for r in rows],
            y=[r["victims"] for r in rows],
            marker_color=PALETTE[0],
            name="victims",
        )
    )
    window = finding["figures"].get("peak_window")
    if window:
        fig.add_vrect(
            x0=window[0] - 0.5,
            x1=window[1] + 0.5,
            fillcolor=PALETTE[1],
            opacity=0.2,
            line_width=0,
            annotation_text="peak 10-year window",
        )
    fig.update_xaxes(title="age at first crime")
    fig.update_yaxes(title="victims")
    return styled(fig, "Victims by age")


@chart("victims_by_age_with_under_18_perpetrators")
def under_18(finding: dict[str, Any]) -> go.Figure | None:
    rows = [
        r
        for r in finding["tables"].get("by_age", [])
        if isinstance(r.get("age"), int) and r["age"] <= 40
    ]
    if not rows:
        return None
    fig = go.Figure()
    fig.add_scatter(
        x=[r["age"] for r in rows],
        y=[r["sexual_offence_victims_with_under_18"] for r in rows],
        name="with perpetrators under 18",
        line={"color": PALETTE[3]},
    )
    fig.add_scatter(
        x=[r["age"] for r in rows],
        y=[r["sexual_offence_victims_without_under_18"] for r in rows],
        name="perpetrators 18+ only",
        line={"color": PALETTE[0]},
    )
    fig.update_xaxes(title="victim's age")
    fig.update_yaxes(title="victims of sexual offences")
    return styled(fig, "Sexual-offence victims by age, with and without perpetrators under 18")


@chart("perpetrator_leading_age_band")
def perpetrator_bands(finding: dict[str, Any]) -> go.Figure | None:
    rows = finding["tables"].get("by_band_all")
    if not rows:
        return None
    fig = go.Figure()
    for i, year in enumerate(sorted({r["year"] for r in rows})):
        chosen = [r for r in rows if r["year"] == year]
        fig.add_bar(
            x=[r["age_band"] for r in chosen],
            y=[r["perpetrators"] for r in chosen],
            name=str(year),
            marker_color=PALETTE[i % len(PALETTE)],
        )
    fig.update_layout(barmode="group")
    fig.update_yaxes(title="perpetrators")
    return styled(fig, "Perpetrators by age band, each year")


@chart("peak_perpetrator_birth_year")
def cohorts(finding: dict[str, Any]) -> go.Figure | None:
    rows = finding["tables"].get("by_birth_year_all")
    if not rows:
        return None
    fig = go.Figure()
    for i, year in enumerate(sorted({r["year"] for r in rows})):
        chosen = sorted(
            (r for r in rows if r["year"] == year and r["birth_year"] >= 1940),
            key=lambda r: r["birth_year"],
        )
        fig.add_scatter(
            x=[r["birth_year"] for r in chosen],
            y=[r["perpetrators"] for r in chosen],
            mode="lines",
            name=str(year),
            line={"color": PALETTE[i % len(PALETTE)]},
        )
    fig.update_xaxes(title="perpetrator's year of birth")
    fig.update_yaxes(title="perpetrators")
    return styled(fig, "The birth-cohort view: perpetrators by year of birth, each year")
