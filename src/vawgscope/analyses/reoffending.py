"""Re-offending: how soon perpetrators are linked to another crime after their first.

A perpetrator's first crime is his earliest in-scope crime in the window (by ``occurred_from``,
then ``crime_id`` when two start at the same moment); his family is that crime's offence family
(``OFFENCE_FAMILIES``; the groups outside the three families — drink spiking and other — form an
``other`` family, reported beside them). Days are whole calendar days between the dates of
``occurred_from``; "now" is the last in-scope ``occurred_from``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
from scipy import stats

from vawgscope.analyses.common import interval_columns, rows, share
from vawgscope.analyses.finding import Finding, definition_of, not_available
from vawgscope.contract.vocab import OFFENCE_FAMILIES
from vawgscope.dataset import Dataset

FOLLOW_UP_DAYS = 365
OTHER_FAMILY = "other"
FAMILIES: tuple[str, ...] = (*OFFENCE_FAMILIES, OTHER_FAMILY)
#: Days since the first crime at which the curves are tabulated.
MILESTONES: tuple[int, ...] = (30, 90, 180, 365, 730, 1095, 1460)
GROUP_FAMILY: dict[str, str] = {g: f for f, groups in OFFENCE_FAMILIES.items() for g in groups}
NEEDS: tuple[str, ...] = ("persons", "crime_persons")


def first_crimes(ds: Dataset) -> ir.Table:
    """One row per in-scope perpetrator: ``family`` of his first crime, ``days`` to his next
    crime (``event`` true) or to "now" (``event`` false, censored), and ``follow_up`` (days
    from his first crime to "now")."""
    assert ds.perpetrators is not None and ds.window.now is not None
    links = ds.perpetrators.select("person_id", "crime_id", "occurred_from")
    crimes = links.join(ds.crimes.select("crime_id", "offence_group"), "crime_id")
    career = ibis.window(group_by="person_id", order_by=["occurred_from", "crime_id"])
    crimes = crimes.mutate(
        order=ibis.row_number().over(career), next_from=crimes.occurred_from.lead().over(career)
    )
    first = crimes.filter(crimes.order == 0)
    first_day = first.occurred_from.date()
    follow_up = ibis.literal(ds.window.now.date()).delta(first_day, unit="day")
    event = first.next_from.notnull()
    gap = first.next_from.date().delta(first_day, unit="day")
    return first.select(
        family=first.offence_group.substitute(GROUP_FAMILY, else_=OTHER_FAMILY),
        days=ibis.ifelse(event, gap, follow_up),
        event=event,
        follow_up=follow_up,
    )


def _counts(ds: Dataset) -> list[dict[str, Any]]:
    """(family, days, event, followed for a year) → perpetrators: aggregates only, computed
    once per dataset for the rates and the curves."""
    return rows(ds.cached("reoffending_counts", lambda: _tally(first_crimes(ds))))


def _tally(first: ir.Table) -> ir.Table:
    first = first.mutate(followed=first.follow_up >= FOLLOW_UP_DAYS)
    return first.group_by(["family", "days", "event", "followed"]).aggregate(
        perpetrators=first.count()
    )


def reoffence_within_1y_rate(ds: Dataset) -> Finding:
    """Re-offending within a year of the first crime, by offence family.

    Definition: for each offence family (violent = violence_with_injury,
    violence_without_injury, homicide, robbery; stalking_harassment = stalking, harassment,
    malicious_communications, controlling_coercive; sexual = rape, other_sexual; other = the
    remaining groups, reported beside the three), the share of perpetrators whose first
    in-scope crime in the window is of that family and who are linked to another in-scope
    crime within 365 days of it (date of the next crime − date of the first ≤ 365; a second
    crime on the same day counts). Only first crimes with 365 days of follow-up count: the
    date of "now" − the date of the first crime ≥ 365. The first crime is the earliest by
    ``occurred_from``, ties broken by ``crime_id``.

    Interval: Wilson score interval at ``options.confidence`` for each share (Brown, Cai &
    DasGupta 2001, Statistical Science 16(2):101-133); perpetrators independent. The table
    also gives the Kaplan–Meier estimate at 365 days over all perpetrators (follow-up
    censored at "now"), which uses the recent first crimes too.
    """
    key = "reoffence_within_1y_rate"
    title = "Re-offending within a year, by the family of the first crime"
    if ds.perpetrators is None:
        return not_available(key, title, definition_of(reoffence_within_1y_rate), NEEDS, (key,))
    counts = _counts(ds) if ds.window.now is not None else []
    confidence = ds.options.confidence
    curves = _curves(counts, confidence)
    table = [_rate_row(f, counts, curves.get(f), confidence) for f in FAMILIES]
    headline = {r["family"]: r["share"] for r in table if r["share"] is not None}
    return Finding(
        id=key,
        title=title,
        definition=definition_of(reoffence_within_1y_rate),
        summary=_rate_summary(headline),
        figures={
            "now": ds.window.now.isoformat() if ds.window.now else None,
            "perpetrators": sum(int(r["perpetrators"]) for r in counts),
            "left_out_short_follow_up": sum(
                int(r["perpetrators"]) for r in counts if not r["followed"]
            ),
        },
        tables={"rates": table},
        headlines={key: headline},
    )


def _rate_row(
    family: str,
    counts: list[dict[str, Any]],
    curve: list[dict[str, Any]] | None,
    confidence: float,
) -> dict[str, Any]:
    mine = [r for r in counts if r["family"] == family]
    eligible = [r for r in mine if r["followed"]]
    n = sum(int(r["perpetrators"]) for r in eligible)
    k = sum(int(r["perpetrators"]) for r in eligible if r["event"] and r["days"] <= FOLLOW_UP_DAYS)
    interval = share(k, n, confidence)
    at_year = step_value(curve, FOLLOW_UP_DAYS) if curve else None
    return {
        "family": family,
        "perpetrators": sum(int(r["perpetrators"]) for r in mine),
        "followed_365_days": n,
        "reoffended_within_365_days": k,
        **interval_columns(interval, "share"),
        "kaplan_meier_365": at_year and at_year["reoffended"],
        "kaplan_meier_365_low": at_year and at_year["low"],
        "kaplan_meier_365_high": at_year and at_year["high"],
    }


def _rate_summary(headline: dict[str, float]) -> str:
    if not headline:
        return "No perpetrator in scope has a first crime with a year of follow-up."
    parts = [f"{family.replace('_', '/')} {value:.0%}" for family, value in headline.items()]
    return (
        "Share of perpetrators linked to another crime within a year of their first, by the "
        f"family of the first crime: {', '.join(parts)}."
    )


# --- Kaplan–Meier curves -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Step:
    day: int
    at_risk: int
    events: int
    censored: int


def kaplan_meier(
    counts: Iterable[tuple[int, bool, int]], confidence: float = 0.95
) -> list[dict[str, Any]]:
    """Kaplan–Meier curve of the share re-offended from aggregated ``(day, event, count)``.

    One row per day with an event or a censoring: ``at_risk`` (time ≥ day), ``events``,
    ``censored``, ``reoffended`` = 1 − S(day) and its pointwise interval. Censored perpetrators
    count as at risk on their censoring day (events first). Greenwood's variance with the
    log(−log) transform (Kalbfleisch & Prentice 2002, The Statistical Analysis of Failure Time
    Data, §1.4), which keeps the interval inside [0, 1]; no interval where S is 0 or 1.
    """
    events: dict[int, int] = defaultdict(int)
    censored: dict[int, int] = defaultdict(int)
    for day, event, n in counts:
        (events if event else censored)[int(day)] += int(n)
    at_risk = sum(events.values()) + sum(censored.values())
    z = stats.norm.ppf((1 + confidence) / 2)
    survival, greenwood = 1.0, 0.0
    out = []
    for day in sorted(set(events) | set(censored)):
        step = _Step(day, at_risk, events[day], censored[day])
        if step.events:
            survival *= 1 - step.events / step.at_risk
            greenwood = (
                greenwood + step.events / (step.at_risk * (step.at_risk - step.events))
                if step.at_risk > step.events
                else math.inf
            )
        low, high = _loglog_interval(survival, greenwood, z)
        out.append(
            {
                "day": step.day,
                "at_risk": step.at_risk,
                "events": step.events,
                "censored": step.censored,
                "reoffended": 1 - survival,
                "low": low,
                "high": high,
            }
        )
        at_risk -= step.events + step.censored
    return out


def _loglog_interval(survival: float, greenwood: float, z: float) -> tuple[float | None, ...]:
    if not 0 < survival < 1 or math.isinf(greenwood):
        return None, None
    se = math.sqrt(greenwood) / abs(math.log(survival))
    s_low = survival ** math.exp(z * se)
    s_high = survival ** math.exp(-z * se)
    return 1 - s_high, 1 - s_low


def step_value(curve: list[dict[str, Any]], day: int) -> dict[str, Any] | None:
    """The curve's value at ``day``: the last row on or before it (None before the first)."""
    before = [r for r in curve if r["day"] <= day]
    return before[-1] if before else None


