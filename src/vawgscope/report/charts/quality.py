"""Charts of the data-quality family: the monthly series with gaps and unusual months."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from vawgscope.report.charts.base import PALETTE, chart, styled


@chart("data_quality")
def months(finding: dict[str, Any]) -> go.Figure | None:
    rows = finding["tables"].get("months")
    if not rows:
        return None
    fig = go.Figure()
    fig.add_scatter(
        x=[r["month"] for r in rows],
        y=[r["crimes"] for r in rows],
        mode="lines+markers",
        name="crimes in scope",
        line={"color": PALETTE[0]},
    )
    odd = [r for r in rows if r.get("anomalous")]
    if odd:
        fig.add_scatter(
            x=[r["month"] for r in odd],
            y=[r["crimes"] for r in odd],
            mode="markers",
            name="unusual against its neighbours",
            marker={"size": 12, "symbol": "circle-open", "color": PALETTE[3]},
        )
    fig.update_yaxes(title="crimes", rangemode="tozero")
    return styled(fig, "Crimes in scope by month, with unusual months marked")
