"""Charts of areas: the rate map with hot spots, persistent areas, district ranks, Gi* scores."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from vawgscope.report.charts.base import (
    HEAT,
    LIGHT_GREY,
    PALETTE,
    chart,
    legend_below,
    month_name,
    styled,
)

#: Areas shown at each end of the Gi* ranking.
GI_AREAS = 15

#: Sequential, colour-blind safe (light to dark blue).
CLASS_COLOURS = ("#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")


@chart("area_rates")
def rate_map(finding: dict[str, Any]) -> go.Figure | None:
    shapes = finding["context"].get("shapes")
    rates = {
        r["lsoa_code"]: r
        for r in finding["tables"].get("lsoa_rates", [])
        if r.get("rate_per_1000") is not None
    }
    if shapes is None or not rates:
        return None
    values = np.array([r["rate_per_1000"] for r in rates.values()])
    edges = np.unique(np.quantile(values, np.linspace(0, 1, len(CLASS_COLOURS) + 1)))
    fig = go.Figure()
    if shapes.outlines:
        for k in range(len(edges) - 1):
            low, high = edges[k], edges[k + 1]
            xs: list[float | None] = []
            ys: list[float | None] = []
            for code, row in rates.items():
                rate = row["rate_per_1000"]
                inside = low <= rate <= high if k == len(edges) - 2 else low <= rate < high
                if inside and code in shapes.outlines:
                    xs += shapes.outlines[code][0]
                    ys += shapes.outlines[code][1]
            fig.add_scatter(
                x=xs,
                y=ys,
                fill="toself",
                mode="lines",
                hoverinfo="skip",
                line={"color": "#ffffff", "width": 0.3},
                fillcolor=CLASS_COLOURS[k],
                name=f"{low:,.0f}–{high:,.0f}",
            )
    located = [c for c in rates if c in shapes.centroids]
    fig.add_scatter(
        x=[shapes.centroids[c][0] for c in located],
        y=[shapes.centroids[c][1] for c in located],
        mode="markers",
        marker={"size": 4, "color": "rgba(0,0,0,0)"},
        showlegend=False,
        text=[
            f"{rates[c].get('lsoa_name') or c}: {rates[c]['rate_per_1000']:,.1f} per 1,000"
            for c in located
        ],
        hoverinfo="text",
    )
    hot = [c for c in finding["context"].get("hot_spots", []) if c in shapes.centroids]
    if hot:
        fig.add_scatter(
            x=[shapes.centroids[c][0] for c in hot],
            y=[shapes.centroids[c][1] for c in hot],
            mode="markers",
            name="hot spot (Gi*, FDR-corrected)",
            marker={"symbol": "circle-open", "size": 9, "color": "#D55E00", "line": {"width": 2}},
        )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1)
    fig.update_layout(height=620, legend={"title": {"text": "crimes per 1,000 a year"}})
    return styled(fig, "Crimes per 1,000 residents a year by area, with hot spots")


@chart("top_lsoas")
def persistent_areas(finding: dict[str, Any]) -> go.Figure | None:
    rows = finding["tables"].get("persistence")
    if not rows:
        return None
    columns = sorted({k for r in rows for k in r if k.startswith("rank_") and k[5:].isdigit()})
    if not columns:
        return None
    z = [[r.get(c) for c in columns] for r in rows]
    if all(v is None for line in z for v in line):
        return None
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[c[5:] for c in columns],
            y=[r.get("lsoa_name") or r.get("lsoa_code") for r in rows],
            colorscale=HEAT,
            colorbar={"title": {"text": "rank"}},
            texttemplate="%{z}",
            textfont={"size": 10},
            hovertemplate="%{y}, %{x}: rank %{z}<extra></extra>",
            xgap=1,
            ygap=1,
        )
    )
    basis = finding["figures"].get("year_basis", "calendar")
    fig.update_xaxes(title=f"{basis} year", type="category")
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(height=160 + 24 * len(rows))
    return styled(fig, "Rank of the most persistent areas each year (1 = most crimes)")


@chart("district_rank_now")
def districts(finding: dict[str, Any]) -> go.Figure | None:
    rows = [r for r in finding["tables"].get("district_crimes_now", []) if r.get("district")]
    if not rows:
        return None
    rows = rows[::-1]  # rank 1 at the top
    fig = go.Figure(
        go.Bar(
            y=[f"{r['district']} ({r['rank']})" if r.get("rank") else r["district"] for r in rows],
            x=[r.get("crimes") for r in rows],
            orientation="h",
            marker_color=PALETTE[0],
        )
    )
    months = finding["figures"].get("months") or []
    period = f", {month_name(months[0])} to {month_name(months[-1])}" if months else ""
    fig.update_xaxes(title="crimes (rank in brackets)")
    fig.update_layout(height=140 + 26 * len(rows))
    return styled(fig, f"Crimes by district in the latest 12 complete months{period}")


@chart("lsoa_hotspots")
def gi_scores(finding: dict[str, Any]) -> go.Figure | None:
    scored = sorted(
        (r for r in finding["tables"].get("lsoa_hotspots", []) if r.get("z_crimes") is not None),
        key=lambda r: r["z_crimes"],
    )
    if not scored:
        return None
    # The coldest at the foot, the hottest at the top; a short table is shown whole.
    shown = scored if len(scored) <= 2 * GI_AREAS else scored[:GI_AREAS] + scored[-GI_AREAS:]
    fig = go.Figure()
    classes = (
        ("hot", "hot spot (FDR-corrected)", PALETTE[3]),
        ("cold", "cold spot (FDR-corrected)", PALETTE[0]),
        ("", "not significant", LIGHT_GREY),
    )
    labels = [r.get("lsoa_name") or r["lsoa_code"] for r in shown]
    for spot, name, colour in classes:
        chosen = [
            (label, r)
            for label, r in zip(labels, shown, strict=True)
            if (r.get("spot_crimes") or "") == spot
        ]
        if chosen:
            fig.add_bar(
                y=[label for label, _ in chosen],
                x=[r["z_crimes"] for _, r in chosen],
                orientation="h",
                name=name,
                marker_color=colour,
            )
    fig.update_yaxes(categoryorder="array", categoryarray=labels)
    fig.update_xaxes(title="Gi* z-score of crime counts (above 0: more than the neighbourhood)")
    fig.update_layout(height=160 + 20 * len(shown), barmode="overlay")
    ends = (
        f"the {GI_AREAS} hottest and {GI_AREAS} coldest areas"
        if len(scored) > 2 * GI_AREAS
        else "every area"
    )
    return legend_below(styled(fig, f"Local clustering of crimes (Gi*): {ends}"))
