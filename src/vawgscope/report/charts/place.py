"""Charts of place: where crimes happen, distance from home, district forecasts."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import plotly.graph_objects as go

from vawgscope.report.charts.base import PALETTE, chart, pct, share_bars, styled


def _location_bars(rows: list[dict[str, Any]], title: str) -> go.Figure | None:
    return share_bars([r for r in rows if r.get("share")], "location_type", title, "% of crimes")


@chart("location_types")
def locations(finding: dict[str, Any]) -> go.Figure | None:
    return _location_bars(finding["tables"].get("location_types", []), "Where crimes happen")


@chart("location_types_non_domestic")
def locations_non_domestic(finding: dict[str, Any]) -> go.Figure | None:
    return _location_bars(
        finding["tables"].get("location_types_non_domestic", []), "Where non-domestic crimes happen"
    )


@chart("location_types_by_victim_age")
def locations_by_age(finding: dict[str, Any]) -> go.Figure | None:
    rows = finding["tables"].get("location_types_by_victim_age")
    if not rows:
        return None
    shares: dict[str, dict[str, float]] = defaultdict(dict)
    for r in rows:
        shares[r["location_type"]][r["age_band"]] = 100 * (r["share"] or 0.0)
    bands = list(dict.fromkeys(r["age_band"] for r in rows))
    top = sorted(shares, key=lambda t: -sum(shares[t].values()))[:7]
    fig = go.Figure()
    for i, place in enumerate(top):
        fig.add_bar(
            x=bands,
            y=[shares[place].get(b, 0.0) for b in bands],
            name=place.replace("_", " "),
            marker_color=PALETTE[i % len(PALETTE)],
        )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title="% of the band's crimes")
    fig.update_xaxes(title="victim's age band")
    return styled(fig, "Where crimes happen, by the victim's age")


@chart("distance_from_victim_home")
def distance_bands(finding: dict[str, Any]) -> go.Figure | None:
    rows = finding["tables"].get("bands")
    if not rows:
        return None
    fig = go.Figure(
        go.Bar(
            x=[r["label"] for r in rows],
            y=[pct(r["share"]) for r in rows],
            marker_color=PALETTE[0],
        )
    )
    fig.update_yaxes(title="% of victim–crime pairs")
    return styled(fig, "Distance from the victim's home to the crime")


@chart("district_rank_forecast_2y")
def forecasts(finding: dict[str, Any]) -> go.Figure | None:
    rows = finding["tables"].get("district_history_and_forecast")
    ranking = finding["tables"].get("district_forecast")
    if not rows or not ranking:
        return None
    leaders = [r["district"] for r in ranking[:5]]
    fig = go.Figure()
    for i, district in enumerate(leaders):
        colour = PALETTE[i % len(PALETTE)]
        past = [r for r in rows if r["district"] == district and r["kind"] == "observed"]
        ahead = [r for r in rows if r["district"] == district and r["kind"] == "forecast"]
        fig.add_scatter(
            x=[r["month"] for r in past],
            y=[r["crimes"] for r in past],
            mode="lines",
            name=district,
            line={"color": colour},
        )
        if ahead:
            months = [r["month"] for r in ahead]
            fig.add_scatter(
                x=months + months[::-1],
                y=[r["high"] for r in ahead] + [r["low"] for r in ahead][::-1],
                fill="toself",
                fillcolor=colour,
                opacity=0.15,
                line={"width": 0},
                showlegend=False,
                hoverinfo="skip",
            )
            fig.add_scatter(
                x=months,
                y=[r["forecast"] for r in ahead],
                mode="lines",
                line={"color": colour, "dash": "dash"},
                showlegend=False,
            )
    fig.update_yaxes(title="crimes a month", rangemode="tozero")
    fig.update_layout(height=440)
    return styled(fig, "District trends and two-year forecasts (95% intervals), top five")


@chart("reoffending_curves")
def reoffending(finding: dict[str, Any]) -> go.Figure | None:
    curves = finding["figures"].get("curves")
    if not curves:
        return None
    fig = go.Figure()
    for i, (family, curve) in enumerate(sorted(curves.items())):
        fig.add_scatter(
            x=curve["day"],
            y=[pct(v) for v in curve["reoffended"]],
            mode="lines",
            name=family.replace("_", " "),
            line={"color": PALETTE[i], "shape": "hv"},
        )
    fig.update_xaxes(title="days since the first crime")
    fig.update_yaxes(title="% re-offended (Kaplan–Meier)", rangemode="tozero")
    return styled(fig, "Re-offending after a first crime, by offence family")
