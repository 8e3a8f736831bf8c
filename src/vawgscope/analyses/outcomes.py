"""Outcomes: charge, victim-support and evidential-difficulty rates, attrition and timeliness.

Rates are over in-scope crimes that have an outcome (``outcome_code`` not null); a crime with
no outcome is still under investigation and is counted apart. Outcome numbers are the Home
Office outcome types listed in :mod:`vawgscope.contract.outcomes`, which this module imports
rather than repeats.

Police.uk tier: when the crimes carry an ``outcome_group`` (the police.uk reader sets it from
``contract/police_uk_outcomes.csv``), each crime's outcome is its group, because police.uk
publishes some categories that cover several Home Office types (a caution is 2 or 3; "Unable
to prosecute suspect" is 14, 15 or 16, not said which). Crimes "Under investigation" or with
"Status update unavailable" have no outcome yet and are counted apart; a figure that needs a
Home Office type a group hides is not available rather than guessed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import ibis
import ibis.expr.types as ir

from vawgscope.analyses.common import interval_columns, rows, scalar, share, year_of
from vawgscope.analyses.finding import Finding, definition_of, not_available
from vawgscope.contract.outcomes import (
    CHARGED,
    EVIDENTIAL_DIFFICULTY,
    HOME_OFFICE_OUTCOMES,
    NO_SUSPECT,
    OUTCOME_CODES,
    VICTIM_NOT_SUPPORTING,
    outcome_group,
    police_uk_outcomes,
)
from vawgscope.dataset import Dataset

ALL_GROUPS = "all groups"
UNDER_INVESTIGATION = "under_investigation"
STATUS_UNAVAILABLE = "status_unavailable"
#: police.uk outcome groups that record no outcome yet: counted apart from the outcomes.
NO_OUTCOME_YET: tuple[str, ...] = (UNDER_INVESTIGATION, STATUS_UNAVAILABLE)
CHARGED_GROUP = "charged_or_summonsed"
#: police.uk's group of "Unable to prosecute suspect": Home Office 14, 15 or 16, not said which.
EVIDENTIAL_GROUP = "evidential_difficulties"
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


def _police_uk_group_codes() -> dict[str, tuple[int, ...]]:
    """police.uk outcome group → the Home Office outcome types its categories stand for."""
    codes: dict[str, set[int]] = defaultdict(set)
    for category in police_uk_outcomes().values():
        codes[category.outcome_group].update(category.home_office_codes)
    return {group: tuple(sorted(c)) for group, c in codes.items()}


#: The Home Office types behind each police.uk outcome group (none for no outcome yet).
GROUP_CODES: dict[str, tuple[int, ...]] = _police_uk_group_codes()
#: Home Office type → the police.uk group that holds it (the broad group where none does).
CODE_GROUPS: dict[int, str] = {
    code: next((g for g, codes in GROUP_CODES.items() if code in codes), outcome_group(code))
    for code in OUTCOME_CODES
}


def _grouped(ds: Dataset) -> bool:
    """Whether the crimes carry police.uk outcome groups (``crimes.outcome_group``)."""
    return not _outcome_needs(ds, "outcome_group")


def _status(crimes: ir.Table) -> ir.StringValue:
    """Each crime's outcome group on the police.uk tier: its ``outcome_group``, else the group
    of its ``outcome_code``, else ``status_unavailable`` (nothing published for it)."""
    from_code = crimes.outcome_code.cases(*CODE_GROUPS.items(), else_=None)
    return ibis.coalesce(crimes.outcome_group, from_code, ibis.literal(STATUS_UNAVAILABLE))


def _has_outcome(crimes: ir.Table) -> ir.BooleanValue:
    return ~_status(crimes).isin(NO_OUTCOME_YET)


def _codes_text(codes: tuple[int, ...]) -> str:
    if len(codes) > 2 and codes == tuple(range(codes[0], codes[-1] + 1)):
        return f"{codes[0]}–{codes[-1]}"
    return ", ".join(str(c) for c in codes)


def _group_note(group: str) -> str | None:
    """What a police.uk group stands for in Home Office types, when it is more than one."""
    codes = GROUP_CODES.get(group, ())
    if group in NO_OUTCOME_YET:
        return "no outcome yet: counted apart from the outcomes"
    if len(codes) > 1:
        return f"Home Office outcomes {_codes_text(codes)} as one group"
    return None


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


def _rate_counts(
    ds: Dataset, codes: tuple[int, ...], grouped_as: str | None = None
) -> dict[str, dict[str, int]]:
    """Per group: recorded crimes, crimes with an outcome (n), of those in ``codes`` (k).

    On the police.uk tier (``grouped_as`` given) an outcome is a group other than no outcome
    yet, and k counts the crimes of group ``grouped_as``.
    """
    crimes = ds.crimes
    if grouped_as is None:
        n, k = crimes.outcome_code.count(), crimes.outcome_code.isin(codes).sum()
    else:
        n, k = _has_outcome(crimes).sum(), (_status(crimes) == grouped_as).sum()
    expr = crimes.group_by(group=crimes[_group_column(ds)]).aggregate(
        recorded=crimes.count(), n=n, k=k
    )
    return {
        r["group"]: {"recorded": int(r["recorded"]), "n": int(r["n"] or 0), "k": int(r["k"] or 0)}
        for r in rows(expr)
    }


@dataclass(frozen=True)
class _Rate:
    """One rate headline: the Home Office types it counts, and what it counts on the police.uk
    tier (``grouped_as``: a police.uk group; None where a group hides the types it needs)."""

    key: str
    title: str
    codes: tuple[int, ...]
    wording: str
    grouped_as: str | None
    grouped_wording: str = ""


def _rate_finding(ds: Dataset, rate: _Rate, analysis: Callable[[Dataset], Finding]) -> Finding:
    """A {group: share} headline of crimes with an outcome in ``codes``, with its table."""
    key, title, definition = rate.key, rate.title, definition_of(analysis)
    grouped = _grouped(ds)
    needs = () if grouped else _outcome_needs(ds)
    if grouped and _hidden_by_groups(ds, rate.codes, rate.grouped_as):
        codes = _codes_text(GROUP_CODES[EVIDENTIAL_GROUP])
        reason = (
            f"crimes.outcome_code (police.uk groups outcomes {codes}, so they cannot be told apart)"
        )
        extra = " and crimes.offence_group" if ds.crimes_only else ""
        finding = not_available(
            key,
            title,
            definition,
            ("crimes.outcome_code", *(("crimes.offence_group",) if ds.crimes_only else ())),
            (key,),
        )
        return replace(finding, summary=f"Not available: needs {reason}{extra}.")
    if ds.crimes_only and needs:
        finding = not_available(key, title, definition, (*needs, "crimes.offence_group"), (key,))
        return replace(
            finding,
            summary="Not available: needs VAWG offence groups (crimes.offence_group)"
            " and crimes.outcome_code; a crimes-only dataset carries only the publisher's"
            " broad crime types.",
        )
    if needs:
        return not_available(key, title, definition, needs, (key,))
    grouped_as = rate.grouped_as if grouped else None
    counts = _rate_counts(ds, rate.codes, grouped_as)
    note = _group_note(grouped_as) if grouped_as else None
    table = [_rate_row(g, c, ds.options.confidence, note) for g, c in counts.items()]
    table.sort(key=lambda r: (r["share"] is None, -(r["share"] or 0), r["group"]))
    overall = {name: sum(c[name] for c in counts.values()) for name in ("recorded", "n", "k")}
    table.append(_rate_row(ALL_GROUPS, overall, ds.options.confidence, note))
    rated = [r for r in table[:-1] if r["share"] is not None]
    wording = rate.grouped_wording if grouped_as else rate.wording
    codes = GROUP_CODES[grouped_as] if grouped_as else rate.codes
    figures: dict[str, Any] = {"codes": list(codes), "crimes_with_outcome": overall["n"]}
    if grouped_as:
        figures.update(outcome_basis="police.uk outcome groups", outcome_group=grouped_as)
    summary = _rate_summary(wording, rated, overall)
    if ds.crimes_only:
        # The headline is by VAWG offence group; the table by the publisher's crime type.
        finding = not_available(key, title, definition, ("crimes.offence_group",), (key,))
        summary = (
            "Not available by VAWG offence group: needs crimes.offence_group (a crimes-only "
            "dataset carries only the publisher's broad crime types). By crime type: " + summary
        )
        return replace(finding, summary=summary, figures=figures, tables={f"{key}_by_group": table})
    return Finding(
        id=key,
        title=title,
        definition=definition,
        summary=summary,
        figures=figures,
        tables={f"{key}_by_group": table},
        headlines={key: {r["group"]: r["share"] for r in rated}},
    )


def _hidden_by_groups(ds: Dataset, codes: tuple[int, ...], grouped_as: str | None) -> bool:
    """Whether police.uk groups hide the outcome types a rate counts: it has no group to count
    and some in-scope crime has a group (with no code) holding both those and other types."""
    if grouped_as is not None:
        return False
    wanted = set(codes)
    mixed = [g for g, c in GROUP_CODES.items() if wanted & set(c) and not set(c) <= wanted]
    crimes = ds.crimes
    unsure = crimes.outcome_code.isnull() & _status(crimes).isin(mixed)
    return bool(mixed) and bool(scalar(unsure.sum()) or 0)


def _rate_row(
    group: str, counts: dict[str, int], confidence: float, note: str | None = None
) -> dict[str, Any]:
    interval = share(counts["k"], counts["n"], confidence)
    return {
        "group": group,
        "recorded": counts["recorded"],
        "n": counts["n"],
        "k": counts["k"],
        **interval_columns(interval, "share"),
        "note": note if interval else "no crimes with an outcome yet",
    }


def _rate_summary(wording: str, rated: list[dict[str, Any]], overall: dict[str, int]) -> str:
    if not overall["n"]:
        return f"None of {overall['recorded']:,} crimes has an outcome yet."
    text = f"{overall['k'] / overall['n']:.1%} of {overall['n']:,} crimes with an outcome {wording}"
    if len(rated) > 1:
        top, bottom = rated[0], rated[-1]
        text += (
            f"; highest for {top['group'].replace('_', ' ')} ({top['share']:.1%}), lowest for "
            f"{bottom['group'].replace('_', ' ')} ({bottom['share']:.1%})"
        )
    return text + "."


CHARGE = _Rate(
    "charge_rate",
    "Charge rate",
    CHARGED,
    "were charged or summonsed",
    CHARGED_GROUP,
    "were charged or summonsed",
)
NOT_SUPPORTING = _Rate(
    "victim_not_supporting_rate",
    "Victim does not support action",
    VICTIM_NOT_SUPPORTING,
    "ended with the victim not supporting action (outcomes 14 and 16)",
    None,
)
EVIDENTIAL = _Rate(
    "evidential_difficulty_rate",
    "Evidential difficulties (victim supports action)",
    EVIDENTIAL_DIFFICULTY,
    "were closed for evidential difficulties although the victim supported action (outcome 15)",
    EVIDENTIAL_GROUP,
    "were closed as police.uk 'Unable to prosecute suspect' (Home Office outcomes 14–16 as one "
    "group: evidential difficulties, with or without the victim's support)",
)


def charge_rate(ds: Dataset) -> Finding:
    """Charge rate by offence group.

    Definition: {group: share with outcome 1} over in-scope crimes of each offence group that
    have an outcome (``outcome_code`` not null; outcome 1 includes 1A, alternative offence
    charged). A group with crimes but no outcome yet has no share: it is listed in the table
    with n = 0 and left out of the headline. Not available when no in-scope crime has an
    outcome, and in a crimes-only dataset (no VAWG offence groups). On the police.uk tier
    (``outcome_group``) the charged are the group ``charged_or_summonsed`` (a charge, or a
    court stage that follows one: all outcome 1) over crimes whose group is an outcome (not
    "Under investigation" or "Status update unavailable"); a crimes-only dataset gives its
    table by the publisher's crime type and no headline.

    Interval: Wilson score 95% interval (``options.confidence``) for each share, treating the
    crimes as independent; Brown, Cai & DasGupta (2001), Statistical Science 16(2):101-133.
    """
    return _rate_finding(ds, CHARGE, charge_rate)


def victim_not_supporting_rate(ds: Dataset) -> Finding:
    """Share of outcomes where the victim did not support action.

    Definition: {group: share with outcome 14 or 16} over in-scope crimes of each offence
    group that have an outcome (14: suspect not identified and victim does not support
    further action; 16: suspect identified, victim does not support or withdraws support). A
    group with crimes but no outcome yet is listed with n = 0 and left out of the headline.
    Not available when no in-scope crime has an outcome, and in a crimes-only dataset. Not
    available on the police.uk tier either when a crime's outcome is "Unable to prosecute
    suspect": police.uk groups outcomes 14–16, so 14 and 16 cannot be told from 15 (needs
    ``crimes.outcome_code``).

    Interval: Wilson score 95% interval for each share (Brown, Cai & DasGupta 2001).
    """
    return _rate_finding(ds, NOT_SUPPORTING, victim_not_supporting_rate)


def evidential_difficulty_rate(ds: Dataset) -> Finding:
    """Share of outcomes closed for evidential difficulties with the victim's support.

    Definition: {group: share with outcome 15} (suspect identified, victim supports action,
    evidential difficulties prevent it) over in-scope crimes of each offence group that have
    an outcome. A group with crimes but no outcome yet is listed with n = 0 and left out of
    the headline. Not available when no in-scope crime has an outcome, and in a crimes-only
    dataset. On the police.uk tier (``outcome_group``) outcome 15 cannot be told apart from
    14 and 16: the share counts the group ``evidential_difficulties`` (police.uk's "Unable to
    prosecute suspect": Home Office 14–16 as one group, with or without the victim's support),
    and the figures and table say so; a crimes-only dataset gives its table by the publisher's
    crime type and no headline.

    Interval: Wilson score 95% interval for each share (Brown, Cai & DasGupta 2001).
    """
    return _rate_finding(ds, EVIDENTIAL, evidential_difficulty_rate)


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


def _distribution_tables(
    ds: Dataset, count: Callable[..., Any], to_rows: Callable[..., Any], detail: str
) -> tuple[dict[str, list[dict[str, Any]]], Any]:
    """The outcome mix by group and by year, each also by ``detail`` (code or category).

    ``count(ds, by, name)`` counts crimes by ``by`` and outcome; ``to_rows(name, value,
    counts, confidence)`` turns one group's counts into its summary and detail rows. Returns
    the tables and the counts by group.
    """
    crimes, basis, confidence = ds.crimes, ds.options.year_basis, ds.options.confidence
    tables: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_group = count(ds, crimes[_group_column(ds)], "group")
    for group in sorted(by_group, key=str):
        grouped, raw = to_rows("group", group, by_group[group], confidence)
        tables["by_group"] += grouped
        tables[f"by_group_and_{detail}"] += raw
    by_year = count(ds, year_of(crimes.occurred_from, basis), "year")
    for year in sorted(by_year):
        grouped, raw = to_rows("year", year, by_year[year], confidence)
        tables["by_year"] += [{"year_basis": basis, **r} for r in grouped]
        tables[f"by_year_and_{detail}"] += [{"year_basis": basis, **r} for r in raw]
    return tables, by_group


def outcome_distribution(ds: Dataset) -> Finding:
    """Outcomes by offence group and by year.

    Definition: in-scope crimes by outcome, per offence group (the publisher's crime type in
    a crimes-only dataset) and per year of occurred_from (calendar, or financial April–March
    as ``options.year_basis`` sets; the tables say which), both by the broad outcome groups of
    ``OUTCOME_GROUPS`` and by raw Home Office outcome code. ``share_of_outcomes`` is over
    crimes with an outcome; crimes with none are the ``under_investigation`` row, with only a
    ``share_of_recorded``. Not available when no in-scope crime has an outcome. On the
    police.uk tier (``outcome_group``) the groups are police.uk's (``home_office_codes`` says
    which Home Office types each stands for: ``evidential_difficulties`` is 14–16 as one
    group, ``out_of_court`` holds cautions, 2 or 3), the raw level is the police.uk category
    (``outcome_type``), and both ``under_investigation`` and ``status_unavailable`` are no
    outcome yet, shown apart with only a ``share_of_recorded``.

    Interval: Wilson score 95% interval for each share of outcomes (Brown, Cai & DasGupta
    2001). Recent years hold more crimes still under investigation, so their outcome mix is
    not yet final.
    """
    key, title = "outcome_distribution", "Outcomes by group and year"
    if _grouped(ds):
        return _grouped_distribution(ds, key, title)
    needs = _outcome_needs(ds)
    if needs:
        return not_available(key, title, definition_of(outcome_distribution), needs)
    tables, by_group = _distribution_tables(ds, _code_counts, _distribution_rows, "code")
    pending = sum(codes.get(None, 0) for codes in by_group.values())
    recorded = sum(sum(codes.values()) for codes in by_group.values())
    return Finding(
        id=key,
        title=title,
        definition=definition_of(outcome_distribution),
        summary=f"{recorded - pending:,} of {recorded:,} crimes have an outcome; "
        f"{pending:,} are still under investigation.",
        figures={"year_basis": ds.options.year_basis, "grouped_by": _group_column(ds)},
        tables=dict(tables),
    )


def _status_counts(ds: Dataset, by: ir.Value, name: str) -> dict[Any, dict[tuple, int]]:
    """Crimes per value of ``by`` and (police.uk group, category, outcome code)."""
    crimes = ds.crimes
    category = (
        crimes.outcome_type if "outcome_type" in crimes.columns else ibis.null().cast("string")
    )
    expr = crimes.group_by(
        **{name: by, "status": _status(crimes), "category": category, "code": crimes.outcome_code}
    ).aggregate(crimes=crimes.count())
    out: dict[Any, dict[tuple, int]] = defaultdict(dict)
    for r in rows(expr):
        out[r[name]][(r["status"], r["category"], r["code"])] = int(r["crimes"])
    return out


def _grouped_rows(
    label: str, value: Any, counts: dict[tuple, int], confidence: float
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows by police.uk group and by police.uk category for one group (or year)."""
    recorded = sum(counts.values())
    with_outcome = sum(n for (status, _, _), n in counts.items() if status not in NO_OUTCOME_YET)
    by_status: dict[str, int] = defaultdict(int)
    for (status, _, _), n in counts.items():
        by_status[status] += n

    def row(status: str, extra: dict[str, Any], n: int) -> dict[str, Any]:
        pending = status in NO_OUTCOME_YET
        interval = None if pending else share(n, with_outcome, confidence)
        return {
            label: value,
            "outcome_group": status,
            **extra,
            "crimes": n,
            **interval_columns(interval, "share_of_outcomes"),
            "share_of_recorded": n / recorded,
        }

    def order(status: str, n: int, name: str) -> tuple:
        return (status in NO_OUTCOME_YET, -n, name)

    grouped = [
        row(
            g,
            {
                "home_office_codes": _codes_text(GROUP_CODES.get(g, ())) or None,
                "note": _group_note(g),
            },
            n,
        )
        for g, n in sorted(by_status.items(), key=lambda item: order(item[0], item[1], item[0]))
    ]
    raw = [
        row(status, {"outcome_type": category, "outcome_code": code}, n)
        for (status, category, code), n in sorted(
            counts.items(), key=lambda item: order(item[0][0], item[1], str(item[0][1]))
        )
    ]
    return grouped, raw


