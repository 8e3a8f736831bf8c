"""Charts of the time family: the weekly rhythm as heat maps."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import plotly.graph_objects as go

from vawgscope.analyses.common import WEEKDAYS
from vawgscope.report.charts.base import chart, pct, styled

HEAT = "Cividis"  # perceptually uniform and readable with colour-blindness


@chart("weekly_rhythm")
def weekday_hour(finding: dict[str, Any]) -> go.Figure | None:
    cells = finding["tables"].get("weekday_hour")
    if not cells:
        return None
    z: list[list[float | None]] = [[0.0] * 24 for _ in WEEKDAYS]
    for c in cells:
        z[c["weekday"]][c["hour"]] = pct(c["share"])
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[f"{h:02d}" for h in range(24)],
            y=list(WEEKDAYS),
            colorscale=HEAT,
            colorbar={"title": "% of weight"},
            hovertemplate="%{y} %{x}:00 — %{z:.2f}% of crimes<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title="hour of the day")
    return styled(fig, "When crimes happen: weekday by hour (aoristic share)")


@chart("weekly_rhythm_by_group")
def hour_by_group(finding: dict[str, Any]) -> go.Figure | None:
    cells = finding["tables"].get("weekday_hour_by_group")
    if not cells:
        return None
    by_group: dict[str, list[float | None]] = defaultdict(lambda: [0.0] * 24)
    for c in cells:
        row, hour = by_group[c["offence_group"]], c["hour"]
        # An hour with a withheld weekday cell has no true total: leave it blank.
        share = pct(c["share"])
        row[hour] = None if share is None or row[hour] is None else row[hour] + share
    groups = sorted(by_group)
    fig = go.Figure(
        go.Heatmap(
            z=[by_group[g] for g in groups],
            x=[f"{h:02d}" for h in range(24)],
            y=[g.replace("_", " ") for g in groups],
            colorscale=HEAT,
            colorbar={"title": "% of group"},
            hovertemplate="%{y} at %{x}:00 — %{z:.2f}%<extra></extra>",
        )
    )
    fig.update_xaxes(title="hour of the day")
    fig.update_layout(height=460)
    return styled(fig, "Hour of the day by offence group (share of each group's crimes)")
