"""Place: where crimes happen — homes against streets, night-time hours and victims' ages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ibis
import ibis.expr.types as ir

from vawgscope.analyses.aoristic import time_coverage
from vawgscope.analyses.common import rows, share
from vawgscope.analyses.finding import Finding, definition_of, not_available
from vawgscope.analyses.time import nte_weights
from vawgscope.contract.vocab import LOCATION_TYPES
from vawgscope.dataset import Dataset

HOME = "dwelling"
STREET = "street"
#: Victims' age bands at the offence; girls in their early teens are more often victimised
#: outdoors and in education settings, so the under-18s are split.
VICTIM_AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0-15", 0, 15),
    ("16-17", 16, 17),
    ("18-24", 18, 24),
    ("25-29", 25, 29),
    ("30-39", 30, 39),
    ("40-49", 40, 49),
    ("50-59", 50, 59),
    ("60+", 60, None),
)
#: Location types grouped as "outdoors or education" for the age comparison.
OUTDOORS_OR_EDUCATION: tuple[str, ...] = ("street", "open_space", "education")


# --- shared pieces ------------------------------------------------------------------------


def _location(crimes: ir.Table) -> ir.StringValue:
    # A missing location type is `unknown` and stays in every share's denominator.
    return crimes.location_type.fill_null("unknown")


def location_counts(crimes: ir.Table) -> dict[str, int]:
    """Crimes by location type, every type of the vocabulary listed (0 when none)."""
    counted = crimes.group_by(location_type=_location(crimes)).aggregate(crimes=crimes.count())
    counts = dict.fromkeys(LOCATION_TYPES, 0)
    counts.update({r["location_type"]: int(r["crimes"]) for r in rows(counted)})
    return counts


def _share_table(counts: dict[str, float], confidence: float, unit: str) -> list[dict[str, Any]]:
    """Rows ``{location_type, unit, share, low, high}``, largest first, ties by vocabulary."""
    total = sum(counts.values())
    order = {loc: i for i, loc in enumerate(LOCATION_TYPES)}
    out = []
    for loc in sorted(counts, key=lambda k: (-counts[k], order.get(k, len(order)))):
        estimate = share(counts[loc], total, confidence) if total > 0 else None
        out.append(
            {
                "location_type": loc,
                unit: counts[loc],
                "share": None if estimate is None else estimate["estimate"],
                "low": None if estimate is None else estimate["low"],
                "high": None if estimate is None else estimate["high"],
            }
        )
    return out


def _locations_known(ds: Dataset) -> bool:
    """Whether any in-scope crime has a location type other than ``unknown``."""
    known = ds.crimes.location_type.notnull() & (ds.crimes.location_type != "unknown")
    return bool(known.any().execute())


def _not_located(
    fn: Callable[..., Finding], finding_id: str, title: str, keys: tuple[str, ...]
) -> Finding:
    return not_available(finding_id, title, definition_of(fn), ("crimes.location_type",), keys)


def ratio_interval(
    home: int, street: int, confidence: float = 0.95
) -> dict[str, float | None] | None:
    """``{estimate, low, high}`` for home ÷ street; None when there are no street crimes.

    Given their sum, the home count is binomial with p = home ÷ (home + street), and the
    ratio is p ÷ (1 − p); the interval maps the Wilson interval of p through that function
    (the usual conditional interval for a ratio of two Poisson counts). ``high`` is None when
    the Wilson upper bound of p is 1.
    """
    if street == 0:
        return None
    p = share(home, home + street, confidence)
    assert p is not None
    high = None if p["high"] >= 1 else p["high"] / (1 - p["high"])
    return {"estimate": home / street, "low": p["low"] / (1 - p["low"]), "high": high}


# --- headlines ----------------------------------------------------------------------------


def location_types(ds: Dataset) -> Finding:
    """Location types, and crimes at home against crimes in the street.

    Definition: in-scope crimes by ``location_type`` (a missing type counts as ``unknown``),
    each with its share of all in-scope crimes; the home-to-street ratio is the number of
    crimes at ``dwelling`` ÷ the number at ``street``, and is not given when no crime is in
    the street.

    Interval: Wilson 95% intervals for the shares. For the ratio, conditional on the sum
    home + street the home count is binomial, so the Wilson interval of home ÷ (home +
    street) = p gives the interval of p ÷ (1 − p); this assumes the counts are independent
    Poisson counts.
    """
    title = "Where crimes happen: location types"
    key = "home_to_street_ratio"
    if not _locations_known(ds):
        return _not_located(location_types, "location_types", title, (key,))
    counts = location_counts(ds.crimes)
    home, street = counts[HOME], counts[STREET]
    ratio = ratio_interval(home, street, ds.options.confidence)
    if ratio is None:
        summary = f"No in-scope crime is in the street ({home:,} at home): no home ÷ street ratio."
    else:
        summary = (
            f"{ratio['estimate']:.1f} crimes happen at home for every one in the street "
            f"({home:,} against {street:,})."
        )
    return Finding(
        id="location_types",
        title=title,
        definition=definition_of(location_types),
        summary=summary,
        figures={
            "home": home,
            "street": street,
            "home_to_street_ratio": ratio,
            "reason": None if ratio is not None else "no crimes in the street",
        },
        tables={"location_types": _share_table(counts, ds.options.confidence, "crimes")},
        headlines={key: None if ratio is None else ratio["estimate"]},
    )


def location_types_non_domestic(ds: Dataset) -> Finding:
    """Location types of non-domestic crimes, and the share at home.

    Definition: among in-scope crimes not flagged domestic (``domestic`` false), the share at
    ``dwelling`` and the shares of every location type (a missing type counts as
    ``unknown`` in the denominator). Crimes whose ``domestic`` flag is empty are left out of
    both numerator and denominator, and counted.

    Interval: Wilson 95% intervals for each share.
    """
    title = "Where non-domestic crimes happen"
    key = "home_share_excluding_domestic"
    if not ds.has("crimes", "domestic"):
        return not_available(
            "location_types_non_domestic",
            title,
            definition_of(location_types_non_domestic),
            ("crimes.domestic",),
            (key,),
        )
    if not _locations_known(ds):
        return _not_located(
            location_types_non_domestic, "location_types_non_domestic", title, (key,)
        )
    crimes = ds.crimes
    flag_missing = int(crimes.domestic.isnull().sum().execute() or 0)
    counts = location_counts(crimes.filter(crimes.domestic == ibis.literal(False)))
    total = sum(counts.values())
    home = share(counts[HOME], total, ds.options.confidence)
    summary = (
        "No in-scope crime is flagged non-domestic."
        if home is None
        else f"{home['estimate']:.0%} of non-domestic crimes happen at home "
        f"({counts[HOME]:,} of {total:,})."
    )
    if flag_missing:
        summary += f" {flag_missing:,} crimes with no domestic flag are left out."
    return Finding(
        id="location_types_non_domestic",
        title=title,
        definition=definition_of(location_types_non_domestic),
        summary=summary,
        figures={"non_domestic": total, "home_share": home, "domestic_flag_missing": flag_missing},
        tables={
            "location_types_non_domestic": _share_table(counts, ds.options.confidence, "crimes")
        },
        headlines={key: None if home is None else home["estimate"]},
    )


def fatal_or_near_fatal_location(ds: Dataset) -> Finding:
    """Where fatal and near-fatal crimes happen, and the share at home.

    Definition: among in-scope crimes flagged ``fatal_or_near_fatal`` (homicide, attempted
    murder or life-threatening injury; an empty flag means false), the share at ``dwelling``
    and the shares of every location type (missing type = ``unknown``, in the denominator).
    Not given when no crime is flagged.

    Interval: Wilson 95% intervals for each share.
    """
    title = "Where fatal and near-fatal crimes happen"
    key = "fatal_or_near_fatal_home_share"
    if not _locations_known(ds):
        return _not_located(
            fatal_or_near_fatal_location, "fatal_or_near_fatal_location", title, (key,)
        )
    crimes = ds.crimes
    counts = location_counts(crimes.filter(crimes.fatal_or_near_fatal.fill_null(False)))
    total = sum(counts.values())
    home = share(counts[HOME], total, ds.options.confidence)
    summary = (
        "No in-scope crime is flagged fatal or near-fatal."
        if home is None
        else f"{home['estimate']:.0%} of fatal or near-fatal crimes happen at home "
        f"({counts[HOME]:,} of {total:,})."
    )
    return Finding(
        id="fatal_or_near_fatal_location",
        title=title,
        definition=definition_of(fatal_or_near_fatal_location),
        summary=summary,
        figures={"fatal_or_near_fatal": total, "home_share": home},
        tables={
            "location_types_fatal_or_near_fatal": _share_table(
                counts, ds.options.confidence, "crimes"
            )
        },
        headlines={key: None if home is None else home["estimate"]},
    )


# --- findings without headlines ------------------------------------------------------------


def location_types_nte(ds: Dataset) -> Finding:
    """Location types in night-time-economy hours and outside them.

    Definition: each in-scope crime with an exact time and a window of at most 7 days spreads
    a weight of 1 over the hours it covers (aoristic, in proportion to minutes); the part
    inside the night-time-economy window (``nte_start``–``nte_end`` every day, 18:00–06:00 by
    default) is its NTE weight and the rest its other-hours weight. For each location type
    (missing = ``unknown``): the NTE weight and its share of all NTE weight, and the same
    outside NTE hours. Crimes without an exact time, or with a longer window, are left out
    and counted.

    Interval: Wilson 95% intervals treating the weights as counts — an approximation, since a
    crime split across the boundary adds a fraction to each side.
    """
    title = "Where crimes happen in night-time-economy hours"
    if not _locations_known(ds):
        return _not_located(location_types_nte, "location_types_nte", title, ())
    coverage = rows(time_coverage(ds.crimes))[0]
    if not coverage["kept"]:
        return not_available(
            "location_types_nte",
            title,
            definition_of(location_types_nte),
            ("crimes.occurred_from with exact times",),
        )
    weights = nte_weights(ds, ds.options.nte_start, ds.options.nte_end)
    crimes = ds.crimes.select("crime_id", location_type=_location(ds.crimes))
    joined = weights.join(crimes, "crime_id")
    summed = joined.group_by("location_type").aggregate(
        nte=joined.nte_weight.sum(), other=(1 - joined.nte_weight).sum()
    )
    found = {r["location_type"]: r for r in rows(summed)}
    nte = {loc: float(found.get(loc, {}).get("nte") or 0.0) for loc in LOCATION_TYPES}
    other = {loc: float(found.get(loc, {}).get("other") or 0.0) for loc in LOCATION_TYPES}
    confidence = ds.options.confidence
    nte_rows = _share_table(nte, confidence, "weight")
    home_nte = next(r for r in nte_rows if r["location_type"] == HOME)["share"]
    other_rows = _share_table(other, confidence, "weight")
    home_other = next(r for r in other_rows if r["location_type"] == HOME)["share"]
    window = f"{ds.options.nte_start:%H:%M}–{ds.options.nte_end:%H:%M}"
    return Finding(
        id="location_types_nte",
        title=title,
        definition=definition_of(location_types_nte),
        summary=(
            f"In night-time-economy hours ({window}) {home_nte:.0%} of the weight is at home, "
            f"against {home_other:.0%} in other hours."
            if home_nte is not None and home_other is not None
            else f"No crime weight falls on one side of the NTE window ({window})."
        ),
        figures={
            "nte_window": window,
            "home_share_nte": home_nte,
            "home_share_other_hours": home_other,
            "crimes_used": int(coverage["kept"]),
            "left_out_not_exact": int(coverage["not_exact"]),
            "left_out_long_windows": int(coverage["long_windows"]),
        },
        tables={"location_types_nte": nte_rows, "location_types_other_hours": other_rows},
    )


def _age_band(age: ir.IntegerValue) -> ir.StringValue:
    case = ibis.cases(
        *[
            ((age >= low) if high is None else age.between(low, high), name)
            for name, low, high in VICTIM_AGE_BANDS
        ],
        else_="unknown",
    )
    return ibis.ifelse(age.isnull() | (age < 0), "unknown", case)


def location_types_by_victim_age(ds: Dataset) -> Finding:
    """Location types by the victim's age at the offence.

    Definition: over pairs of an in-scope crime and one of its in-scope victims, the victim's
    age at the offence (calendar year of ``occurred_from`` − ``birth_year``) in bands 0-15,
    16-17, 18-24, 25-29, 30-39, 40-49, 50-59 and 60+ (``unknown`` without a birth year), and
    the share of each band's pairs at each location type (missing type = ``unknown``, in the
    denominator). "Outdoors or education" groups ``street``, ``open_space`` and ``education``.

    Interval: Wilson 95% intervals for each share, treating pairs as independent (a crime
    with two victims of one band counts twice).
    """
    title = "Where crimes happen, by the victim's age"
    if ds.victims is None:
        return not_available(
            "location_types_by_victim_age",
            title,
            definition_of(location_types_by_victim_age),
            ("persons.birth_year", "crime_persons"),
        )
    if not _locations_known(ds):
        return _not_located(location_types_by_victim_age, "location_types_by_victim_age", title, ())
    pairs = ds.victims.select("crime_id", "person_id", "age_at_offence")
    crimes = ds.crimes.select("crime_id", location_type=_location(ds.crimes))
    joined = pairs.join(crimes, "crime_id")
    counted = joined.group_by(
        age_band=_age_band(joined.age_at_offence), location_type=joined.location_type
    ).aggregate(pairs=joined.count())
    by_band: dict[str, dict[str, int]] = {}
    for r in rows(counted):
        by_band.setdefault(r["age_band"], dict.fromkeys(LOCATION_TYPES, 0))[r["location_type"]] = (
            int(r["pairs"])
        )
    confidence = ds.options.confidence
    band_names = [name for name, _, _ in VICTIM_AGE_BANDS] + ["unknown"]
    table: list[dict[str, Any]] = []
    outdoors: dict[str, dict[str, float] | None] = {}
    for band in band_names:
        if band not in by_band:
            continue
        counts = by_band[band]
        table += [{"age_band": band, **row} for row in _share_table(counts, confidence, "pairs")]
        outdoors[band] = share(
            sum(counts[loc] for loc in OUTDOORS_OR_EDUCATION), sum(counts.values()), confidence
        )
    return Finding(
        id="location_types_by_victim_age",
        title=title,
        definition=definition_of(location_types_by_victim_age),
        summary=_age_summary(outdoors),
        figures={"outdoors_or_education_share": outdoors},
        tables={"location_types_by_victim_age": table},
    )


def _age_summary(outdoors: dict[str, dict[str, float] | None]) -> str:
    known = {b: s for b, s in outdoors.items() if s is not None and b != "unknown"}
    if not known:
        return "No victim has a known age."
    top = max(known, key=lambda b: known[b]["estimate"])
    return (
        f"Victims aged {top} are the most often victimised in the street, open spaces or "
        f"education settings: {known[top]['estimate']:.0%} of their crimes."
    )


ANALYSES: tuple[Callable[[Dataset], Finding], ...] = (
    location_types,
    location_types_non_domestic,
    fatal_or_near_fatal_location,
    location_types_nte,
    location_types_by_victim_age,
)
