"""Charts of repeat offending: re-offending within a year and escalation rules."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from vawgscope.report.charts.base import PALETTE, chart, estimate, grouped_share_bars, words

#: Characters of a rule that fit on one line of the table's first column.
RULE_LINE = 60


@chart("reoffence_within_1y_rate")
def within_a_year(finding: dict[str, Any]) -> go.Figure | None:
    rows = [r for r in finding["tables"].get("rates", []) if r.get("family")]
    rows.sort(key=lambda r: (r.get("share") or 0.0, r["family"]))
    km = ("kaplan_meier_365", "kaplan_meier_365_low", "kaplan_meier_365_high")
    return grouped_share_bars(
        [r["family"] for r in rows],
        {
            "Kaplan–Meier (all perpetrators, censored)": [estimate(r, *km) for r in rows],
            "followed a full year": [estimate(r) for r in rows],
        },
        "Re-offending within a year of a first crime, by offence family (95% intervals)",
        "% re-offending within 365 days",
    )


def _number(value: float | None, form: str) -> str:
    return "–" if value is None else format(value, form)


def _rule(row: dict[str, Any]) -> str:
    before = " + ".join(words(a) for a in row.get("antecedents") or [])
    return f"{before} ⇒ {words(row.get('consequent', ''))}"


def _risk_ratio(row: dict[str, Any]) -> str:
    ratio, low, high = row.get("mh_risk_ratio"), row.get("mh_low"), row.get("mh_high")
    interval = "" if low is None or high is None else f" ({low:.2f}–{high:.2f})"
    return _number(ratio, ".2f") + interval


@chart("escalation_rules")
def rules(finding: dict[str, Any]) -> go.Figure | None:
    rows = [r for r in finding["tables"].get("rules", []) if r.get("consequent")]
    if not rows:
        return None
    rows.sort(key=lambda r: -(r.get("lift") if r.get("lift") is not None else -1.0))
    columns = {
        "rule: perpetrators with these offences ⇒ also this one": [_rule(r) for r in rows],
        "perpetrators with all of them": [_number(r.get("support"), ",.0f") for r in rows],
        "confidence": [_number(r.get("confidence"), ".1%") for r in rows],
        "lift": [_number(r.get("lift"), ".2f") for r in rows],
        "risk ratio, volume-adjusted (95% CI)": [_risk_ratio(r) for r in rows],
    }
    stripes = ["#FFFFFF" if i % 2 == 0 else "#F2F2F2" for i in range(len(rows))]
    fig = go.Figure(
        go.Table(
            columnwidth=[46, 13, 12, 9, 20],
            header={
                "values": [f"<b>{c}</b>" for c in columns],
                "fill_color": PALETTE[0],
                "font": {"color": "#FFFFFF", "size": 12},
                "align": ["left", "right"],
            },
            cells={
                "values": list(columns.values()),
                "fill_color": [stripes],
                "align": ["left", "right"],
                "height": 26,
            },
        )
    )
    fig.update_layout(
        title={"text": "Escalation rules, strongest lift first", "x": 0, "font": {"size": 15}},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        # Long rules wrap; size the figure so that no row scrolls out of sight.
        height=120
        + sum(30 + 18 * (len(rule) // RULE_LINE) for rule in next(iter(columns.values()))),
        font={"family": "system-ui, -apple-system, Segoe UI, sans-serif", "size": 12},
    )
    return fig
