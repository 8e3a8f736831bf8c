"""Charts of volume and trend: monthly lines, the offence mix, growth, seasons and peaks."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from vawgscope.report.charts.base import (
    DARK_GREY,
    PALETTE,
    chart,
    count,
    legend_below,
    month_name,
    pct,
    pct_gap,
    share_bars,
    styled,
    words,
)

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
    for i, period in enumerate(finding["context"].get("periods") or []):
        fig.add_vrect(
            x0=str(period["start_date"])[:7],
            x1=str(period["end_date"])[:7],
            fillcolor="#999",
            opacity=0.18,
            line_width=0,
            annotation_text=period["name"],
            annotation_position="top left",
            annotation_font_size=9,
            # Periods close together (the 2020-21 lockdowns) would print their names on top
            # of each other: each label sits a line lower than the one before.
            annotation_yshift=-13 * (i % 3),
        )
    fig.update_yaxes(title="crimes a month", rangemode="tozero")
    fig.update_layout(height=440)
    return styled(fig, "Crimes a month by offence group (lockdowns shaded)")


@chart("seasonality")
def seasonality(finding: dict[str, Any]) -> go.Figure | None:
    rows = [
        r
        for r in finding["tables"].get("crimes_by_year_and_month", [])
        if r.get("complete") and r.get("year") is not None and r.get("month") is not None
    ]
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


@chart("share_by_group_since")
def mix_since(finding: dict[str, Any]) -> go.Figure | None:
    since = finding["figures"].get("since")
    title = "Share of crimes by offence group" + (f" since {since}" if since else "")
    rows = finding["tables"].get("share_by_group", [])
    return share_bars(rows, "group", f"{title} (95% intervals)", "% of crimes")


@chart("fastest_growing_group")
def growth(finding: dict[str, Any]) -> go.Figure | None:
    rows = [r for r in finding["tables"].get("growth_by_group", []) if r.get("growth") is not None]
    if not rows:
        return None
    rows.sort(key=lambda r: r["growth"])
    growth = [r["growth"] for r in rows]
    fig = go.Figure(
        go.Bar(
            y=[
                f"{words(r['group'])} ({count(r.get('base'))} → {count(r.get('latest'))})"
                for r in rows
            ],
            x=[pct(g) for g in growth],
            orientation="h",
            marker_color=[PALETTE[3] if g > 0 else PALETTE[0] for g in growth],
            error_x={
                "type": "data",
                "symmetric": False,
                "array": [pct_gap(r.get("high"), r["growth"]) for r in rows],
                "arrayminus": [pct_gap(r["growth"], r.get("low")) for r in rows],
            },
            hovertemplate="%{y}: %{x:+.0f}%<extra></extra>",
        )
    )
    fig.add_vline(x=0, line={"color": DARK_GREY, "width": 1})
    fig.update_xaxes(title="% change, base year to latest year (crimes base → latest)")
    fig.update_layout(height=140 + 28 * len(rows))
    base = finding["figures"].get("base_months") or []
    latest = finding["figures"].get("latest_months") or []
    period = (
        f": {month_name(base[0])}–{month_name(base[-1])} to "
        f"{month_name(latest[0])}–{month_name(latest[-1])}"
        if base and latest
        else ""
    )
    return styled(fig, f"Growth by offence group{period} (95% intervals)")


@chart("summer_peak_years")
def summer_peaks(finding: dict[str, Any]) -> go.Figure | None:
    rows = finding["tables"].get("summer_vs_rest_by_year")
    if not rows:
        return None
    years = [
        f"<b>{r['year']}</b><br>summer peak" if r.get("summer_peak") else str(r["year"])
        for r in rows
    ]
    fig = go.Figure()
    fig.add_bar(
        x=years,
        y=[r.get("summer_mean") for r in rows],
        name="summer (June–August)",
        marker_color=PALETTE[1],
    )
    fig.add_bar(
        x=years,
        y=[r.get("other_months_mean") for r in rows],
        name="other months",
        marker_color=PALETTE[0],
    )
    basis = finding["figures"].get("year_basis", "calendar")
    fig.update_layout(barmode="group")
    fig.update_xaxes(title=f"{basis} year", type="category")
    fig.update_yaxes(title="mean crimes a month")
    return legend_below(styled(fig, "Summer months against the rest of the year, by year"))


@chart("peak_month")
def busiest_months(finding: dict[str, Any]) -> go.Figure | None:
    rows = [r for r in finding["tables"].get("busiest_months", []) if r.get("month")]
    if not rows:
        return None
    fig = go.Figure(
        go.Bar(
            x=[month_name(r["month"]) for r in rows],
            y=[r.get("crimes") for r in rows],
            marker_color=[PALETTE[3] if r.get("rank") == 1 else PALETTE[0] for r in rows],
        )
    )
    fig.update_xaxes(title="month, busiest first", type="category")
    fig.update_yaxes(title="crimes in the month", rangemode="tozero")
    return styled(fig, f"The {len(rows)} busiest months by crimes recorded")
