"""Harm: how crime harm is spread over offence groups and over perpetrators.

A crime's harm is the harm weight of its offence (days of imprisonment, Cambridge Crime Harm
Index style): the weight of its ``offence_code`` where the weights give one, else of its
``offence_group`` (:mod:`vawgscope.contract.harm`). Each perpetrator of a crime carries its
full harm. Only aggregates leave the engine: per-perpetrator harm arrives as the distinct
harm values with the number of perpetrators at each, never with an id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ibis.expr.types as ir
import numpy as np

from vawgscope.analyses.common import harm_days, rows, scalar, share
from vawgscope.analyses.finding import Finding, definition_of, not_available
from vawgscope.contract.harm import HarmWeights
from vawgscope.contract.vocab import OFFENCE_GROUPS
from vawgscope.dataset import Dataset

#: The share of perpetrators whose harm the headline measures.
TOP_FRACTION_PERCENT = 10
BOOTSTRAP_RESAMPLES = 2000
#: A fixed seed, so the same data always give the same interval.
BOOTSTRAP_SEED = 20220331
#: Resamples drawn at once (bounds memory when perpetrators have many distinct harms).
_BOOTSTRAP_BATCH = 250
#: Points of the Lorenz curve: shares of perpetrators 0, 0.01, …, 1.
LORENZ_POINTS = 101
NEEDS_PERSONS: tuple[str, ...] = ("persons", "crime_persons")


# --- harm per crime and per perpetrator -----------------------------------------------------


def crime_harm(crimes: ir.Table, weights: HarmWeights) -> ir.Table:
    """``crime_id, offence_group, harm, weighted``: each crime's harm weight (days).

    A crime whose group has no weight (only possible with a hand-built ``HarmWeights``) has
    harm 0 and ``weighted`` false.
    """
    days = harm_days(crimes, weights)
    return crimes.select(
        "crime_id", "offence_group", harm=days.fill_null(0.0), weighted=days.notnull()
    )


def perpetrator_harm(ds: Dataset, weights: HarmWeights) -> ir.Table:
    """``person_id, harm, crimes`` per in-scope perpetrator (each crime once per person)."""
    assert ds.perpetrators is not None
    # A man linked to one crime as suspect and as offender carries its harm once (the scope
    # holds each crime and perpetrator once).
    links = ds.perpetrators.select("person_id", "crime_id")
    joined = links.join(crime_harm(ds.crimes, weights), "crime_id")
    return joined.group_by("person_id").aggregate(harm=joined.harm.sum(), crimes=joined.count())


@dataclass(frozen=True)
class HarmDistribution:
    """Perpetrators' harm as distinct values (ascending) with the number of perpetrators at each.

    An aggregate: the same information as the sorted per-perpetrator vector, without ids.
    """

    values: np.ndarray
    counts: np.ndarray

    @property
    def perpetrators(self) -> int:
        return int(self.counts.sum())

    @property
    def total(self) -> float:
        return float((self.values * self.counts).sum())


def harm_distribution(ds: Dataset, weights: HarmWeights) -> HarmDistribution:
    """Per-perpetrator harm, tallied in the engine into (harm, perpetrators) pairs."""
    per = perpetrator_harm(ds, weights)
    tally = rows(per.group_by("harm").aggregate(perpetrators=per.count()).order_by("harm"))
    return HarmDistribution(
        np.array([float(r["harm"]) for r in tally]),
        np.array([int(r["perpetrators"]) for r in tally], dtype=np.int64),
    )


def top_count(n: int, percent: int = TOP_FRACTION_PERCENT) -> int:
    """ceil(percent % of n), in integers (so 10% of 30 is 3, not 4)."""
    return -(-n * percent // 100)


def top_share(values: np.ndarray, counts: np.ndarray, k: int) -> np.ndarray:
    """Harm of the k most harmful perpetrators ÷ all harm, for each row of ``counts``.

    ``values`` ascending; ``counts`` one resample per row (or one vector). Perpetrators with
    equal harm at the cut are interchangeable, so which of them are taken (by pseudonymous id)
    does not change the share.
    """
    counts = np.atleast_2d(counts)
    desc_values, desc_counts = values[::-1], counts[:, ::-1]
    before = np.cumsum(desc_counts, axis=1) - desc_counts
    taken = np.clip(k - before, 0, desc_counts)
    total = (counts * values).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (taken * desc_values).sum(axis=1) / total


def gini(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Gini coefficient of the harm, for each row of ``counts`` (``values`` ascending).

    G = Σᵢ (2i − n − 1) xᵢ ÷ (n Σ x) over the n perpetrators sorted by harm; a block of c equal
    values v after a earlier perpetrators contributes v·c·(2a + c − n).
    """
    counts = np.atleast_2d(counts)
    n = counts.sum(axis=1)
    before = np.cumsum(counts, axis=1) - counts
    numerator = (values * counts * (2 * before + counts - n[:, None])).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return numerator / (n * (counts * values).sum(axis=1))