def _grouped_distribution(ds: Dataset, key: str, title: str) -> Finding:
    """``outcome_distribution`` on the police.uk tier: by police.uk group and category."""
    tables, by_group = _distribution_tables(ds, _status_counts, _grouped_rows, "category")
    pending: dict[str, int] = dict.fromkeys(NO_OUTCOME_YET, 0)
    for counts in by_group.values():
        for (status, _, _), n in counts.items():
            if status in pending:
                pending[status] += n
    recorded = sum(sum(counts.values()) for counts in by_group.values())
    return Finding(
        id=key,
        title=title,
        definition=definition_of(outcome_distribution),
        summary=f"{recorded - sum(pending.values()):,} of {recorded:,} crimes have an outcome; "
        f"{pending[UNDER_INVESTIGATION]:,} are still under investigation and "
        f"{pending[STATUS_UNAVAILABLE]:,} have no published status (police.uk 'Status update "
        "unavailable').",
        figures={
            "year_basis": ds.options.year_basis,
            "grouped_by": _group_column(ds),
            "outcome_basis": "police.uk outcome groups",
            "no_outcome_yet": pending,
            "group_codes": {g: list(c) for g, c in GROUP_CODES.items() if c},
        },
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

    On the police.uk tier (``outcome_group``) ``outcome_assigned`` counts crimes whose group is
    an outcome ("Under investigation" and "Status update unavailable" are not: counted apart
    in ``figures.no_outcome_yet``) and ``charged`` the group ``charged_or_summonsed``. A crime
    closed as "Unable to prosecute suspect" (Home Office 14–16 as one group) may or may not
    have an identified suspect (14: not) and the victim's support (14, 16: not), so those two
    stages are given as bounds, ``at_least`` (none of those crimes) and ``at_most`` (all of
    them), with ``crimes`` and its shares only when the bounds meet.
    """
    key, title = "attrition_funnel", "Attrition from recorded crime to charge"
    if _grouped(ds):
        return _grouped_funnel(ds, key, title)
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


#: Outcome types each uncertain funnel stage rules out.
_STAGE_EXCLUDES: dict[str, tuple[int, ...]] = {
    "suspect_identified": SUSPECT_NOT_IDENTIFIED,
    "victim_supports_action": (*SUSPECT_NOT_IDENTIFIED, *VICTIM_DOES_NOT_SUPPORT),
}


def _stage_bounds(crimes: ir.Table, excluded: tuple[int, ...]) -> tuple[ir.Value, ir.Value]:
    """Crimes surely past a stage that rules out outcome types ``excluded``, and those that
    may be (a police.uk group holding both excluded and other types, with no code)."""
    code, status = crimes.outcome_code, _status(crimes)
    ruled_out = set(excluded)
    whole = [g for g, c in GROUP_CODES.items() if c and set(c) <= ruled_out]
    mixed = [g for g, c in GROUP_CODES.items() if ruled_out & set(c) and not set(c) <= ruled_out]
    by_code = code.isin(excluded).fill_null(False)
    by_group = code.isnull() & status.isin(whole or [""])
    unsure = code.isnull() & status.isin(mixed or [""])
    sure = _has_outcome(crimes) & ~by_code & ~by_group & ~unsure
    return sure.sum(), (_has_outcome(crimes) & unsure).sum()


def _grouped_funnel(ds: Dataset, key: str, title: str) -> Finding:
    """``attrition_funnel`` on the police.uk tier, with bounds where a group hides a stage."""
    crimes = ds.crimes
    status = _status(crimes)
    aggregates: dict[str, ir.Value] = {
        "recorded": crimes.count(),
        "outcome_assigned": _has_outcome(crimes).sum(),
        "charged": (status == CHARGED_GROUP).sum(),
        **{f"pending_{s}": (status == s).sum() for s in NO_OUTCOME_YET},
    }
    for stage, excluded in _STAGE_EXCLUDES.items():
        aggregates[stage], aggregates[f"{stage}_unsure"] = _stage_bounds(crimes, excluded)
    expr = crimes.group_by(group=crimes[_group_column(ds)]).aggregate(**aggregates)
    counts = {r["group"]: {k: int(r[k] or 0) for k in aggregates} for r in rows(expr)}
    counts[ALL_GROUPS] = {k: sum(c[k] for c in counts.values()) for k in aggregates}
    table = []
    for group in [*sorted((g for g in counts if g != ALL_GROUPS), key=str), ALL_GROUPS]:
        table += _grouped_funnel_rows(group, counts[group], ds.options.confidence)
    total = counts[ALL_GROUPS]
    pending = {s: total[f"pending_{s}"] for s in NO_OUTCOME_YET}
    return Finding(
        id=key,
        title=title,
        definition=definition_of(attrition_funnel),
        summary=_grouped_funnel_summary(total, pending),
        figures={
            "stages": list(FUNNEL_STAGES),
            "grouped_by": _group_column(ds),
            "outcome_basis": "police.uk outcome groups",
            "no_outcome_yet": pending,
            "unsure_stages_group": EVIDENTIAL_GROUP,
        },
        tables={"funnel": table},
    )


def _grouped_funnel_rows(
    group: str, counts: dict[str, int], confidence: float
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    previous: int | None = None
    for stage in FUNNEL_STAGES:
        low = counts[stage]
        high = low + counts.get(f"{stage}_unsure", 0)
        n = low if low == high else None
        interval = share(n, counts["recorded"], confidence) if n is not None else None
        out.append(
            {
                "group": group,
                "stage": stage,
                "crimes": n,
                **interval_columns(interval, "share_of_recorded"),
                "share_of_previous": n / previous if n is not None and previous else None,
                "at_least": low,
                "at_most": high,
                "note": None
                if n is not None
                else f"{high - low:,} crimes closed as 'Unable to prosecute suspect' "
                f"(Home Office {_codes_text(GROUP_CODES[EVIDENTIAL_GROUP])} as one group) "
                "may or may not have passed this stage",
            }
        )
        previous = n
    return out


def _grouped_funnel_summary(total: dict[str, int], pending: dict[str, int]) -> str:
    low, unsure = total["suspect_identified"], total["suspect_identified_unsure"]
    identified = (
        f"{low:,} to {low + unsure:,} reached an outcome with a suspect identified (police.uk "
        f"groups outcomes {_codes_text(GROUP_CODES[EVIDENTIAL_GROUP])}, so {unsure:,} cannot be "
        "placed)"
        if unsure
        else f"{low:,} reached an outcome with a suspect identified"
    )
    charged = total["charged"]
    rate = f" ({charged / total['recorded']:.1%})" if total["recorded"] else ""
    return (
        f"Of {total['recorded']:,} crimes recorded, {total['outcome_assigned']:,} have an "
        f"outcome ({pending[UNDER_INVESTIGATION]:,} still under investigation and "
        f"{pending[STATUS_UNAVAILABLE]:,} with no published status have none yet); "
        f"{identified}; {charged:,}{rate} were charged."
    )


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

    Month-level dates (``time_precision`` = month, e.g. police.uk, which gives the month of
    the crime and of the outcome) cannot measure days: those crimes are summarised in
    ``months_to_outcome`` instead, in whole months = outcome month − month recorded (0 = the
    same month), and left out of the days. On the police.uk tier (``outcome_group``) a crime
    has an outcome when its group is one; "Under investigation" and "Status update
    unavailable" are counted apart (``under_investigation``, ``status_unavailable``).

    Recent years are censored: their slow cases have not closed yet, so their times look
    shorter until they do.
    """
    key, title = "outcome_timeliness", "Time from recording to outcome"
    grouped = _grouped(ds)
    needs = (() if grouped else _outcome_needs(ds)) or _outcome_needs(ds, "outcome_date")
    if needs:
        return not_available(key, title, definition_of(outcome_timeliness), needs)
    crimes, basis = ds.crimes, ds.options.year_basis
    crimes = crimes.mutate(
        group=crimes[_group_column(ds)],
        year=year_of(crimes.occurred_from, basis),
        has_outcome=_has_outcome(crimes) if grouped else crimes.outcome_code.notnull(),
        month_level=(crimes.time_precision == "month").fill_null(False),
    )
    pending = _pending_columns(crimes, grouped)
    dated = crimes.filter(crimes.has_outcome & crimes.outcome_date.notnull())
    if not grouped and not scalar(dated.month_level.any()):
        return _days_finding(ds, key, title, crimes, pending)
    return _mixed_precision_finding(ds, key, title, crimes, grouped)


def _pending_columns(crimes: ir.Table, grouped: bool) -> dict[str, ir.BooleanValue]:
    """The crimes with no outcome yet, as counted apart in the tables."""
    if not grouped:
        return {UNDER_INVESTIGATION: ~crimes.has_outcome}
    status = _status(crimes)
    return {s: status == s for s in NO_OUTCOME_YET}


def _days_finding(
    ds: Dataset,
    key: str,
    title: str,
    crimes: ir.Table,
    pending: dict[str, ir.BooleanValue],
) -> Finding:
    basis = ds.options.year_basis
    days = _days(crimes)
    table = _timeliness_rows(crimes, ("group", "year"), basis, days, pending)
    table += _timeliness_rows(crimes, ("group",), basis, days, pending)
    table.sort(key=lambda r: (str(r["group"]), r["year"] == "all", str(r["year"])))
    dated = crimes.filter(crimes.has_outcome & crimes.outcome_date.notnull())
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


def _mixed_precision_finding(
    ds: Dataset, key: str, title: str, crimes: ir.Table, grouped: bool
) -> Finding:
    """Whole months for month-level crimes; days for the others, when they have dated ones."""
    basis = ds.options.year_basis
    tables: dict[str, list[dict[str, Any]]] = {}
    figures: dict[str, Any] = {"year_basis": basis, "unit": "months"}
    summary = []
    for unit, part, measure in (
        ("months", crimes.filter(crimes.month_level), _months),
        ("days", crimes.filter(~crimes.month_level), _days),
    ):
        dated = part.filter(part.has_outcome & part.outcome_date.notnull())
        stats = rows(dated.aggregate(median=measure(dated).quantile(0.5), n=dated.count()))[0]
        if unit == "days" and not stats["n"]:
            continue
        value, pending = measure(part), _pending_columns(part, grouped)
        table = _timeliness_rows(part, ("group", "year"), basis, value, pending)
        table += _timeliness_rows(part, ("group",), basis, value, pending)
        table.sort(key=lambda r: (str(r["group"]), r["year"] == "all", str(r["year"])))
        tables[f"{unit}_to_outcome"] = table
        figures[f"negative_{unit}"] = int(scalar((measure(dated) < 0).sum()) or 0)
        if stats["n"]:
            summary.append(
                f"median {stats['median']:.0f} {unit if stats['median'] != 1 else unit[:-1]} "
                f"to outcome over {stats['n']:,} crimes "
                + (
                    "with month-level dates (outcome month − month recorded; days cannot be "
                    "measured)"
                    if unit == "months"
                    else "with exact dates"
                )
            )
    text = "; ".join(summary) if summary else "no crime has both an outcome and its date"
    return Finding(
        id=key,
        title=title,
        definition=definition_of(outcome_timeliness),
        summary=text[0].upper() + text[1:] + ".",
        figures=figures,
        tables=tables,
    )


def _days(crimes: ir.Table) -> ir.IntegerColumn:
    return crimes.outcome_date.delta(crimes.recorded_date, unit="day")


def _months(crimes: ir.Table) -> ir.IntegerColumn:
    """Whole months from the month recorded to the month of the outcome."""
    outcome, recorded = crimes.outcome_date, crimes.recorded_date
    return (outcome.year() * 12 + outcome.month()) - (recorded.year() * 12 + recorded.month())


def _timeliness_rows(
    crimes: ir.Table,
    keys: tuple[str, ...],
    basis: str,
    value: ir.IntegerColumn,
    pending: dict[str, ir.BooleanValue],
) -> list[dict[str, Any]]:
    """Summary of ``value`` (days or months) to outcome per ``keys``, with the crimes that
    have no outcome yet counted apart (one column per ``pending``)."""
    has_outcome = crimes.has_outcome
    dated = has_outcome & crimes.outcome_date.notnull()
    expr = crimes.group_by(*keys).aggregate(
        n=dated.sum(),
        median=value.quantile(0.5, where=dated),
        q1=value.quantile(0.25, where=dated),
        q3=value.quantile(0.75, where=dated),
        mean=value.mean(where=dated),
        **{name: flag.sum() for name, flag in pending.items()},
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
            **{name: int(r[name] or 0) for name in pending},
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
