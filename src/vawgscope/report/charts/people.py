"""Charts of victims and perpetrators: ages, cohorts, rates, repeats, relationship, ethnicity."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from vawgscope.report.charts.base import (
    HEAT,
    PALETTE,
    chart,
    estimate,
    grouped_share_bars,
    legend_below,
    pct,
    styled,
    words,
)

#: Offence groups drawn as their own line in the victims-by-year chart.
LINES = len(PALETTE)


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
    rows = [r for r in finding["tables"].get("by_band_all", []) if r.get("year") is not None]
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
    rows = [
        r
        for r in finding["tables"].get("by_birth_year_all", [])
        if r.get("year") is not None and r.get("birth_year") is not None
    ]
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


@chart("victims_by_group_by_year")
def victims_by_year(finding: dict[str, Any]) -> go.Figure | None:
    rows = [
        r
        for r in finding["tables"].get("by_group", [])
        if r.get("offence_group") and r.get("year") is not None
    ]
    if not rows:
        return None
    totals: dict[str, float] = {}
    for r in rows:
        totals[r["offence_group"]] = totals.get(r["offence_group"], 0) + (r.get("victims") or 0)
    groups = sorted(totals, key=lambda g: (-totals[g], g))[:LINES]
    fig = go.Figure()
    for i, group in enumerate(groups):
        chosen = sorted((r for r in rows if r["offence_group"] == group), key=lambda r: r["year"])
        fig.add_scatter(
            x=[r["year"] for r in chosen],
            y=[r.get("victims") for r in chosen],
            mode="lines+markers",
            name=words(group),
            line={"color": PALETTE[i]},
        )
    basis = finding["figures"].get("year_basis", "calendar")
    fig.update_xaxes(title=f"{basis} year", dtick=1, tickformat="d")
    fig.update_yaxes(title="victims in the year", rangemode="tozero")
    fig.update_layout(height=440)
    shown = "" if len(totals) <= LINES else f" (the {LINES} largest groups)"
    return legend_below(styled(fig, f"Victims a year by offence group{shown}"), 2)


def _band_start(band: str) -> int:
    digits = str(band).split("-")[0].rstrip("+")
    return int(digits) if digits.isdigit() else 999


@chart("victimisation_rate_max")
def rates_by_age_and_deprivation(finding: dict[str, Any]) -> go.Figure | None:
    rows = finding["tables"].get("rates")
    if not rows:
        return None
    per_year = any(r.get("rate_per_year") is not None for r in rows)
    key = "rate_per_year" if per_year else "rate"
    bands = sorted({r["age_band"] for r in rows}, key=_band_start)
    deciles = sorted({r["imd_decile_group"] for r in rows}, key=_band_start)
    cells = {(r["age_band"], r["imd_decile_group"]): r.get(key) for r in rows}
    z = [
        [None if cells.get((b, d)) is None else 1000 * cells[(b, d)] for d in deciles]
        for b in bands
    ]
    if all(v is None for line in z for v in line):
        return None
    unit = "victims per 1,000 female residents" + (" a year" if per_year else "")
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=deciles,
            y=bands,
            colorscale=HEAT,
            colorbar={"title": {"text": "per 1,000<br>a year" if per_year else "per 1,000"}},
            hovertemplate="age %{y}, IMD deciles %{x}: %{z:.1f} " + unit + "<extra></extra>",
            xgap=1,
            ygap=1,
        )
    )
    top = finding["figures"].get("highest") or {}
    if top.get("age_band") in bands and top.get("imd_decile_group") in deciles:
        value = cells.get((top["age_band"], top["imd_decile_group"]))
        fig.add_annotation(
            x=top["imd_decile_group"],
            y=top["age_band"],
            text="highest" + ("" if value is None else f": {1000 * value:.0f}"),
            showarrow=True,
            arrowcolor=PALETTE[3],
            font={"color": "#000000", "size": 11},
            bgcolor="rgba(255,255,255,0.85)",
            ax=60,
            ay=-30,
        )
    fig.update_xaxes(title="IMD decile group of home area (1 = most deprived)", type="category")
    fig.update_yaxes(title="victim's age band", type="category")
    fig.update_layout(height=560)
    return styled(fig, f"Victimisation rate by age and deprivation ({unit})")


@chart("repeat_victimisation")
def repeats(finding: dict[str, Any]) -> go.Figure | None:
    rows = finding["tables"].get("by_crimes_per_victim")
    if not rows:
        return None
    fig = go.Figure()
    for i, (key, name) in enumerate(
        (("share_of_victims", "% of victims"), ("share_of_victimisations", "% of victimisations"))
    ):
        fig.add_bar(
            x=[str(r["crimes_per_victim"]) for r in rows],
            y=[pct(r.get(key)) for r in rows],
            name=name,
            marker_color=PALETTE[(0, 3)[i]],
        )
    fig.update_layout(barmode="group")
    fig.update_xaxes(title="crimes per victim", type="category")
    fig.update_yaxes(title="% of all victims / of all victimisations")
    return legend_below(styled(fig, "Repeat victimisation: few victims, many of the crimes"))


def _by_role(rows: list[dict[str, Any]], column: str, share: str, title: str) -> go.Figure | None:
    victims = {r[column]: r for r in rows if r.get("role") == "victim"}
    perpetrators = {r[column]: r for r in rows if r.get("role") == "perpetrator"}
    # Categories in the victims' order of size, the largest at the top.
    categories = sorted(
        {**victims, **perpetrators},
        key=lambda c: (victims.get(c, {}).get(share) or 0.0, str(c)),
    )
    return grouped_share_bars(
        categories,
        {
            "perpetrators": [estimate(perpetrators.get(c, {}), share) for c in categories],
            "victims": [estimate(victims.get(c, {}), share) for c in categories],
        },
        title,
        "% of victim / perpetrator links to crimes"
        if share == "share_of_links"
        else "% of victims / of perpetrators",
    )


@chart("people_by_relationship")
def relationships(finding: dict[str, Any]) -> go.Figure | None:
    return _by_role(
        finding["tables"].get("by_relationship", []),
        "relationship",
        "share_of_links",
        "Relationship between victim and perpetrator, by role (95% intervals)",
    )


@chart("people_by_ethnicity")
def ethnicity(finding: dict[str, Any]) -> go.Figure | None:
    return _by_role(
        finding["tables"].get("by_ethnicity", []),
        "ethnicity",
        "share_of_people",
        "Victims and perpetrators by ethnicity (95% intervals)",
    )
