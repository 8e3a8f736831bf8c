"""Small pieces every analysis uses: running an expression, shares with intervals, periods."""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir
from statsmodels.stats.proportion import proportion_confint

from vawgscope.contract.harm import HarmWeights

WEEKDAYS: tuple[str, ...] = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)


def rows(expr: ir.Table) -> list[dict[str, Any]]:
    """Run ``expr`` in the engine and return its (aggregate) rows as dictionaries."""
    return expr.to_pyarrow().to_pylist()


def scalar(expr: ir.Scalar) -> Any:
    """Run a scalar expression and return a Python value."""
    value = expr.to_pyarrow()
    return value.as_py() if hasattr(value, "as_py") else value


def share(k: int, n: int, confidence: float = 0.95) -> dict[str, float] | None:
    """``{estimate, low, high}`` for k of n, with a Wilson score interval; None when n is 0.

    The Wilson interval keeps close to its nominal coverage for small n and for shares near 0
    or 1 (Brown, Cai & DasGupta 2001, Statistical Science 16(2):101-133).
    """
    if n == 0:
        return None
    low, high = proportion_confint(k, n, alpha=1 - confidence, method="wilson")
    return {"estimate": k / n, "low": float(low), "high": float(high)}


def month_of(ts: ir.TimestampValue) -> ir.StringValue:
    """``YYYY-MM`` of a timestamp."""
    return ts.strftime("%Y-%m")


def year_of(ts: ir.TimestampValue, basis: str = "calendar") -> ir.IntegerValue:
    """Calendar year, or financial year (April–March) named by the year it starts in."""
    if basis == "financial":
        return ibis.ifelse(ts.month() >= 4, ts.year(), ts.year() - 1)
    return ts.year()


def harm_days(crimes: ir.Table, weights: HarmWeights) -> ir.FloatingValue:
    """The harm weight (days) of each crime, NULL where the weights give none.

    ``by_code[offence_code]`` where the weights give that code, else
    ``by_group[offence_group]``; a group without a weight is possible only with a hand-built
    :class:`HarmWeights`.
    """
    by_group = crimes.offence_group.substitute(
        {g: float(w) for g, w in weights.by_group.items()}, else_=ibis.null("float64")
    ).cast("float64")
    if not weights.by_code or "offence_code" not in crimes.columns:
        return by_group
    by_code = crimes.offence_code.substitute(
        {c: float(w) for c, w in weights.by_code.items()}, else_=ibis.null("float64")
    ).cast("float64")
    return by_code.coalesce(by_group)


def harm_weight(crimes: ir.Table, weights: HarmWeights) -> ir.FloatingValue:
    """:func:`harm_days` with 0 for a crime whose offence has no weight."""
    return harm_days(crimes, weights).fill_null(0.0)
