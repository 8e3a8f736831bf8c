"""Charts of the reporting family: how crimes reach the police, by group and victim age."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import plotly.graph_objects as go

from vawgscope.contract.vocab import REPORTING_CHANNELS
from vawgscope.report.charts.base import PALETTE, chart, pct, styled


@chart("reporting_channel_share")
def channel_by_group(finding: dict[str, Any]) -> go.Figure | None:
    rows = finding["tables"].get("by_group")
    if not rows:
        return None
    shares: dict[str, dict[str, float]] = defaultdict(dict)
    for r in rows:
        shares[r["reporting_channel"]][r["offence_group"]] = pct(r["share"])
    groups = sorted({r["offence_group"] for r in rows})
    fig = go.Figure()
    for i, channel in enumerate(c for c in REPORTING_CHANNELS if c in shares):
        fig.add_bar(
            y=[g.replace("_", " ") for g in groups],
            x=[shares[channel].get(g, 0.0) for g in groups],
            name=channel,
            orientation="h",
            marker_color=PALETTE[i % len(PALETTE)],
        )
    fig.update_layout(barmode="stack", height=460)
    fig.update_xaxes(title="% of the group's crimes", range=[0, 100])
    return styled(fig, "How crimes were reported, by offence group")


@chart("reporting_channel_by_victim_age")
def channel_by_age(finding: dict[str, Any]) -> go.Figure | None:
    rows = finding["tables"].get("by_victim_age")
    if not rows:
        return None
    fig = go.Figure()
    for i, group in enumerate(("child", "adult")):
        chosen = {r["reporting_channel"]: r for r in rows if r["victim_age_group"] == group}
        channels = [c for c in REPORTING_CHANNELS if c in chosen]
        fig.add_bar(
            x=channels,
            y=[pct(chosen[c]["share"]) for c in channels],
            name=f"{group} victims",
            marker_color=PALETTE[i],
        )
    fig.update_layout(barmode="group")
    fig.update_yaxes(title="% of crimes")
    return styled(fig, "Reporting channel for child and adult victims")
