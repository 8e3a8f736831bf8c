"""The area map: rates per 1,000 residents by LSOA, hot spots marked, on the national grid."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from vawgscope.report.charts.base import chart, styled

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
