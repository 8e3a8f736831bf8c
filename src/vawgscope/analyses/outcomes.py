"""Outcomes: charge, victim-support and evidential-difficulty rates, attrition and timeliness.

Rates are over in-scope crimes that have an outcome (``outcome_code`` not null); a crime with
no outcome is still under investigation and is counted apart. Outcome numbers are the Home
Office outcome types listed in :mod:`vawgscope.contract.outcomes`, which this module imports
rather than repeats.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import ibis.expr.types as ir

from vawgscope.analyses.common import interval_columns, rows, scalar, share, year_of
from vawgscope.analyses.finding import Finding, definition_of, not_available
from vawgscope.contract.outcomes import (
    CHARGED,
    EVIDENTIAL_DIFFICULTY,
    HOME_OFFICE_OUTCOMES,
    NO_SUSPECT,
    VICTIM_NOT_SUPPORTING,
    outcome_group,
)
from vawgscope.dataset import Dataset

ALL_GROUPS = "all groups"
UNDER_INVESTIGATION = "under_investigation"
#: Outcome types that record that no suspect was identified (14 and 18).
SUSPECT_NOT_IDENTIFIED: tuple[int, ...] = (14, *NO_SUSPECT)
#: Outcome types that record that the victim did not support (or withdrew from) action.
VICTIM_DOES_NOT_SUPPORT: tuple[int, ...] = VICTIM_NOT_SUPPORTING
FUNNEL_STAGES: tuple[str, ...] = (
    "recorded",
    "outcome_assigned",
    "suspect_identified",
    "victim_supports_action",
    "charged",
)


def _group_column(ds: Dataset) -> str:
    """Offence group; the publisher's crime type in a crimes-only dataset (no VAWG groups)."""
    return "crime_type" if ds.crimes_only else "offence_group"


def _outcome_needs(ds: Dataset, column: str = "outcome_code") -> tuple[str, ...]:
    """``("crimes.COLUMN",)`` when no in-scope crime has a value in it, else ()."""
    crimes = ds.crimes
    if column not in crimes.columns or scalar(crimes[column].count()) == 0:
        return (f"crimes.{column}",)
    return ()


# --- rates ----------------------------------------------------------------------------------


def _rate_counts(ds: Dataset, codes: tuple[int, ...]) -> dict[str, dict[str, int]]:
    """Per offence group: recorded crimes, crimes with an outcome (n), of those in ``codes`` (k)."""
    crimes = ds.crimes
    expr = crimes.group_by(group=crimes.offence_group).aggregate(
        recorded=crimes.count(),
        n=crimes.outcome_code.count(),
        k=crimes.outcome_code.isin(codes).sum(),
    )
    return {
        r["group"]: {"recorded": int(r["recorded"]), "n": int(r["n"]), "k": int(r["k"] or 0)}
        for r in rows(expr)
    }


def _rate_finding(
    ds: Dataset,
    key: str,
    title: str,
    codes: tuple[int, ...],
    analysis: Callable[[Dataset], Finding],
    wording: str,
) -> Finding:
    """A {group: share} headline of crimes with an outcome in ``codes``, with its table."""
    definition = definition_of(analysis)
    needs = _outcome_needs(ds)
    if ds.crimes_only:
        finding = not_available(key, title, definition, (*needs, "crimes.offence_group"), (key,))
        return replace(
            finding,
            summary="Not available: needs VAWG offence groups (crimes.offence_group)"
            + (" and crimes.outcome_code" if needs else "")
            + "; a crimes-only dataset carries only the publisher's broad crime types.",
        )
    if needs:
        return not_available(key, title, definition, needs, (key,))
    counts = _rate_counts(ds, codes)
    table = [_rate_row(g, c, ds.options.confidence) for g, c in counts.items()]
    table.sort(key=lambda r: (r["share"] is None, -(r["share"] or 0), r["group"]))
    overall = {name: sum(c[name] for c in counts.values()) for name in ("recorded", "n", "k")}
    table.append(_rate_row(ALL_GROUPS, overall, ds.options.confidence))
    rated = [r for r in table[:-1] if r["share"] is not None]
    headline = {r["group"]: r["share"] for r in rated}
    return Finding(
        id=key,
        title=title,
        definition=definition,
        summary=_rate_summary(wording, rated, overall),
        figures={"codes": list(codes), "crimes_with_outcome": overall["n"]},
        tables={f"{key}_by_group": table},
        headlines={key: headline},
    )