def _curves(counts: list[dict[str, Any]], confidence: float) -> dict[str, list[dict[str, Any]]]:
    by_family: dict[str, list[tuple[int, bool, int]]] = defaultdict(list)
    for r in counts:
        by_family[r["family"]].append((int(r["days"]), bool(r["event"]), int(r["perpetrators"])))
    return {f: kaplan_meier(c, confidence) for f, c in by_family.items()}


def reoffending_curves(ds: Dataset) -> Finding:
    """Re-offending curves: share re-offended by days since the first crime, per family.

    Definition: for each offence family of the first crime (as in the re-offending rate), the
    Kaplan–Meier estimate of the share of perpetrators linked to another in-scope crime by
    each number of days after their first (date of next crime − date of first); a perpetrator
    with no further crime is censored at "now" (date of now − date of first crime), so every
    perpetrator counts, however recent his first crime. The (days, event) counts are
    aggregated in the engine; the curve is computed on those aggregates.

    Interval: pointwise, Greenwood's variance on the log(−log) scale at
    ``options.confidence`` (Kalbfleisch & Prentice 2002, §1.4). Assumes censoring independent
    of re-offending (non-informative): "now" cuts every career at the same date.
    """
    fid = "reoffending_curves"
    title = "Re-offending curves by the family of the first crime"
    if ds.perpetrators is None:
        return not_available(fid, title, definition_of(reoffending_curves), NEEDS)
    confidence = ds.options.confidence
    curves = _curves(_counts(ds) if ds.window.now is not None else [], confidence)
    milestones = []
    for family in FAMILIES:
        curve = curves.get(family)
        for day in MILESTONES:
            value = step_value(curve, day) if curve else None
            if curve and curve[-1]["day"] >= day:
                milestones.append(_milestone(family, day, value, curve))
    at_year = {f: step_value(c, FOLLOW_UP_DAYS) for f, c in curves.items()}
    parts = [
        f"{f.replace('_', '/')} {v['reoffended']:.0%}"
        for f in FAMILIES
        if (v := at_year.get(f)) is not None
    ]
    return Finding(
        id=fid,
        title=title,
        definition=definition_of(reoffending_curves),
        summary="Kaplan–Meier share re-offended within a year of the first crime: "
        + (", ".join(parts) if parts else "no re-offending observed")
        + ".",
        figures={"curves": {f: _compact(c) for f, c in curves.items()}},
        tables={"milestones": milestones},
    )


def _milestone(
    family: str, day: int, value: dict[str, Any] | None, curve: list[dict[str, Any]]
) -> dict[str, Any]:
    at_risk = next((r["at_risk"] for r in curve if r["day"] >= day), 0)
    return {
        "family": family,
        "day": day,
        "at_risk": at_risk,
        "reoffended": value["reoffended"] if value else 0.0,
        "low": value["low"] if value else None,
        "high": value["high"] if value else None,
    }


#: Charts get every event day up to here, then the last event day of each week.
DAILY_UNTIL = 90


def _compact(curve: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """Column lists of the curve at its event days (weekly after ``DAILY_UNTIL``), for charts."""
    steps: dict[int, dict[str, Any]] = {}
    for r in curve:
        if r["events"]:
            slot = r["day"] if r["day"] <= DAILY_UNTIL else DAILY_UNTIL + 1 + r["day"] // 7
            steps[slot] = r  # the last event day of the week wins
    kept = list(steps.values())
    return {name: [r[name] for r in kept] for name in ("day", "reoffended", "low", "high")}


ANALYSES: tuple[Callable[[Dataset], Finding], ...] = (reoffence_within_1y_rate, reoffending_curves)
