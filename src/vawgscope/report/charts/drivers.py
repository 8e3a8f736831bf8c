"""Charts of the drivers family: temperature, perpetrator age, deprivation and premises."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from vawgscope.report.charts.base import GREY, PALETTE, chart, styled


def _gap(upper: float | None, lower: float | None) -> float | None:
    return None if upper is None or lower is None else upper - lower


def _fitted_line(fig: go.Figure, x: list[float], y: list[float]) -> None:
    """The temperature model's fitted line over the observed points."""
    fig.add_scatter(x=x, y=y, mode="lines", name="fitted line", line={"color": PALETTE[3]})


@chart("temperature_effect")
def temperature(finding: dict[str, Any]) -> go.Figure | None:
    bins = finding["tables"].get("daily_by_temperature_bin")
    if not bins:
        return None
    x = [b["mean_temperature"] for b in bins]
    fig = go.Figure()
    fig.add_scatter(
        x=x,
        y=[b["mean_crimes"] for b in bins],
        mode="markers",
        name="mean crimes a day",
        marker={"size": 9, "color": PALETTE[0]},
        customdata=[b["days"] for b in bins],
        hovertemplate="%{x:.1f} °C: %{y:.1f} crimes a day (%{customdata} days)",
    )
    _fitted_line(fig, x, [b["fitted"] for b in bins])
    column = finding["figures"].get("temperature_column", "tmax_c")
    fig.update_xaxes(title=f"daily temperature ({column}, °C)")
    fig.update_yaxes(title="crimes a day")
    return styled(fig, "Daily crimes against temperature")


@chart("temperature_monthly")
def temperature_monthly(finding: dict[str, Any]) -> go.Figure | None:
    months = [
        m
        for m in finding["tables"].get("months", [])
        if m.get("temperature") is not None and m.get("crimes_a_day") is not None
    ]
    if not months:
        return None
    fig = go.Figure()
    for used, name, colour in ((True, "month used", PALETTE[0]), (False, "left out", GREY)):
        chosen = [m for m in months if bool(m.get("used")) is used]
        fig.add_scatter(
            x=[m["temperature"] for m in chosen],
            y=[m["crimes_a_day"] for m in chosen],
            mode="markers",
            name=name,
            marker={"size": 9, "color": colour},
            text=[m["month"] for m in chosen],
            hovertemplate="%{text}: %{x:.1f} °C, %{y:.1f} crimes a day<extra></extra>",
        )
    fitted = [m for m in months if m.get("fitted") is not None]
    line = sorted(fitted, key=lambda m: m["temperature"])
    _fitted_line(fig, [m["temperature"] for m in line], [m["fitted"] for m in line])
    column = finding["figures"].get("temperature_column", "tmean_c")
    fig.update_xaxes(title=f"monthly mean of daily temperature ({column}, °C)")
    fig.update_yaxes(title="crimes a day in the month")
    return styled(fig, "Monthly crimes a day against the month's temperature")


@chart("temperature_by_perpetrator_age")
def temperature_by_age(finding: dict[str, Any]) -> go.Figure | None:
    rows = [
        r
        for r in finding["tables"].get("by_perpetrator_age_band", [])
        if r.get("estimate") is not None
    ]
    if not rows:
        return None
    fig = go.Figure(
        go.Bar(
            x=[r["band"] for r in rows],
            y=[r["estimate"] for r in rows],
            error_y={
                "type": "data",
                "symmetric": False,
                "array": [_gap(r["high"], r["estimate"]) for r in rows],
                "arrayminus": [_gap(r["estimate"], r["low"]) for r in rows],
            },
            marker_color=PALETTE[0],
        )
    )
    fig.update_xaxes(title="perpetrator age band")
    fig.update_yaxes(title="extra crimes a day per 10 °C")
    return styled(fig, "Temperature effect by perpetrator age (95% intervals)")


@chart("area_drivers")
def deprivation(finding: dict[str, Any]) -> go.Figure | None:
    rows = finding["tables"].get("by_deprivation_decile")
    if not rows:
        return None
    deciles = [str(r["imd_decile"]) for r in rows]
    fig = go.Figure()
    fig.add_bar(
        x=deciles,
        y=[r["crimes_per_1000"] for r in rows],
        name="crimes per 1,000",
        marker_color=PALETTE[0],
    )
    fig.add_scatter(
        x=deciles,
        y=[r["premises_per_1000"] for r in rows],
        yaxis="y2",
        name="licensed premises per 1,000",
        mode="lines+markers",
        line={"color": PALETTE[1]},
    )
    fig.update_layout(yaxis2={"overlaying": "y", "side": "right", "title": "premises per 1,000"})
    fig.update_xaxes(title="IMD decile (1 = most deprived)")
    fig.update_yaxes(title="crimes per 1,000 residents")
    return styled(fig, "Crimes and licensed premises by deprivation")