def _rate_row(group: str, counts: dict[str, int], confidence: float) -> dict[str, Any]:
    interval = share(counts["k"], counts["n"], confidence)
    return {
        "group": group,
        "recorded": counts["recorded"],
        "n": counts["n"],
        "k": counts["k"],
        **interval_columns(interval, "share"),
        "note": None if interval else "no crimes with an outcome yet",
    }


def _rate_summary(wording: str, rated: list[dict[str, Any]], overall: dict[str, int]) -> str:
    text = f"{overall['k'] / overall['n']:.1%} of {overall['n']:,} crimes with an outcome {wording}"
    if rated:
        top, bottom = rated[0], rated[-1]
        text += (
            f"; highest for {top['group'].replace('_', ' ')} ({top['share']:.1%}), lowest for "
            f"{bottom['group'].replace('_', ' ')} ({bottom['share']:.1%})"
        )
    return text + "."


def charge_rate(ds: Dataset) -> Finding:
    """Charge rate by offence group.

    Definition: {group: share with outcome 1} over in-scope crimes of each offence group that
    have an outcome (``outcome_code`` not null; outcome 1 includes 1A, alternative offence
    charged). A group with crimes but no outcome yet has no share: it is listed in the table
    with n = 0 and left out of the headline. Not available when no in-scope crime has an
    outcome, and in a crimes-only dataset (no VAWG offence groups).

    Interval: Wilson score 95% interval (``options.confidence``) for each share, treating the
    crimes as independent; Brown, Cai & DasGupta (2001), Statistical Science 16(2):101-133.
    """
    return _rate_finding(
        ds, "charge_rate", "Charge rate", CHARGED, charge_rate, "were charged or summonsed"
    )


def victim_not_supporting_rate(ds: Dataset) -> Finding:
    """Share of outcomes where the victim did not support action.

    Definition: {group: share with outcome 14 or 16} over in-scope crimes of each offence
    group that have an outcome (14: suspect not identified and victim does not support
    further action; 16: suspect identified, victim does not support or withdraws support). A
    group with crimes but no outcome yet is listed with n = 0 and left out of the headline.
    Not available when no in-scope crime has an outcome, and in a crimes-only dataset.

    Interval: Wilson score 95% interval for each share (Brown, Cai & DasGupta 2001).
    """
    return _rate_finding(
        ds,
        "victim_not_supporting_rate",
        "Victim does not support action",
        VICTIM_NOT_SUPPORTING,
        victim_not_supporting_rate,
        "ended with the victim not supporting action (outcomes 14 and 16)",
    )


def evidential_difficulty_rate(ds: Dataset) -> Finding:
    """Share of outcomes closed for evidential difficulties with the victim's support.

    Definition: {group: share with outcome 15} (suspect identified, victim supports action,
    evidential difficulties prevent it) over in-scope crimes of each offence group that have
    an outcome. A group with crimes but no outcome yet is listed with n = 0 and left out of
    the headline. Not available when no in-scope crime has an outcome, and in a crimes-only
    dataset.

    Interval: Wilson score 95% interval for each share (Brown, Cai & DasGupta 2001).
    """
    return _rate_finding(
        ds,
        "evidential_difficulty_rate",
        "Evidential difficulties (victim supports action)",
        EVIDENTIAL_DIFFICULTY,
        evidential_difficulty_rate,
        "were closed for evidential difficulties although the victim supported action (outcome 15)",
    )


