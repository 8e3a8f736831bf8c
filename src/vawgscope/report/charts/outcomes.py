"""Charts of outcomes: rates by group, the attrition funnel, the outcome mix, time taken."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from vawgscope.contract.outcomes import OUTCOME_GROUPS
from vawgscope.report.charts.base import (
    GREY,
    LIGHT_GREY,
    PALETTE,
    chart,
    gap,
    legend_below,
    pct,
    share_bars,
    styled,
    words,
)

#: One colour per outcome group: the palette, then greys for "other" and "under investigation".
OUTCOME_COLOURS: dict[str, str] = {
    **dict(zip(OUTCOME_GROUPS, PALETTE, strict=False)),
    "other": GREY,
    "under_investigation": LIGHT_GREY,
}


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
                x=[r["stage"].replace("_", " ") for r in chosen],
                y=[pct(r["share_of_recorded"]) for r in chosen],
                mode="lines+markers",
                name=group.replace("_", " "),
                line={"color": PALETTE[i]},
            )
    fig.update_yaxes(title="% of recorded crimes", range=[0, 100])
    return styled(fig, "From recorded to charged: the attrition funnel")


@chart("outcome_distribution")
def outcome_mix(finding: dict[str, Any]) -> go.Figure | None:
    rows = finding["tables"].get("by_group")
    if not rows:
        return None
    shares: dict[str, dict[str, float | None]] = {}
    for r in rows:
        shares.setdefault(r["group"], {})[r["outcome_group"]] = pct(r.get("share_of_outcomes"))
    # Groups ordered by their charge share, the highest at the top.
    groups = sorted(shares, key=lambda g: shares[g].get("charged_or_summonsed") or -1.0)
    present = {r["outcome_group"] for r in rows}
    fig = go.Figure()
    for outcome in [*OUTCOME_COLOURS, *sorted(present - set(OUTCOME_COLOURS))]:
        # Crimes still under investigation have no outcome share: nothing to draw.
        if any(shares[g].get(outcome) is not None for g in groups):
            fig.add_bar(
                y=[words(g) for g in groups],
                x=[shares[g].get(outcome) for g in groups],
                name=words(outcome),
                orientation="h",
                marker_color=OUTCOME_COLOURS.get(outcome, GREY),
                hovertemplate="%{y}: %{x:.1f}%<extra>" + words(outcome) + "</extra>",
            )
    fig.update_layout(barmode="stack", height=480)
    fig.update_xaxes(title="% of the group's outcomes", range=[0, 100])
    fig = legend_below(
        styled(fig, "What happened to the crimes: outcome groups by offence group"), 3
    )
    fig.update_layout(legend_traceorder="normal")
    return fig


@chart("outcome_timeliness")
def days_to_outcome(finding: dict[str, Any]) -> go.Figure | None:
    # Month-level data (police.uk) can only be timed in whole months.
    unit = "days" if finding["tables"].get("days_to_outcome") else "months"
    rows = [
        r
        for r in finding["tables"].get(f"{unit}_to_outcome", [])
        if r.get("median") is not None and isinstance(r.get("year"), int)
    ]
    if not rows:
        return None
    basis = finding["figures"].get("year_basis", "calendar")
    year = latest_complete_year(
        {r["year"] for r in rows}, basis, finding["context"].get("complete_months")
    )
    rows = sorted((r for r in rows if r["year"] == year), key=lambda r: r["median"])
    fig = go.Figure(
        go.Bar(
            y=[words(r["group"]) for r in rows],
            x=[r["median"] for r in rows],
            orientation="h",
            marker_color=PALETTE[0],
            error_x={
                "type": "data",
                "symmetric": False,
                "array": [gap(r.get("q3"), r["median"]) for r in rows],
                "arrayminus": [gap(r["median"], r.get("q1")) for r in rows],
            },
            hovertemplate=f"%{{y}}: median %{{x:.0f}} {unit}<extra></extra>",
        )
    )
    fig.update_xaxes(title=f"{unit} from recording to outcome (median; whiskers: quartiles)")
    fig.update_layout(height=160 + 28 * len(rows))
    return styled(
        fig, f"{unit.capitalize()} to an outcome by offence group, crimes of {basis} year {year}"
    )


def latest_complete_year(years: set[int], basis: str, complete: list[str] | None) -> int:
    """The latest year wholly inside the complete months, else simply the latest year.

    A year the window cuts short would show only its quickest outcomes.
    """
    if complete and len(complete) == 2:
        first, last = (int(m[:4]) * 12 + int(m[5:7]) for m in complete)
        start = 4 if basis == "financial" else 1
        whole = [y for y in years if first <= y * 12 + start and y * 12 + start + 11 <= last]
        if whole:
            return max(whole)
    return max(years)
