"""Charts of place: where crimes happen, distance from home, scenes, district forecasts."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from vawgscope.report.charts.base import (
    DARK_GREY,
    PALETTE,
    chart,
    estimate,
    gap,
    grouped_share_bars,
    pct,
    share_bars,
    share_error,
    styled,
    words,
)

#: The scenes of a crime between a victim and a perpetrator who live apart.
SCENES = {
    "victim_home": "victim's home",
    "perpetrator_home": "perpetrator's home",
    "elsewhere": "elsewhere",
}


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


@chart("fatal_or_near_fatal_location")
def locations_fatal(finding: dict[str, Any]) -> go.Figure | None:
    return _location_bars(
        finding["tables"].get("location_types_fatal_or_near_fatal", []),
        "Where fatal or near-fatal crimes happen (95% intervals)",
    )


@chart("location_types_nte")
def locations_nte(finding: dict[str, Any]) -> go.Figure | None:
    night = {r["location_type"]: r for r in finding["tables"].get("location_types_nte", [])}
    other = {r["location_type"]: r for r in finding["tables"].get("location_types_other_hours", [])}

    def biggest(place: str) -> float:
        return max((t.get(place, {}).get("share") or 0.0) for t in (night, other))

    # Places with under 0.5% of either window's weight would be unreadable slivers.
    places = sorted((p for p in {**night, **other} if biggest(p) >= 0.005), key=biggest)
    window = finding["figures"].get("nte_window", "night-time economy")
    return grouped_share_bars(
        places,
        {
            "other hours": [estimate(other.get(p, {})) for p in places],
            f"night-time economy ({window})": [estimate(night.get(p, {})) for p in places],
        },
        "Where crimes happen: night-time economy against other hours (95% intervals)",
        "% of the window's crime weight (aoristic)",
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


@chart("scene_when_not_coresident")
def scenes(finding: dict[str, Any]) -> go.Figure | None:
    rows = [r for r in finding["tables"].get("scenes", []) if r.get("scene")]
    if not rows or all(r.get("share") is None for r in rows):
        return None
    names = [SCENES.get(r["scene"], words(r["scene"])) for r in rows]
    fig = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        horizontal_spacing=0.06,
        subplot_titles=("share of victim–perpetrator pairs", "mean harm of their crimes"),
    )
    shares = [estimate(r) for r in rows]
    fig.add_bar(
        y=names,
        x=[pct(v[0]) for v in shares],
        orientation="h",
        marker_color=PALETTE[0],
        error_x=share_error(shares),
        name="% of pairs",
        row=1,
        col=1,
    )
    fig.add_bar(
        y=names,
        x=[r.get("mean_harm") for r in rows],
        orientation="h",
        marker_color=PALETTE[3],
        error_x={
            "type": "data",
            "symmetric": False,
            "array": [gap(r.get("mean_harm_high"), r.get("mean_harm")) for r in rows],
            "arrayminus": [gap(r.get("mean_harm"), r.get("mean_harm_low")) for r in rows],
        },
        name="mean harm",
        row=1,
        col=2,
    )
    fig.update_xaxes(title="% of pairs living apart", row=1, col=1)
    fig.update_xaxes(title="mean harm (days, harm index)", row=1, col=2)
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(showlegend=False, height=320)
    fig.update_annotations(font_size=12)
    return styled(fig, "Where crimes happen when victim and perpetrator live apart (95% intervals)")


@chart("hotspot_perpetrator_distance")
def hotspot_distance(finding: dict[str, Any]) -> go.Figure | None:
    rows = [
        r
        for r in finding["tables"].get("hotspots", [])
        if r.get("rank") is not None and r.get("median_m") is not None
    ]
    if not rows:
        return None
    rows.sort(key=lambda r: r["rank"], reverse=True)
    fig = go.Figure(
        go.Scatter(
            y=[r.get("lsoa_name") or r["lsoa_code"] for r in rows],
            x=[r["median_m"] / 1000 for r in rows],
            mode="markers",
            marker={"color": PALETTE[0], "size": 10},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": [_km(gap(r.get("q3_m"), r["median_m"])) for r in rows],
                "arrayminus": [_km(gap(r["median_m"], r.get("q1_m"))) for r in rows],
            },
            hovertemplate="%{y}: median %{x:.1f} km<extra></extra>",
        )
    )
    county = finding["figures"].get("county_median_m")
    if county is not None:
        fig.add_vline(
            x=county / 1000,
            line={"color": DARK_GREY, "dash": "dash", "width": 1.5},
            annotation_text=f"county median {county / 1000:.1f} km",
            annotation_position="top right",
            annotation_yshift=4,
            annotation_font_size=10,
        )
    fig.update_xaxes(
        title="km from the perpetrator's home to the crime (median; whiskers: quartiles)",
        rangemode="tozero",
    )
    fig.update_layout(height=160 + 30 * len(rows), margin={"t": 70})
    return styled(fig, "How far perpetrators travel to the top areas, against the county median")


def _km(metres: float | None) -> float | None:
    return None if metres is None else metres / 1000