# --- distribution ---------------------------------------------------------------------------


def _code_counts(ds: Dataset, by: ir.Value, name: str) -> dict[Any, dict[int | None, int]]:
    """Crimes per value of ``by`` and outcome code (None = under investigation)."""
    crimes = ds.crimes
    expr = crimes.group_by(**{name: by, "code": crimes.outcome_code}).aggregate(
        crimes=crimes.count()
    )
    out: dict[Any, dict[int | None, int]] = defaultdict(dict)
    for r in rows(expr):
        out[r[name]][r["code"]] = int(r["crimes"])
    return out


def _distribution_rows(
    label: str, value: Any, codes: dict[int | None, int], confidence: float
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows by outcome group and by raw code for one group (or year)."""
    recorded = sum(codes.values())
    with_outcome = recorded - codes.get(None, 0)
    by_group: dict[str, int] = defaultdict(int)
    for code, n in codes.items():
        by_group[outcome_group(code) if code is not None else UNDER_INVESTIGATION] += n

    def row(extra: dict[str, Any], n: int, pending: bool) -> dict[str, Any]:
        interval = None if pending else share(n, with_outcome, confidence)
        return {
            label: value,
            **extra,
            "crimes": n,
            **interval_columns(interval, "share_of_outcomes"),
            "share_of_recorded": n / recorded,
        }

    grouped = [
        row({"outcome_group": g}, n, g == UNDER_INVESTIGATION)
        for g, n in sorted(by_group.items(), key=lambda item: (-item[1], item[0]))
    ]
    raw = [
        row(
            {
                "outcome_code": code,
                "outcome": HOME_OFFICE_OUTCOMES.get(code, "?") if code else UNDER_INVESTIGATION,
            },
            n,
            code is None,
        )
        for code, n in sorted(codes.items(), key=lambda item: (item[0] is None, item[0] or 0))
    ]
    return grouped, raw


def outcome_distribution(ds: Dataset) -> Finding:
    """Outcomes by offence group and by year.

    Definition: in-scope crimes by outcome, per offence group (the publisher's crime type in
    a crimes-only dataset) and per year of occurred_from (calendar, or financial April–March
    as ``options.year_basis`` sets; the tables say which), both by the broad outcome groups of
    ``OUTCOME_GROUPS`` and by raw Home Office outcome code. ``share_of_outcomes`` is over
    crimes with an outcome; crimes with none are the ``under_investigation`` row, with only a
    ``share_of_recorded``. Not available when no in-scope crime has an outcome.

    Interval: Wilson score 95% interval for each share of outcomes (Brown, Cai & DasGupta
    2001). Recent years hold more crimes still under investigation, so their outcome mix is
    not yet final.
    """
    key, title = "outcome_distribution", "Outcomes by group and year"
    needs = _outcome_needs(ds)
    if needs:
        return not_available(key, title, definition_of(outcome_distribution), needs)
    crimes, basis, confidence = ds.crimes, ds.options.year_basis, ds.options.confidence
    tables: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_group = _code_counts(ds, crimes[_group_column(ds)], "group")
    for group in sorted(by_group, key=str):
        grouped, raw = _distribution_rows("group", group, by_group[group], confidence)
        tables["by_group"] += grouped
        tables["by_group_and_code"] += raw
    by_year = _code_counts(ds, year_of(crimes.occurred_from, basis), "year")
    for year in sorted(by_year):
        grouped, raw = _distribution_rows("year", year, by_year[year], confidence)
        tables["by_year"] += [{"year_basis": basis, **r} for r in grouped]
        tables["by_year_and_code"] += [{"year_basis": basis, **r} for r in raw]
    pending = sum(codes.get(None, 0) for codes in by_group.values())
    recorded = sum(sum(codes.values()) for codes in by_group.values())
    return Finding(
        id=key,
        title=title,
        definition=definition_of(outcome_distribution),
        summary=f"{recorded - pending:,} of {recorded:,} crimes have an outcome; "
        f"{pending:,} are still under investigation.",
        figures={"year_basis": basis, "grouped_by": _group_column(ds)},
        tables=dict(tables),
    )


# --- attrition ------------------------------------------------------------------------------


def attrition_funnel(ds: Dataset) -> Finding:
    """Attrition from recorded crime to charge.

    Definition: per offence group (the publisher's crime type in a crimes-only dataset), and
    for all groups together, in the spirit of Operation Soteria, nested stages counted over
    in-scope crimes: ``recorded`` (every crime); ``outcome_assigned`` (outcome_code not
    null); ``suspect_identified`` (an outcome other than 14 and 18, the two outcome types
    that record that no suspect was identified — in-scope crimes all have a linked suspect
    record, so the link cannot tell identified from not); ``victim_supports_action`` (of
    those, an outcome other than 16, so neither 14 nor 16: the victim did not withdraw);
    ``charged`` (outcome 1). Each stage gives its count, its share of the recorded (Wilson
    95% interval) and its share of the stage before. Crimes still under investigation stay
    in ``recorded`` only. Not available when no in-scope crime has an outcome.
    """
    key, title = "attrition_funnel", "Attrition from recorded crime to charge"
    needs = _outcome_needs(ds)
    if needs:
        return not_available(key, title, definition_of(attrition_funnel), needs)
    crimes = ds.crimes
    code = crimes.outcome_code
    identified = code.notnull() & ~code.isin(SUSPECT_NOT_IDENTIFIED)
    supports = identified & ~code.isin(VICTIM_DOES_NOT_SUPPORT)
    expr = crimes.group_by(group=crimes[_group_column(ds)]).aggregate(
        recorded=crimes.count(),
        outcome_assigned=code.count(),
        suspect_identified=identified.sum(),
        victim_supports_action=supports.sum(),
        charged=code.isin(CHARGED).sum(),
    )
    counts = {r["group"]: {s: int(r[s] or 0) for s in FUNNEL_STAGES} for r in rows(expr)}
    counts[ALL_GROUPS] = {s: sum(c[s] for c in counts.values()) for s in FUNNEL_STAGES}
    table = []
    for group in [*sorted((g for g in counts if g != ALL_GROUPS), key=str), ALL_GROUPS]:
        table += _funnel_rows(group, counts[group], ds.options.confidence)
    total = counts[ALL_GROUPS]
    return Finding(
        id=key,
        title=title,
        definition=definition_of(attrition_funnel),
        summary=f"Of {total['recorded']:,} crimes recorded, {total['suspect_identified']:,} "
        f"reached an outcome with a suspect identified, {total['victim_supports_action']:,} "
        f"of them with the victim's support, and {total['charged']:,} "
        f"({total['charged'] / total['recorded']:.1%}) were charged.",
        figures={"stages": list(FUNNEL_STAGES), "grouped_by": _group_column(ds)},
        tables={"funnel": table},
    )


def _funnel_rows(group: str, counts: dict[str, int], confidence: float) -> list[dict[str, Any]]:
    out, previous = [], None
    for stage in FUNNEL_STAGES:
        n = counts[stage]
        interval = share(n, counts["recorded"], confidence)
        out.append(
            {
                "group": group,
                "stage": stage,
                "crimes": n,
                **interval_columns(interval, "share_of_recorded"),
                "share_of_previous": n / previous if previous else None,
            }
        )
        previous = n
    return out


# --- timeliness -----------------------------------------------------------------------------


def outcome_timeliness(ds: Dataset) -> Finding:
    """Days from recording to outcome.

    Definition: for in-scope crimes with both an outcome and an ``outcome_date``, days from
    ``recorded_date`` to ``outcome_date``, by offence group (the publisher's crime type in a
    crimes-only dataset) and year of occurred_from (calendar or financial as
    ``options.year_basis`` sets), and for each group over all years: n, mean, median and
    quartiles (linear interpolation between order statistics, DuckDB ``quantile_cont``).
    Crimes still under investigation (no outcome) are counted separately
    (``under_investigation``), as are crimes with an outcome but no date
    (``outcome_without_date``). An outcome dated before recording counts with its negative
    number of days (listed in ``figures.negative_days``). Not available when no in-scope
    crime has an outcome date.

    Recent years are censored: their slow cases have not closed yet, so their times look
    shorter until they do.
    """
    key, title = "outcome_timeliness", "Time from recording to outcome"
    needs = _outcome_needs(ds) or _outcome_needs(ds, "outcome_date")
    if needs:
        return not_available(key, title, definition_of(outcome_timeliness), needs)
    crimes, basis = ds.crimes, ds.options.year_basis
    crimes = crimes.mutate(
        group=crimes[_group_column(ds)], year=year_of(crimes.occurred_from, basis)
    )
    table = _timeliness_rows(crimes, ("group", "year"), basis)
    table += _timeliness_rows(crimes, ("group",), basis)
    table.sort(key=lambda r: (str(r["group"]), r["year"] == "all", str(r["year"])))
    dated = crimes.filter(crimes.outcome_code.notnull() & crimes.outcome_date.notnull())
    negative = scalar((dated.outcome_date < dated.recorded_date).sum()) or 0
    overall = rows(dated.aggregate(median=_days(dated).quantile(0.5), n=dated.count()))[0]
    return Finding(
        id=key,
        title=title,
        definition=definition_of(outcome_timeliness),
        summary=f"Median {overall['median']:.0f} days from recording to outcome over "
        f"{overall['n']:,} crimes with a dated outcome."
        if overall["n"]
        else "No crime has both an outcome and an outcome date.",
        figures={"year_basis": basis, "negative_days": int(negative)},
        tables={"days_to_outcome": table},
    )


def _days(crimes: ir.Table) -> ir.IntegerColumn:
    return crimes.outcome_date.delta(crimes.recorded_date, unit="day")


def _timeliness_rows(crimes: ir.Table, keys: tuple[str, ...], basis: str) -> list[dict[str, Any]]:
    """Summary of days to outcome per ``keys``, with the crimes still open counted apart."""
    has_outcome = crimes.outcome_code.notnull()
    dated = has_outcome & crimes.outcome_date.notnull()
    days = _days(crimes)
    expr = crimes.group_by(*keys).aggregate(
        n=dated.sum(),
        median=days.quantile(0.5, where=dated),
        q1=days.quantile(0.25, where=dated),
        q3=days.quantile(0.75, where=dated),
        mean=days.mean(where=dated),
        under_investigation=(~has_outcome).sum(),
        outcome_without_date=(has_outcome & crimes.outcome_date.isnull()).sum(),
    )
    return [
        {
            "group": r["group"],
            "year": r.get("year", "all"),
            "year_basis": basis,
            "n": int(r["n"] or 0),
            "median": r["median"],
            "q1": r["q1"],
            "q3": r["q3"],
            "mean": r["mean"],
            "under_investigation": int(r["under_investigation"] or 0),
            "outcome_without_date": int(r["outcome_without_date"] or 0),
        }
        for r in rows(expr)
    ]


ANALYSES: tuple[Callable[[Dataset], Finding], ...] = (
    charge_rate,
    victim_not_supporting_rate,
    evidential_difficulty_rate,
    outcome_distribution,
    attrition_funnel,
    outcome_timeliness,
)

__all__ = [
    "ANALYSES",
    "attrition_funnel",
    "charge_rate",
    "evidential_difficulty_rate",
    "outcome_distribution",
    "outcome_timeliness",
    "victim_not_supporting_rate",
]
