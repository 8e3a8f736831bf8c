"""Reporting channel: how crimes came to the police, by offence group and by victim's age."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ibis
import ibis.expr.types as ir
from statsmodels.stats.proportion import proportions_ztest

from vawgscope.analyses.common import rows, scalar, share
from vawgscope.analyses.finding import Finding, definition_of, not_available
from vawgscope.contract.vocab import REPORTING_CHANNELS
from vawgscope.dataset import Dataset

UNKNOWN = "unknown"
#: A victim under this age at the offence is a child.
ADULT_AGE = 18
AGE_GROUPS: tuple[str, ...] = ("child", "adult", UNKNOWN)
THIRD_PARTY = "third_party"


def _channel(crimes: ir.Table) -> ir.StringValue:
    """The reporting channel with a missing value counted as ``unknown``."""
    return crimes.reporting_channel.fill_null(UNKNOWN)


def _has_channels(ds: Dataset) -> bool:
    return bool(scalar(ds.crimes.reporting_channel.notnull().any()))


def _missing(ds: Dataset) -> tuple[str, ...]:
    """What the channel findings need, or () when they can run."""
    if int(scalar(ds.crimes.count())) == 0:
        return ("crimes (none in scope)",)
    return () if _has_channels(ds) else ("crimes.reporting_channel",)


def _share_rows(
    counts: list[dict[str, Any]], key: str, confidence: float
) -> tuple[list[dict[str, Any]], dict[str, dict[str, float]]]:
    """Table rows (every channel, zeros included) and {key value: {channel: share}}."""
    totals: dict[str, int] = {}
    cells: dict[tuple[str, str], int] = {}
    for row in counts:
        totals[row[key]] = totals.get(row[key], 0) + int(row["crimes"])
        cells[(row[key], row["channel"])] = int(row["crimes"])
    table, shares = [], {}
    for value in sorted(totals, key=_order_of(key)):
        n = totals[value]
        shares[value] = {}
        for channel in REPORTING_CHANNELS:
            k = cells.get((value, channel), 0)
            interval = share(k, n, confidence) or {"estimate": 0.0, "low": 0.0, "high": 0.0}
            shares[value][channel] = interval["estimate"]
            table.append(
                {
                    key: value,
                    "reporting_channel": channel,
                    "crimes": k,
                    "of_crimes": n,
                    "share": interval["estimate"],
                    "low": interval["low"],
                    "high": interval["high"],
                }
            )
    return table, shares


def _order_of(key: str) -> Callable[[str], Any]:
    if key == "victim_age_group":
        return lambda v: AGE_GROUPS.index(v) if v in AGE_GROUPS else len(AGE_GROUPS)
    return lambda v: v


def reporting_channel_share(ds: Dataset) -> Finding:
    """How crimes are reported, by offence group.

    Definition: for each offence group, the share of its in-scope crimes reported by each
    channel (999, 101, online, in person, third party, other, unknown); a crime with no
    ``reporting_channel`` counts as ``unknown``, in the denominator as well. Every channel of
    the contract appears for every group present, with 0 where none was reported that way.

    Interval: Wilson score interval at ``options.confidence`` for each share, the group's
    crimes as n (Brown, Cai & DasGupta 2001, Statistical Science 16(2):101-133); assumes
    crimes independent.
    """
    title = "How crimes are reported"
    needs = _missing(ds)
    if needs:
        return not_available(
            "reporting_channel_share",
            title,
            definition_of(reporting_channel_share),
            needs,
            ("reporting_channel_share",),
        )
    crimes = ds.crimes.mutate(channel=_channel(ds.crimes))
    by_group = crimes.group_by(["offence_group", "channel"]).aggregate(crimes=crimes.count())
    table, shares = _share_rows(rows(by_group), "offence_group", ds.options.confidence)
    overall = crimes.group_by("channel").aggregate(crimes=crimes.count())
    overall_rows = [{**r, "scope": "all"} for r in rows(overall)]
    overall_table, overall_share = _share_rows(overall_rows, "scope", ds.options.confidence)
    main = max(
        (c for c in REPORTING_CHANNELS if c != UNKNOWN),
        key=lambda c: (overall_share["all"][c], c),
    )
    return Finding(
        id="reporting_channel_share",
        title=title,
        definition=definition_of(reporting_channel_share),
        summary=(
            f"The most common way crimes reach the police is {main} "
            f"({overall_share['all'][main]:.1%} of crimes in scope; "
            f"{overall_share['all'][UNKNOWN]:.1%} have no recorded channel)."
        ),
        figures={"overall": overall_share["all"], "main_channel": main},
        tables={"by_group": table, "overall": overall_table},
        headlines={"reporting_channel_share": shares},
    )


def _victim_age_groups(victims: ir.Table) -> ir.Table:
    """Distinct (crime_id, victim_age_group): a crime with victims in two groups is in both."""
    age = victims.age_at_offence
    group = ibis.cases(
        (age.isnull(), UNKNOWN),
        (age < ADULT_AGE, "child"),
        else_="adult",
    )
    return victims.select("crime_id", victim_age_group=group).distinct()


def _third_party_test(shares_table: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Two-sided two-proportion z-test of the third-party share, child vs adult victims."""
    cells = {
        r["victim_age_group"]: r
        for r in shares_table
        if r["reporting_channel"] == THIRD_PARTY and r["victim_age_group"] in ("child", "adult")
    }
    if len(cells) < 2 or min(cells[g]["of_crimes"] for g in cells) == 0:
        return None
    counts = [cells["child"]["crimes"], cells["adult"]["crimes"]]
    totals = [cells["child"]["of_crimes"], cells["adult"]["of_crimes"]]
    if sum(counts) in (0, sum(totals)):
        statistic, p_value = 0.0, 1.0
    else:
        statistic, p_value = proportions_ztest(counts, totals, alternative="two-sided")
    return {
        "child": cells["child"]["share"],
        "adult": cells["adult"]["share"],
        "difference": cells["child"]["share"] - cells["adult"]["share"],
        "z": float(statistic),
        "p_value": float(p_value),
        "test": "two-proportion z-test, two-sided; null: equal third-party shares",
    }