def lorenz_curve(dist: HarmDistribution, points: int = LORENZ_POINTS) -> list[dict[str, float]]:
    """Share of harm held by the least harmful share p of perpetrators, at p = 0 … 1.

    Exact piecewise-linear interpolation: within a block of equal harm the cumulative harm
    rises linearly with the number of perpetrators.
    """
    knots_x = np.concatenate([[0], np.cumsum(dist.counts)]) / dist.perpetrators
    knots_y = np.concatenate([[0.0], np.cumsum(dist.values * dist.counts)]) / dist.total
    shares = np.linspace(0.0, 1.0, points)
    lorenz = np.interp(shares, knots_x, knots_y)
    top = 1 - np.interp(1 - shares, knots_x, knots_y)
    return [
        {
            "share_of_perpetrators": float(p),
            "share_of_harm": float(h),
            "share_of_harm_most_harmful": float(t),
        }
        for p, h, t in zip(shares, lorenz, top, strict=True)
    ]


def bootstrap(
    dist: HarmDistribution,
    statistic: Callable[[np.ndarray], np.ndarray],
    confidence: float,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> tuple[float, float]:
    """Percentile bootstrap interval, resampling perpetrators with replacement.

    Drawing n perpetrators with replacement is a multinomial draw of how many land on each
    distinct harm value, so each resample is one multinomial vector over the tally.
    """
    rng = np.random.default_rng(seed)
    n = dist.perpetrators
    probabilities = dist.counts / n
    draws: list[np.ndarray] = []
    for start in range(0, resamples, _BOOTSTRAP_BATCH):
        size = min(_BOOTSTRAP_BATCH, resamples - start)
        draws.append(statistic(rng.multinomial(n, probabilities, size=size)))
    values = np.concatenate(draws)
    values = values[np.isfinite(values)]
    alpha = 1 - confidence
    low, high = np.quantile(values, [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)


def _weights(ds: Dataset, weights: HarmWeights | None) -> HarmWeights:
    """The weights passed in, else the run's (the user's file or the defaults)."""
    return weights if weights is not None else ds.harm_weights


def _no_perpetrators(ds: Dataset) -> tuple[str, ...] | None:
    if ds.perpetrators is None:
        return NEEDS_PERSONS
    if int(scalar(ds.perpetrators.count())) == 0:
        return ("crime_persons (in-scope perpetrators)",)
    return None


# --- findings -----------------------------------------------------------------------------


def harm_share_top10pct_perpetrators(ds: Dataset, *, weights: HarmWeights | None = None) -> Finding:
    """Harm caused by the most harmful tenth of perpetrators.

    Definition: each in-scope crime's harm is the harm weight of its ``offence_code`` where the
    weights give one, else of its ``offence_group``; each in-scope perpetrator of a crime
    carries its full harm (a crime with two perpetrators counts for both; a man linked to one
    crime as suspect and as offender carries it once). With n perpetrators, the top
    k = ceil(n × 10%) are taken, ranked by harm and then by pseudonymous id, so exactly k are
    taken however many tie at the cut (which of the tied men are taken does not change the
    share). The headline is their harm ÷ the harm of all perpetrators.

    Interval: percentile bootstrap over perpetrators (2,000 resamples of n perpetrators with
    replacement from the per-perpetrator harm, fixed seed 20220331), treating perpetrators as
    independent draws; co-offenders make them slightly dependent. A top share is a
    non-smooth statistic, so the interval is approximate (Efron & Tibshirani 1993, An
    Introduction to the Bootstrap, ch. 13).
    """
    title = "Harm of the most harmful tenth of perpetrators"
    keys = ("harm_share_top10pct_perpetrators",)
    definition = definition_of(harm_share_top10pct_perpetrators)
    needs = _no_perpetrators(ds)
    if needs is not None:
        return not_available("harm_share_top10pct_perpetrators", title, definition, needs, keys)
    used = _weights(ds, weights)
    dist = harm_distribution(ds, used)
    if dist.total <= 0:
        return not_available(
            "harm_share_top10pct_perpetrators",
            title,
            definition,
            ("harm weights above 0 for the crimes in scope",),
            keys,
        )
    k = top_count(dist.perpetrators)
    estimate = float(top_share(dist.values, dist.counts, k)[0])
    low, high = bootstrap(dist, lambda c: top_share(dist.values, c, k), ds.options.confidence)
    interval = {"estimate": estimate, "low": low, "high": high}
    return Finding(
        id="harm_share_top10pct_perpetrators",
        title=title,
        definition=definition,
        summary=(
            f"The most harmful {k:,} of {dist.perpetrators:,} perpetrators (10%) carry "
            f"{estimate:.1%} of all perpetrator harm (95% CI {low:.1%}–{high:.1%})."
        ),
        figures={
            "harm_share_top10pct": interval,
            "perpetrators": dist.perpetrators,
            "top_perpetrators": k,
            "top_harm_days": estimate * dist.total,
            "all_harm_days": dist.total,
            "interval_method": (
                f"percentile bootstrap over perpetrators, {BOOTSTRAP_RESAMPLES} resamples, "
                f"seed {BOOTSTRAP_SEED}"
            ),
            "harm_weights": used.as_dict(),
        },
        headlines={"harm_share_top10pct_perpetrators": estimate},
    )


def harm_lorenz_curve(ds: Dataset, *, weights: HarmWeights | None = None) -> Finding:
    """How unequally harm is spread over perpetrators: Lorenz curve and Gini coefficient.

    Definition: perpetrator harm as in ``harm_share_top10pct_perpetrators``. The Lorenz curve
    gives, at each share p = 0, 0.01, …, 1 of perpetrators taken from the least harmful, their
    share of all perpetrator harm (interpolated linearly within a group of equal harm), and
    beside it the share held by the most harmful p. The Gini coefficient is
    Σᵢ (2i − n − 1) xᵢ ÷ (n Σ x) over the n perpetrators sorted by harm: 0 when all carry the
    same harm, (n − 1)/n when one carries all.

    Interval: percentile bootstrap for the Gini coefficient over perpetrators (2,000
    resamples, fixed seed 20220331; perpetrators taken as independent).
    """
    title = "Harm concentration: Lorenz curve and Gini"
    definition = definition_of(harm_lorenz_curve)
    needs = _no_perpetrators(ds)
    if needs is not None:
        return not_available("harm_lorenz_curve", title, definition, needs)
    dist = harm_distribution(ds, _weights(ds, weights))
    if dist.total <= 0:
        return not_available(
            "harm_lorenz_curve", title, definition, ("harm weights above 0 for the crimes",)
        )
    estimate = float(gini(dist.values, dist.counts)[0])
    low, high = bootstrap(dist, lambda c: gini(dist.values, c), ds.options.confidence)
    curve = lorenz_curve(dist)
    half = next(r for r in curve if r["share_of_perpetrators"] >= 0.5)
    return Finding(
        id="harm_lorenz_curve",
        title=title,
        definition=definition,
        summary=(
            f"The Gini coefficient of harm over {dist.perpetrators:,} "
            f"perpetrators is {estimate:.2f} (95% CI {low:.2f}–{high:.2f}); the less harmful "
            f"half of them carry {half['share_of_harm']:.1%} of the harm."
        ),
        figures={
            "gini": {"estimate": estimate, "low": low, "high": high},
            "perpetrators": dist.perpetrators,
            "all_harm_days": dist.total,
            "interval_method": (
                f"percentile bootstrap over perpetrators, {BOOTSTRAP_RESAMPLES} resamples, "
                f"seed {BOOTSTRAP_SEED}"
            ),
        },
        tables={"lorenz": curve},
    )


def _group_order(group: str) -> int:
    return OFFENCE_GROUPS.index(group) if group in OFFENCE_GROUPS else len(OFFENCE_GROUPS)


def harm_by_group(ds: Dataset, *, weights: HarmWeights | None = None) -> Finding:
    """Harm against volume, by offence group.

    Definition: for each offence group, its in-scope crimes and their share of all in-scope
    crimes, beside their harm (each crime's harm counted once, however many perpetrators it
    has: the code's weight where given, else the group's) and its share of all crime harm;
    ``harm_to_volume`` = share of harm ÷ share of crimes (above 1: a group weighs more than
    its numbers). Crimes whose group has no weight count with harm 0 and are counted.

    Interval: Wilson score interval for each share of crimes; the shares of harm are exact
    for the crimes recorded.
    """
    title = "Harm against volume by offence group"
    definition = definition_of(harm_by_group)
    total_crimes = int(scalar(ds.crimes.count()))
    if total_crimes == 0:
        return not_available("harm_by_group", title, definition, ("crimes (in scope)",))
    harm = crime_harm(ds.crimes, _weights(ds, weights))
    grouped = harm.group_by("offence_group").aggregate(
        crimes=harm.count(), harm=harm.harm.sum(), unweighted=(~harm.weighted).sum()
    )
    cells = sorted(rows(grouped), key=lambda r: _group_order(r["offence_group"]))
    total_harm = float(sum(r["harm"] for r in cells))
    table = [_group_row(r, total_crimes, total_harm, ds.options.confidence) for r in cells]
    heaviest = max(table, key=lambda r: (r["harm"], -_group_order(r["offence_group"])))
    summary = (
        f"{heaviest['offence_group'].replace('_', ' ').capitalize()} is "
        f"{heaviest['share_of_crimes']:.1%} of crimes but {heaviest['share_of_harm']:.1%} of "
        "crime harm."
        if total_harm > 0
        else "No crime in scope has a harm weight above 0."
    )
    return Finding(
        id="harm_by_group",
        title=title,
        definition=definition,
        summary=summary,
        figures={
            "crimes": total_crimes,
            "harm_days": total_harm,
            "crimes_without_weight": int(sum(r["unweighted"] for r in cells)),
        },
        tables={"by_group": table},
    )


def _group_row(
    r: dict[str, Any], total_crimes: int, total_harm: float, confidence: float
) -> dict[str, Any]:
    crimes, harm = int(r["crimes"]), float(r["harm"])
    interval = share(crimes, total_crimes, confidence)
    assert interval is not None
    harm_share = harm / total_harm if total_harm > 0 else None
    return {
        "offence_group": r["offence_group"],
        "crimes": crimes,
        "share_of_crimes": interval["estimate"],
        "low": interval["low"],
        "high": interval["high"],
        "harm": harm,
        "share_of_harm": harm_share,
        "harm_per_crime": harm / crimes,
        "harm_to_volume": harm_share / interval["estimate"] if harm_share is not None else None,
    }


ANALYSES: tuple[Callable[[Dataset], Finding], ...] = (
    harm_share_top10pct_perpetrators,
    harm_lorenz_curve,
    harm_by_group,
)

__all__ = [
    "HarmDistribution",
    "bootstrap",
    "crime_harm",
    "gini",
    "harm_by_group",
    "harm_distribution",
    "harm_lorenz_curve",
    "harm_share_top10pct_perpetrators",
    "lorenz_curve",
    "perpetrator_harm",
    "top_count",
    "top_share",
]
