"""Small pieces every analysis uses: running an expression, shares with intervals, periods."""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
from scipy.stats import binomtest, chi2
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


def share(k: float, n: int, confidence: float = 0.95) -> dict[str, float] | None:
    """``{estimate, low, high}`` for k of n, with a Wilson score interval; None when n is 0.

    ``k`` may be a weighted count (e.g. aoristic weight) with the n crimes as the trials.

    The Wilson interval keeps close to its nominal coverage for small n and for shares near 0
    or 1 (Brown, Cai & DasGupta 2001, Statistical Science 16(2):101-133).
    """
    if n == 0:
        return None
    low, high = proportion_confint(k, n, alpha=1 - confidence, method="wilson")
    return {"estimate": k / n, "low": float(low), "high": float(high)}


def interval_columns(
    interval: dict[str, Any] | None, name: str, prefix: str = ""
) -> dict[str, Any]:
    """Table columns ``name, {prefix}low, {prefix}high`` of an estimate (all None if absent)."""
    if not interval:
        return {name: None, f"{prefix}low": None, f"{prefix}high": None}
    return {
        name: interval["estimate"],
        f"{prefix}low": interval["low"],
        f"{prefix}high": interval["high"],
    }


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


def garwood(k: int, exposure: float, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood 1936) interval for a Poisson rate k / exposure.

    Lower = χ²(α/2; 2k)/2, upper = χ²(1 − α/2; 2k + 2)/2, divided by the exposure; the lower
    bound is 0 when k = 0. Coverage is at least the nominal level.
    """
    low, high = garwood_limits(np.array([k]), np.array([exposure], dtype=float), confidence)
    return float(low[0]), float(high[0])


def garwood_limits(
    k: np.ndarray, exposure: np.ndarray, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`garwood` for many rates at once: arrays of counts and exposures (one χ²
    quantile call per limit, for tables of thousands of areas)."""
    alpha = 1 - confidence
    k = np.asarray(k, dtype=np.int64)
    with np.errstate(invalid="ignore"):
        low = np.where(k == 0, 0.0, chi2.ppf(alpha / 2, 2 * k) / 2)
    high = chi2.ppf(1 - alpha / 2, 2 * k + 2) / 2
    return low / exposure, high / exposure


def poisson_rate(k: int, exposure: float, confidence: float = 0.95) -> dict[str, float]:
    """``{estimate, low, high}`` of k events over ``exposure``, with Garwood limits."""
    low, high = garwood(k, exposure, confidence)
    return {"estimate": k / exposure, "low": low, "high": high}


def count_ratio(
    a: int, b: int, confidence: float = 0.95, a_units: float = 1, b_units: float = 1
) -> dict[str, float | None] | None:
    """Ratio of two Poisson counts per unit, ``(a / a_units) ÷ (b / b_units)``.

    Interval: conditional on a + b, a is binomial with p = a / (a + b); the Clopper–Pearson
    interval for p is mapped to the ratio (exact conditional method, Armitage & Berry). A
    limit that would be infinite is ``None``. None when both counts are 0.
    """
    if a + b == 0:
        return None
    ci = binomtest(a, a + b).proportion_ci(confidence_level=confidence, method="exact")
    scale = b_units / a_units

    def ratio(p: float) -> float | None:
        return None if p >= 1 else p / (1 - p) * scale

    return {
        "estimate": ratio(a / (a + b)),
        "low": ratio(float(ci.low)),
        "high": ratio(float(ci.high)),
    }