def reporting_channel_by_victim_age(ds: Dataset) -> Finding:
    """How crimes against children and adults are reported.

    Definition: for in-scope crimes with a victim under 18 at the offence (child), 18 or over
    (adult), or of unknown age (no birth year), the share reported by each channel, third
    party included; a missing channel counts as ``unknown`` in the denominator. Only victims
    who pass the run's victim filter count. A crime with victims in more than one age group
    counts once in each (so the groups can share crimes); a crime counts once per group
    however many victims it has there.

    Interval and test: Wilson score intervals for every share (crimes in the age group as n);
    the third-party shares of child and adult victims are compared with a two-sided
    two-proportion z-test (null: equal shares). Assumes crimes independent, which crimes
    counted in both groups slightly break.
    """
    title = "Reporting channel by victim's age"
    definition = definition_of(reporting_channel_by_victim_age)
    if ds.victims is None:
        return not_available(
            "reporting_channel_by_victim_age",
            title,
            definition,
            ("persons.birth_year", "crime_persons"),
        )
    needs = _missing(ds)
    if needs:
        return not_available("reporting_channel_by_victim_age", title, definition, needs)
    pairs = _victim_age_groups(ds.victims).join(
        ds.crimes.select("crime_id", channel=_channel(ds.crimes)), "crime_id"
    )
    counts = pairs.group_by(["victim_age_group", "channel"]).aggregate(crimes=pairs.count())
    table, shares = _share_rows(rows(counts), "victim_age_group", ds.options.confidence)
    test = _third_party_test(table)
    if test is None:
        summary = "Crimes against children and adults cannot be compared (one group is empty)."
    else:
        summary = (
            f"Third parties reported {test['child']:.1%} of crimes against children and "
            f"{test['adult']:.1%} of crimes against adults (two-sided p = {test['p_value']:.2g})."
        )
    return Finding(
        id="reporting_channel_by_victim_age",
        title=title,
        definition=definition,
        summary=summary,
        figures={"shares": shares, "third_party_child_vs_adult": test},
        tables={"by_victim_age": table},
    )


ANALYSES: tuple[Callable[[Dataset], Finding], ...] = (
    reporting_channel_share,
    reporting_channel_by_victim_age,
)
