"""Charts of the time family: the weekly rhythm as heat maps, the night-time-economy share."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import plotly.graph_objects as go

from vawgscope.analyses.common import WEEKDAYS
from vawgscope.report.charts.base import (
    DARK_GREY,
    HEAT,
    PALETTE,
    chart,
    pct,
    share_error,
    styled,
)


@chart("weekly_rhythm")
def weekday_hour(finding: dict[str, Any]) -> go.Figure | None:
    cells = finding["tables"].get("weekday_hour")
    if not cells:
        return None
    z: list[list[float | None]] = [[0.0] * 24 for _ in WEEKDAYS]
    for c in cells:
        if c.get("weekday") is not None and c.get("hour") is not None:
            z[c["weekday"]][c["hour"]] = pct(c.get("share"))
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
    for c in (c for c in cells if c.get("hour") is not None):
        row, hour = by_group[c["offence_group"]], c["hour"]
        # An hour with a withheld weekday cell has no true total: leave it blank.
        share = pct(c.get("share"))
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


def _window_fraction(window: list[str]) -> float | None:
    """Share of the day's minutes inside a ``[start, end)`` window, wrapping midnight."""
    try:
        start, end = (int(t[:2]) * 60 + int(t[3:5]) for t in window)
    except (TypeError, ValueError):
        return None
    return ((end - start) % 1440) / 1440


@chart("nte_share")
def night_time_economy(finding: dict[str, Any]) -> go.Figure | None:
    share = finding["figures"].get("nte_share") or {}
    estimate, low, high = share.get("estimate"), share.get("low"), share.get("high")
    if estimate is None:
        return None
    window = finding["figures"].get("nte_window") or ["18:00", "06:00"]
    rest = (1 - estimate, None if high is None else 1 - high, None if low is None else 1 - low)
    values = [rest, (estimate, low, high)]
    fig = go.Figure(
        go.Bar(
            y=[
                f"other hours ({window[1]}–{window[0]})",
                f"night-time economy ({window[0]}–{window[1]})",
            ],
            x=[pct(v[0]) for v in values],
            orientation="h",
            marker_color=[PALETTE[0], PALETTE[4]],
            error_x=share_error(values),
        )
    )
    even = _window_fraction(window)
    if even is not None:
        fig.add_vline(
            x=100 * even,
            line={"color": DARK_GREY, "dash": "dot", "width": 1.5},
            annotation_text="night-time share if spread evenly over the day",
            annotation_position="top",
            annotation_font_size=10,
        )
    fig.update_xaxes(title="% of crime weight (aoristic, 95% interval)", range=[0, 100])
    fig.update_layout(height=280)
    return styled(fig, "Crime in the night-time economy against the other hours")
