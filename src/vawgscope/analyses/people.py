"""People: who the victims and perpetrators are — ages, birth cohorts, deprivation, repeat
victimisation, relationship and ethnicity.

Only counts and aggregates leave the engine; no person id appears in any table or figure.
Victims are counted once, at their first in-scope crime, wherever a finding needs one age or
one home for a victim (ages, victimisation rates); perpetrators once a year, at their first
in-scope crime of the year.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

import ibis
import ibis.expr.types as ir

from vawgscope.analyses.common import (
    count_ratio,
    interval_columns,
    poisson_rate,
    rows,
    scalar,
    share,
    year_of,
)
from vawgscope.analyses.finding import Finding, definition_of, not_available
from vawgscope.contract.vocab import (
    ETHNICITIES,
    OFFENCE_FAMILIES,
    OFFENCE_GROUPS,
    PERPETRATOR_AGE_BANDS,
    POPULATION_AGE_BANDS,
    RELATIONSHIPS,
)
from vawgscope.dataset import Dataset, Side

UNKNOWN = "unknown"
UNDER_18 = "under 18"
ADULT_AGE = 18
#: Width of the victims' peak age window, in single years of age.
AGE_WINDOW_YEARS = 10
SEXUAL_GROUPS: tuple[str, ...] = OFFENCE_FAMILIES["sexual"]
#: The Home Office "stalking and harassment" subgroup, as the Kent report counts it.
STALKING_HARASSMENT: tuple[str, ...] = OFFENCE_FAMILIES["stalking_harassment"]
IMD_GROUPS: tuple[str, ...] = ("1-2", "3-4", "5-6", "7-8", "9-10")
MOST_DEPRIVED = "1-2"
#: Female share of residents assumed when the population has no sex and nothing tells.
DEFAULT_FEMALE_SHARE = 0.51
#: Ages whose sexual-offence victims make the "14–15 spike", and its neighbours.
SPIKE_AGES: tuple[int, int] = (14, 15)
#: Bands of crimes per victim for the repeat-victimisation table: (label, lowest, highest).
REPEAT_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("1", 1, 1),
    ("2", 2, 2),
    ("3-4", 3, 4),
    ("5-9", 5, 9),
    ("10+", 10, None),
)
NEEDS_PERSONS: tuple[str, ...] = ("persons", "crime_persons")


# --- shared pieces ------------------------------------------------------------------------


def _unavailable(
    ds: Dataset,
    function: Callable[..., Finding],
    title: str,
    keys: tuple[str, ...],
    role: str = "victims",
) -> Finding | None:
    """The not-available finding when the dataset has no (in-scope) people of ``role``."""
    people = ds.victims if role == "victims" else ds.perpetrators
    needs: tuple[str, ...] | None = None
    if people is None:
        needs = NEEDS_PERSONS
    elif int(scalar(people.count())) == 0:
        needs = (f"crime_persons (in-scope {role})",)
    if needs is None:
        return None
    return not_available(function.__name__, title, definition_of(function), needs, keys)


def _year_label(year: int, basis: str) -> str:
    return f"{year}/{(year + 1) % 100:02d}" if basis == "financial" else str(year)


def _known_age(age: ir.IntegerValue) -> ir.IntegerValue:
    """The age, or null when unknown (no birth year) or impossible (born after the offence)."""
    return ibis.cases((age >= 0, age))


def _imd_group(decile: ir.IntegerValue) -> ir.StringValue:
    """IMD decile → group of two deciles (1-2 most deprived … 9-10 least)."""
    return ibis.cases(*[((decile <= int(g.split("-")[1])), g) for g in IMD_GROUPS])


def _imd_of_lsoa(ds: Dataset) -> ir.Table | None:
    """``lsoa_code, imd_group`` of every area with a decile; None without ``areas.imd_decile``."""
    if not ds.has("areas", "imd_decile"):
        return None
    areas = ds.table("areas").filter(lambda t: t.imd_decile.notnull())
    return areas.select("lsoa_code", imd_group=_imd_group(areas.imd_decile))


def _with_home_imd(ds: Dataset, people: ir.Table, imd: ir.Table | None) -> ir.Table:
    """Add ``imd_group`` of the person's home LSOA (``persons.home_lsoa_code``; null when
    unknown or no areas) to ``people``, a table with one row per ``person_id`` or more."""
    if imd is None:
        return people.mutate(imd_group=ibis.null("string"))
    persons = ds.table("persons")
    homes = persons.select(
        home_person=persons.person_id, home_lsoa_code=persons.home_lsoa_code
    ).filter(lambda t: t.home_lsoa_code.notnull())
    homes = homes.join(imd, homes.home_lsoa_code == imd.lsoa_code)
    joined = people.left_join(homes, people.person_id == homes.home_person)
    return joined.select(*people.columns, "imd_group")


def population_band(age: int | None) -> str | None:
    """The five-year population band (``0-4`` … ``85+``) of a single year of age."""
    if age is None or age < 0:
        return None
    if age >= 85:
        return "85+"
    low = age // 5 * 5
    return f"{low}-{low + 4}"


def perpetrator_band(age: int | None) -> str:
    """The perpetrator age band of ``PERPETRATOR_AGE_BANDS``; ``under 18`` or ``unknown``."""
    if age is None or age < 0:
        return UNKNOWN
    if age < ADULT_AGE:
        return UNDER_18
    for band in PERPETRATOR_AGE_BANDS[:-1]:
        if age <= int(band.split("-")[1]):
            return band
    return PERPETRATOR_AGE_BANDS[-1]


def _first_crimes(victims: ir.Table) -> ir.Table:
    """One row per victim: her age at her first in-scope crime."""
    first = victims.group_by("person_id").aggregate(
        first=victims.occurred_from.min(), birth_year=victims.birth_year.max()
    )
    return first.mutate(age=_known_age(first.first.year() - first.birth_year))


def _victims_by_age(victims: ir.Table) -> dict[int | None, int]:
    """{age at first in-scope crime (None = unknown): distinct victims}."""
    first = _first_crimes(victims)
    counts = first.group_by("age").aggregate(victims=first.count())
    return {r["age"]: int(r["victims"]) for r in rows(counts)}


def _sexual_victims_by_age(ds: Dataset) -> dict[int | None, int]:
    """Victims of in-scope sexual offences by age at their first in-scope sexual offence."""
    assert ds.victims is not None
    sexual = ds.crimes.filter(ds.crimes.offence_group.isin(SEXUAL_GROUPS)).select("crime_id")
    return _victims_by_age(ds.victims.semi_join(sexual, "crime_id"))


def peak_window(counts: dict[int | None, int], width: int = AGE_WINDOW_YEARS) -> list[int] | None:
    """``[from, to]`` of the ``width``-year run of single ages with most victims.

    Unknown ages (None) are left out. Windows start at every age from the youngest known to
    ``width − 1`` years below the oldest; equal counts go to the youngest window.
    """
    ages = sorted(a for a in counts if a is not None)
    if not ages:
        return None
    starts = range(ages[0], max(ages[0], ages[-1] - width + 1) + 1)
    best = max(starts, key=lambda s: (sum(counts.get(a, 0) for a in range(s, s + width)), -s))
    return [best, best + width - 1]


def _age_rows(columns: dict[str, dict[int | None, int]]) -> list[dict[str, Any]]:
    """One row per single age from 0 to the oldest (zeros kept), then an ``unknown`` row."""
    known = [a for counts in columns.values() for a in counts if a is not None]
    oldest = max(known, default=-1)
    table: list[dict[str, Any]] = [
        {"age": age, **{name: counts.get(age, 0) for name, counts in columns.items()}}
        for age in range(0, oldest + 1)
    ]
    table.append({"age": UNKNOWN, **{n: c.get(None, 0) for n, c in columns.items()}})
    return table


# --- victims by offence group and year ------------------------------------------------------


def _distinct_by_year(pairs: ir.Table, by: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    counts = pairs.group_by([*by, "year"]).aggregate(victims=pairs.person_id.nunique())
    return rows(counts)


def _change(series: dict[int, int], confidence: float) -> dict[str, Any] | None:
    """Last complete year against the first: counts and their ratio with an exact interval."""
    years = sorted(series)
    if len(years) < 2:
        return None
    first, last = years[0], years[-1]
    return {
        "from_year": first,
        "to_year": last,
        "from": series[first],
        "to": series[last],
        "ratio": count_ratio(series[last], series[first], confidence),
    }


def _change_words(change: dict[str, Any] | None, basis: str) -> str:
    if change is None:
        return "(one complete year only)"
    ratio = change["ratio"]["estimate"] if change["ratio"] else None
    pct = f", {ratio - 1:+.0%}" if ratio is not None else ""
    return (
        f"from {change['from']:,} in {_year_label(change['from_year'], basis)} to "
        f"{change['to']:,} in {_year_label(change['to_year'], basis)}{pct}"
    )


def victims_by_group_by_year(ds: Dataset) -> Finding:
    """Victims by offence group and year.

    Definition: for each offence group and each complete year (calendar, or financial
    April–March named by the year it starts in when ``year_basis`` is financial), the number
    of distinct victims linked to an in-scope crime of that group whose ``occurred_from``
    falls in that year; groups with no victim in any complete year are left out, and a year
    with none is 0. A victim of crimes in two groups counts in both; the overall count per
    year counts her once. Stalking and harassment (stalking, harassment, malicious
    communications, controlling or coercive behaviour: the Home Office subgroup the Kent report
    uses) are also counted together as one family, each victim once.

    Interval: the change from the first to the last complete year is the ratio of the two
    counts with an exact conditional (Clopper–Pearson) interval, treating each year's count as
    Poisson (a screening figure: victims recur across years, so the counts are not
    independent and the interval is too narrow when many do).
    """
    title = "Victims by offence group and year"
    keys = ("victims_by_group_by_year",)
    missing = _unavailable(ds, victims_by_group_by_year, title, keys)
    if missing is not None:
        return missing
    assert ds.victims is not None
    basis = ds.options.year_basis
    years = ds.window.complete_years(basis)
    if not years:
        return not_available(
            "victims_by_group_by_year",
            title,
            definition_of(victims_by_group_by_year),
            ("crimes.occurred_from (a complete year)",),
            keys,
        )
    pairs = ds.victims.join(ds.crimes.select("crime_id", "offence_group"), "crime_id")
    pairs = pairs.mutate(year=year_of(pairs.occurred_from, basis))
    pairs = pairs.filter(pairs.year.isin(years))
    cells = _distinct_by_year(pairs, ("offence_group",))
    family = pairs.filter(pairs.offence_group.isin(STALKING_HARASSMENT))
    overall = {y: 0 for y in years} | {r["year"]: r["victims"] for r in _distinct_by_year(pairs)}
    s_and_h = {y: 0 for y in years} | {r["year"]: r["victims"] for r in _distinct_by_year(family)}
    present = sorted({r["offence_group"] for r in cells}, key=_group_order)
    by_group = {g: dict.fromkeys(years, 0) for g in present}
    for r in cells:
        by_group[r["offence_group"]][r["year"]] = int(r["victims"])
    confidence = ds.options.confidence
    change = _change(overall, confidence)
    change_sh = _change(s_and_h, confidence)
    return Finding(
        id="victims_by_group_by_year",
        title=title,
        definition=definition_of(victims_by_group_by_year),
        summary=(
            f"Distinct victims went {_change_words(change, basis)}; victims of stalking and "
            f"harassment went {_change_words(change_sh, basis)} ({basis} years)."
        ),
        figures={
            "year_basis": basis,
            "overall": overall,
            "stalking_harassment": s_and_h,
            "change_overall": change,
            "change_stalking_harassment": change_sh,
        },
        tables={
            "by_group": [
                {"year_basis": basis, "year": y, "offence_group": g, "victims": n}
                for g, series in by_group.items()
                for y, n in series.items()
            ],
            "overall": [
                {
                    "year_basis": basis,
                    "year": y,
                    "victims": overall[y],
                    "stalking_harassment_victims": s_and_h[y],
                }
                for y in years
            ],
        },
        headlines={"victims_by_group_by_year": by_group},
    )


def _group_order(group: str) -> int:
    return OFFENCE_GROUPS.index(group) if group in OFFENCE_GROUPS else len(OFFENCE_GROUPS)


# --- victims by single year of age -----------------------------------------------------------


def victim_peak_age_window(ds: Dataset) -> Finding:
    """Victims by single year of age, and the ten-year peak.

    Definition: each distinct victim is counted once, at her age at her first in-scope crime
    (calendar year of that crime's ``occurred_from`` − ``birth_year``); a victim with no birth
    year (or one after the crime) falls in an ``unknown`` row and in no window. The peak is the
    10-year window of single ages ``[from, from + 9]`` with the most victims; equal counts go
    to the youngest window. The table shows every age from 0 to the oldest, with the victims
    of sexual offences (rape, other sexual) beside it, each counted at her first in-scope
    sexual offence.

    Interval: the window's share of victims with a known age has a Wilson score interval
    (Brown, Cai & DasGupta 2001); the window itself is a description of the data, not an
    estimate.
    """
    title = "Victims by age"
    keys = ("victim_peak_age_window",)
    missing = _unavailable(ds, victim_peak_age_window, title, keys)
    if missing is not None:
        return missing
    assert ds.victims is not None
    by_age = _victims_by_age(ds.victims)
    sexual = _sexual_victims_by_age(ds)
    window = peak_window(by_age)
    known = sum(n for a, n in by_age.items() if a is not None)
    if window is None:
        in_window, summary, window_share = 0, "No victim in scope has a known age.", None
    else:
        in_window = sum(by_age.get(a, 0) for a in range(window[0], window[1] + 1))
        window_share = share(in_window, known, ds.options.confidence)
        summary = (
            f"Victims aged {window[0]} to {window[1]} at their first crime are the largest "
            f"ten-year group: {in_window:,} of {known:,} victims with a known age "
            f"({in_window / known:.1%})."
        )
    return Finding(
        id="victim_peak_age_window",
        title=title,
        definition=definition_of(victim_peak_age_window),
        summary=summary,
        figures={
            "peak_window": window,
            "victims_in_window": in_window,
            "victims_with_known_age": known,
            "victims_with_unknown_age": by_age.get(None, 0),
            "share_in_window": window_share,
            "age_counted_at": "first in-scope crime",
        },
        tables={"by_age": _age_rows({"victims": by_age, "sexual_offence_victims": sexual})},
        headlines={"victim_peak_age_window": window},
    )


@dataclass(frozen=True)
class _Spike:
    """Sexual-offence victims aged 13–16 in one scope and whether 14–15 stand out."""

    counts: dict[int, int]
    ratio_to_16: dict[str, float | None] | None
    ratio_to_13: dict[str, float | None] | None

    @property
    def present(self) -> bool:
        mean = (self.counts[14] + self.counts[15]) / 2
        return mean > self.counts[13] and mean > self.counts[16]

    def as_figure(self) -> dict[str, Any]:
        return {
            "victims_by_age": {str(a): n for a, n in self.counts.items()},
            "ratio_14_15_to_16": self.ratio_to_16,
            "ratio_14_15_to_13": self.ratio_to_13,
            "spike": self.present,
        }


def _spike(sexual: dict[int | None, int], confidence: float) -> _Spike:
    counts = {a: sexual.get(a, 0) for a in (13, 14, 15, 16)}
    pair = counts[14] + counts[15]
    return _Spike(
        counts,
        count_ratio(pair, counts[16], confidence, a_units=2),
        count_ratio(pair, counts[13], confidence, a_units=2),
    )


def _spike_words(spike: _Spike) -> str:
    mean = (spike.counts[14] + spike.counts[15]) / 2
    return f"{mean:g} a year of age at 14–15 against {spike.counts[16]} at 16"


_SPIKE_PLACES: dict[tuple[bool, bool], str] = {
    (True, False): "only with perpetrators under 18",
    (False, True): "only without perpetrators under 18",
    (True, True): "in both scopes",
    (False, False): "in neither scope",
}


def victims_by_age_with_under_18_perpetrators(ds: Dataset) -> Finding:
    """Victims by age, with and without perpetrators under 18.

    Definition: the victims-by-age table (each victim counted once, at her first in-scope
    crime; sexual-offence victims at their first in-scope sexual offence) in two scopes that
    differ from the run's only in the perpetrators' minimum age: 18 ("without under-18s") and
    none ("with under-18s"). Whichever is not the run's own scope is a declared variant. The
    14–15 spike is present in a scope when the mean number of sexual-offence victims aged 14
    and 15 exceeds both the number aged 13 and the number aged 16.

    Interval: the ratios (mean of ages 14 and 15) ÷ age 16 and ÷ age 13 carry exact
    conditional (Clopper–Pearson) intervals, treating the counts as Poisson.
    """
    title = "Victims by age, with and without perpetrators under 18"
    missing = _unavailable(ds, victims_by_age_with_under_18_perpetrators, title, ())
    if missing is not None:
        return missing
    without, with_under_18, variant = _age_scopes(ds)
    columns: dict[str, dict[int | None, int]] = {}
    spikes: dict[str, _Spike] = {}
    for name, scoped in (("without_under_18", without), ("with_under_18", with_under_18)):
        if scoped.victims is None:  # pragma: no cover - both scopes share the store's tier
            continue
        sexual = _sexual_victims_by_age(scoped)
        columns[f"victims_{name}"] = _victims_by_age(scoped.victims)
        columns[f"sexual_offence_victims_{name}"] = sexual
        spikes[name] = _spike(sexual, ds.options.confidence)
    with_, without_ = spikes["with_under_18"], spikes["without_under_18"]
    where = _SPIKE_PLACES[(with_.present, without_.present)]
    summary = (
        f"Sexual-offence victims: {_spike_words(with_)} with perpetrators under 18, "
        f"{_spike_words(without_)} without them; the 14–15 spike appears {where}."
    )
    return Finding(
        id="victims_by_age_with_under_18_perpetrators",
        title=title,
        definition=definition_of(victims_by_age_with_under_18_perpetrators),
        summary=summary,
        figures={name: s.as_figure() for name, s in spikes.items()},
        tables={"by_age": _age_rows(columns)},
        variant=variant,
    )


def _age_scopes(ds: Dataset) -> tuple[Dataset, Dataset, str]:
    """The run's scope with perpetrators 18+ and of any age, and the variant(s) declared."""
    declared = []
    if ds.scope.perpetrator_min_age == ADULT_AGE:
        without = ds
    else:
        without = ds.with_scope(replace(ds.scope, perpetrator_min_age=ADULT_AGE), keep_tables=False)
        declared.append(f"perpetrator_min_age={ADULT_AGE}")
    if ds.scope.perpetrator_min_age is None:
        with_under_18 = ds
    else:
        with_under_18 = ds.with_scope(
            replace(ds.scope, perpetrator_min_age=None), keep_tables=False
        )
        declared.append("perpetrator_min_age=None (perpetrators of any age)")
    return without, with_under_18, "; ".join(declared)


# --- victimisation rates -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Residents:
    """Female residents by (age band, IMD group), and how they were found."""

    cells: dict[tuple[str, str], float]
    year: int | None
    estimated: bool
    female_share: float | None
    share_source: str | None


def _population_year(ds: Dataset, population: ir.Table) -> int | None:
    """The mid-year estimate nearest the middle of the window (ties → the later year)."""
    years = [r["year"] for r in rows(population.select("year").distinct()) if r["year"]]
    if not years or ds.window.empty:
        return None
    assert ds.window.first is not None and ds.window.last is not None
    middle = ds.window.first + (ds.window.last - ds.window.first) / 2
    target = middle.year + (middle.timetuple().tm_yday - 1) / 365.25
    return min(years, key=lambda y: (abs(y + 0.5 - target), -y))


def _population_band(population: ir.Table) -> ir.StringValue:
    """The row's five-year band: from ``age`` where given, else its ``age_band``."""
    age = population.age
    low = age // 5 * 5
    from_age = ibis.cases(
        (age >= 85, "85+"),
        (age >= 0, low.cast("string") + "-" + (low + 4).cast("string")),
    )
    if "age_band" in population.columns:
        return from_age.coalesce(population.age_band)
    return from_age


def _female_residents(ds: Dataset, imd: ir.Table) -> _Residents:
    population = ds.table("population")
    year = _population_year(ds, population)
    if year is not None:
        population = population.filter(population.year == year)
    population = population.mutate(band=_population_band(population))
    population = population.join(imd, "lsoa_code")
    female_areas = population.filter(population.sex == "F").select("lsoa_code").distinct()
    # An area with female rows uses them; an area with only `all` rows is estimated.
    all_only = population.filter(population.sex == "all").anti_join(female_areas, "lsoa_code")

    def by_cell(table: ir.Table) -> dict[tuple[str, str], float]:
        summed = table.group_by(["band", "imd_group"]).aggregate(n=table.population.sum())
        return {(r["band"], r["imd_group"]): float(r["n"]) for r in rows(summed) if r["band"]}

    cells = by_cell(population.filter(population.sex == "F"))
    estimated = bool(int(scalar(all_only.count())))
    female_share, source = None, None
    if estimated:
        sexed = population.filter(population.sex.isin(["F", "M"]))
        totals = {
            r["sex"]: float(r["n"])
            for r in rows(sexed.group_by("sex").aggregate(n=sexed.population.sum()))
        }
        both = totals.get("F", 0.0) + totals.get("M", 0.0)
        if both > 0:
            female_share = totals.get("F", 0.0) / both
            source = "female share of the areas whose population has sex"
        else:
            female_share = DEFAULT_FEMALE_SHARE
            source = "assumed (no population row has sex)"
        for cell, n in by_cell(all_only).items():
            cells[cell] = cells.get(cell, 0.0) + n * female_share
    return _Residents(cells, year, estimated, female_share, source)


def _window_years(ds: Dataset) -> float:
    assert ds.window.first is not None and ds.window.last is not None
    return ((ds.window.last.date() - ds.window.first.date()).days + 1) / 365.25


def _rate_rows(
    victims: dict[tuple[str, str], int],
    residents: dict[tuple[str, str], float],
    confidence: float,
    years: float,
) -> list[dict[str, Any]]:
    table = []
    for band in POPULATION_AGE_BANDS:
        for group in IMD_GROUPS:
            k, n = victims.get((band, group), 0), residents.get((band, group), 0.0)
            if k == 0 and n == 0:
                continue
            rate = poisson_rate(k, n, confidence) if n > 0 else None
            table.append(
                {
                    "age_band": band,
                    "imd_decile_group": group,
                    "victims": k,
                    "female_residents": n,
                    **interval_columns(rate, "rate"),
                    "rate_per_year": rate["estimate"] / years if rate else None,
                }
            )
    return table


def _highest_rate(table: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The cell with the highest rate; ties → the younger band, then the more deprived group."""
    rated = [r for r in table if r["rate"] is not None]
    if not rated:
        return None
    return max(
        rated,
        key=lambda r: (
            r["rate"],
            -POPULATION_AGE_BANDS.index(r["age_band"]),
            -IMD_GROUPS.index(r["imd_decile_group"]),
        ),
    )


def victimisation_rate_max(ds: Dataset) -> Finding:
    """Victimisation rates by age and deprivation.

    Definition: distinct victims ÷ female residents, by five-year age band (the victim's age at
    her first in-scope crime: 0-4 … 80-84, 85+) × IMD decile group of her home LSOA (1–2 most
    deprived, 3–4, 5–6, 7–8, 9–10), over the whole window; the headline is the highest cell
    (ties → the younger band, then the more deprived group). Residents are the population
    rows of the mid-year estimate nearest the middle of the window (all rows when the
    population has no year), put in bands from single ``age`` where given, else ``age_band``.
    An area with female rows uses them; an area with only ``sex = all`` rows has its residents
    estimated as all × the female share of the areas that give sex (0.51, assumed, when none
    do), and the finding says so. Victims with no known age, no home LSOA, or a home LSOA
    without an IMD decile are left out of the rates and counted. ``rate_per_year`` divides the
    rate by the window's length in years.

    Interval: exact (Garwood) Poisson limits on the victim count divided by the residents,
    residents taken as fixed.
    """
    title = "Victimisation rates by age and deprivation"
    keys = ("victimisation_rate_max",)
    definition = definition_of(victimisation_rate_max)
    missing = _unavailable(ds, victimisation_rate_max, title, keys)
    if missing is not None:
        return missing
    assert ds.victims is not None
    imd = _imd_of_lsoa(ds)
    if imd is None or not ds.has("population"):
        needs = tuple(
            n
            for n, ok in (
                ("areas.imd_decile", imd is not None),
                ("population", ds.has("population")),
            )
            if not ok
        )
        return not_available("victimisation_rate_max", title, definition, needs, keys)
    first = _with_home_imd(ds, _first_crimes(ds.victims), imd)
    counts = first.group_by(["age", "imd_group"]).aggregate(victims=first.count())
    victims: Counter[tuple[str, str]] = Counter()
    left_out = 0
    for r in rows(counts):
        band = population_band(r["age"])
        if band is None or r["imd_group"] is None:
            left_out += int(r["victims"])
        else:
            victims[(band, r["imd_group"])] += int(r["victims"])
    residents = _female_residents(ds, imd)
    years = _window_years(ds)
    table = _rate_rows(victims, residents.cells, ds.options.confidence, years)
    top = _highest_rate(table)
    headline = (
        None
        if top is None
        else {
            "age_band": top["age_band"],
            "imd_decile_group": top["imd_decile_group"],
            "rate": top["rate"],
        }
    )
    return Finding(
        id="victimisation_rate_max",
        title=title,
        definition=definition,
        summary=_rate_summary(top, residents, years),
        figures={
            "highest": None if top is None else {**top},
            "victims_placed": sum(victims.values()),
            "victims_left_out": left_out,
            "population_year": residents.year,
            "female_residents_estimated": residents.estimated,
            "female_share_used": residents.female_share,
            "female_share_source": residents.share_source,
            "window_years": years,
            "age_counted_at": "first in-scope crime",
        },
        tables={"rates": table},
        headlines={"victimisation_rate_max": headline},
    )


def _rate_summary(top: dict[str, Any] | None, residents: _Residents, years: float) -> str:
    if top is None:
        return "No age band and deprivation group has both victims and female residents."
    text = (
        f"The highest victimisation rate is among women aged {top['age_band']} living in IMD "
        f"deciles {top['imd_decile_group']}: {top['rate']:.3f} victims per female resident "
        f"over the {years:.1f}-year window (95% CI {top['low']:.3f}–{top['high']:.3f}; "
        f"{top['rate_per_year']:.3f} a year)."
    )
    if residents.estimated:
        text += (
            f" Female residents are partly estimated as {residents.female_share:.0%} of all "
            f"residents ({residents.share_source})."
        )
    return text


# --- perpetrators by age and birth cohort ---------------------------------------------------


def _perpetrators_unavailable(
    ds: Dataset,
    function: Callable[[Dataset], Finding],
    title: str,
    keys: tuple[str, ...],
    years: list[int],
) -> Finding | None:
    """Not available without perpetrators, or without a complete year to describe."""
    missing = _unavailable(ds, function, title, keys, "perpetrators")
    if missing is not None or years:
        return missing
    return not_available(
        function.__name__,
        title,
        definition_of(function),
        ("crimes.occurred_from (a complete year)",),
        keys,
    )


def _perpetrator_cells(ds: Dataset, years: list[int]) -> list[dict[str, Any]]:
    """Distinct perpetrators by (year, age, birth year, home IMD group), each once a year.

    A perpetrator's age in a year is his age at his first in-scope crime of that year.
    """
    assert ds.perpetrators is not None
    perps = ds.perpetrators.mutate(
        year=year_of(ds.perpetrators.occurred_from, ds.options.year_basis)
    )
    perps = perps.filter(perps.year.isin(years))
    yearly = perps.group_by(["person_id", "year"]).aggregate(
        first=perps.occurred_from.min(),
        birth_year=perps.birth_year.max(),
    )
    yearly = yearly.mutate(age=_known_age(yearly.first.year() - yearly.birth_year))
    yearly = _with_home_imd(ds, yearly, _imd_of_lsoa(ds))
    keys = ["year", "age", "birth_year", "imd_group"]
    return rows(yearly.group_by(keys).aggregate(perpetrators=yearly.count()))


def _tally(
    cells: Iterable[dict[str, Any]], key: Callable[[dict[str, Any]], Any]
) -> dict[int, Counter[Any]]:
    """{year: Counter(key → perpetrators)}."""
    out: dict[int, Counter[Any]] = {}
    for r in cells:
        out.setdefault(r["year"], Counter())[key(r)] += int(r["perpetrators"])
    return out


def _band_order(band: str) -> int:
    order = (UNDER_18, *PERPETRATOR_AGE_BANDS, UNKNOWN)
    return order.index(band)


def _band_rows(
    tally: dict[int, Counter[Any]], years: list[int], area: str, basis: str, confidence: float
) -> list[dict[str, Any]]:
    table = []
    for year in years:
        counts = tally.get(year, Counter())
        total = sum(counts.values())
        present = [b for b in (UNDER_18, UNKNOWN) if counts.get(b)]
        for band in sorted([*PERPETRATOR_AGE_BANDS, *present], key=_band_order):
            interval = share(counts.get(band, 0), total, confidence)
            table.append(
                {
                    "area": area,
                    "year_basis": basis,
                    "year": year,
                    "age_band": band,
                    "perpetrators": counts.get(band, 0),
                    **interval_columns(interval, "share"),
                }
            )
    return table


def leading_band(counts: Counter[Any]) -> str | None:
    """The band of ``PERPETRATOR_AGE_BANDS`` with most perpetrators; ties → the younger band."""
    bands = [b for b in PERPETRATOR_AGE_BANDS if counts.get(b)]
    if not bands:
        return None
    return max(bands, key=lambda b: (counts[b], -PERPETRATOR_AGE_BANDS.index(b)))


_AREAS: tuple[tuple[str, str | None], ...] = (
    ("all", None),
    (f"imd_{MOST_DEPRIVED}", MOST_DEPRIVED),
)


def _by_area(cells: list[dict[str, Any]], has_imd: bool) -> dict[str, list[dict[str, Any]]]:
    """The cells overall and, where areas have IMD, for homes in deciles 1–2."""
    out = {"all": cells}
    if has_imd:
        out[f"imd_{MOST_DEPRIVED}"] = [c for c in cells if c["imd_group"] == MOST_DEPRIVED]
    return out


def perpetrator_leading_age_band(ds: Dataset) -> Finding:
    """Perpetrators by age band and year.

    Definition: for each complete year (calendar, or financial April–March named by its start
    year), distinct perpetrators by age band (18-24, 25-29, 30-34, 35-39, 40-44, 45-49, 50-59,
    60+; ``under 18`` and ``unknown`` — no birth year — appear only when the scope lets them
    in), each counted once a year at his age at his first in-scope crime of that year. The
    headline is the band with the most perpetrators in the last complete year (ties → the
    younger band; ``under 18`` and ``unknown`` never lead). The table is given for all
    perpetrators and for those whose home LSOA is in IMD deciles 1–2 (where areas have IMD).

    Interval: each band's share of the year's perpetrators has a Wilson score interval.
    """
    title = "Perpetrators by age band"
    keys = ("perpetrator_leading_age_band",)
    basis = ds.options.year_basis
    years = ds.window.complete_years(basis)
    missing = _perpetrators_unavailable(ds, perpetrator_leading_age_band, title, keys, years)
    if missing is not None:
        return missing
    cells = _perpetrator_cells(ds, years)
    confidence = ds.options.confidence
    tables, leaders = {}, {}
    for area, subset in _by_area(cells, _imd_of_lsoa(ds) is not None).items():
        tally = _tally(subset, lambda r: perpetrator_band(r["age"]))
        tables[f"by_band_{area}"] = _band_rows(tally, years, area, basis, confidence)
        leaders[area] = {y: leading_band(tally.get(y, Counter())) for y in years}
    last = years[-1]
    lead = leaders["all"][last]
    lead_share = next(
        (r for r in tables["by_band_all"] if r["year"] == last and r["age_band"] == lead), None
    )
    summary = (
        f"In {_year_label(last, basis)} the {lead} age band held the most perpetrators "
        f"({lead_share['perpetrators']:,}, {lead_share['share']:.1%})."
        if lead and lead_share
        else f"No perpetrator of a known adult age in {_year_label(last, basis)}."
    )
    return Finding(
        id="perpetrator_leading_age_band",
        title=title,
        definition=definition_of(perpetrator_leading_age_band),
        summary=summary,
        figures={"year_basis": basis, "last_complete_year": last, "leading_band_by_year": leaders},
        tables=tables,
        headlines={"perpetrator_leading_age_band": lead},
    )


def _birth_year_key(r: dict[str, Any]) -> int | str:
    return r["birth_year"] if r["birth_year"] is not None else UNKNOWN


def peak_of_year(counts: Counter[Any]) -> int | None:
    """The known birth year with most perpetrators; ties → the earlier birth year."""
    known = [b for b in counts if isinstance(b, int)]
    if not known:
        return None
    return max(known, key=lambda b: (counts[b], -b))


def most_frequent_peak(peaks: dict[int, int | None]) -> int | None:
    """The birth year that peaks in most years; ties → the one peaking in the latest year."""
    found = {y: b for y, b in peaks.items() if b is not None}
    if not found:
        return None
    frequency = Counter(found.values())
    latest = {b: max(y for y, p in found.items() if p == b) for b in frequency}
    return max(frequency, key=lambda b: (frequency[b], latest[b]))


def _cohort_rows(
    tally: dict[int, Counter[Any]], years: list[int], area: str, basis: str
) -> list[dict[str, Any]]:
    table = []
    for year in years:
        counts = tally.get(year, Counter())
        known = sorted(b for b in counts if isinstance(b, int))
        for birth_year in [*known, *([UNKNOWN] if counts.get(UNKNOWN) else [])]:
            table.append(
                {
                    "area": area,
                    "year_basis": basis,
                    "year": year,
                    "birth_year": birth_year,
                    "perpetrators": counts[birth_year],
                }
            )
    return table


def peak_perpetrator_birth_year(ds: Dataset) -> Finding:
    """Perpetrators by birth year: the cohort view.

    Definition: for each complete year (calendar, or financial named by its start year), the
    birth year with the most distinct perpetrators of in-scope crimes that year (ties → the
    earlier birth year); the headline is the birth year that is the peak in the most years
    (ties → the one that is the peak in the latest year). Perpetrators with no birth year are
    shown as ``unknown`` and never peak. The table (birth year × year) is given for all
    perpetrators and for those whose home LSOA is in IMD deciles 1–2 (where areas have IMD).

    Interval: none; the peak is a description of the counts, which the table gives in full.
    """
    title = "Perpetrators by birth year"
    keys = ("peak_perpetrator_birth_year",)
    basis = ds.options.year_basis
    years = ds.window.complete_years(basis)
    missing = _perpetrators_unavailable(ds, peak_perpetrator_birth_year, title, keys, years)
    if missing is not None:
        return missing
    cells = _perpetrator_cells(ds, years)
    tables, peaks = {}, {}
    for area, subset in _by_area(cells, _imd_of_lsoa(ds) is not None).items():
        tally = _tally(subset, _birth_year_key)
        tables[f"by_birth_year_{area}"] = _cohort_rows(tally, years, area, basis)
        peaks[area] = {y: peak_of_year(tally.get(y, Counter())) for y in years}
    peak = most_frequent_peak(peaks["all"])
    times = sum(1 for b in peaks["all"].values() if b == peak)
    summary = (
        f"Men born in {peak} are the largest birth cohort of perpetrators in {times} of "
        f"{len(years)} complete {basis} years."
        if peak is not None
        else "No perpetrator in a complete year has a known birth year."
    )
    return Finding(
        id="peak_perpetrator_birth_year",
        title=title,
        definition=definition_of(peak_perpetrator_birth_year),
        summary=summary,
        figures={
            "year_basis": basis,
            "peak_by_year": peaks,
            "most_deprived_peak": most_frequent_peak(peaks.get(f"imd_{MOST_DEPRIVED}", {})),
        },
        tables=tables,
        headlines={"peak_perpetrator_birth_year": peak},
    )


# --- repeat victimisation ------------------------------------------------------------------


def _repeat_band(crimes: int) -> str:
    for label, low, high in REPEAT_BANDS:
        if crimes >= low and (high is None or crimes <= high):
            return label
    raise ValueError(f"a victim with {crimes} crimes")  # pragma: no cover - crimes ≥ 1


def repeat_victimisation(ds: Dataset) -> Finding:
    """Repeat victimisation.

    Definition: a repeat victim is a distinct victim linked to two or more in-scope crimes.
    Figures: repeat victims, their share of victims, and the share of in-scope crimes with an
    in-scope victim that have at least one repeat victim; the table gives victims by crimes
    each (1, 2, 3-4, 5-9, 10+) with their victimisations (victim–crime pairs) and shares.

    Interval: Wilson score intervals for both shares (victims, and crimes, as n).
    """
    title = "Repeat victimisation"
    missing = _unavailable(ds, repeat_victimisation, title, ())
    if missing is not None:
        return missing
    assert ds.victims is not None
    pairs = ds.victims.select("person_id", "crime_id")
    per_victim = pairs.group_by("person_id").aggregate(crimes=pairs.count())
    distribution = per_victim.group_by("crimes").aggregate(victims=per_victim.count())
    # Each pair knows how many crimes its victim has; a crime has a repeat victim when any
    # of its pairs has two or more.
    counted = pairs.mutate(victim_crimes=pairs.crime_id.count().over(group_by="person_id"))
    per_crime = counted.group_by("crime_id").aggregate(repeat=(counted.victim_crimes >= 2).any())
    crime_counts = rows(
        per_crime.aggregate(crimes=per_crime.count(), repeat=per_crime.repeat.sum())
    )[0]
    repeat_crimes, all_crimes = int(crime_counts["repeat"] or 0), int(crime_counts["crimes"])
    victims: Counter[str] = Counter()
    victimisations: Counter[str] = Counter()
    for r in rows(distribution):
        band = _repeat_band(int(r["crimes"]))
        victims[band] += int(r["victims"])
        victimisations[band] += int(r["victims"]) * int(r["crimes"])
    n_victims, n_pairs = sum(victims.values()), sum(victimisations.values())
    repeat = n_victims - victims["1"]
    confidence = ds.options.confidence
    victim_share = share(repeat, n_victims, confidence)
    crime_share = share(repeat_crimes, all_crimes, confidence)
    assert victim_share is not None and crime_share is not None
    table = [
        {
            "crimes_per_victim": label,
            "victims": victims[label],
            "share_of_victims": victims[label] / n_victims,
            "victimisations": victimisations[label],
            "share_of_victimisations": victimisations[label] / n_pairs,
        }
        for label, _, _ in REPEAT_BANDS
    ]
    return Finding(
        id="repeat_victimisation",
        title=title,
        definition=definition_of(repeat_victimisation),
        summary=(
            f"{repeat:,} victims ({victim_share['estimate']:.1%}) were victims of two or more "
            f"crimes; {crime_share['estimate']:.1%} of crimes involved a repeat victim."
        ),
        figures={
            "repeat_victims": repeat,
            "victims": n_victims,
            "share_of_victims": victim_share,
            "crimes_with_repeat_victim": repeat_crimes,
            "crimes": all_crimes,
            "share_of_crimes": crime_share,
            "share_of_victimisations": (n_pairs - victimisations["1"]) / n_pairs,
        },
        tables={"by_crimes_per_victim": table},
    )


# --- relationship and ethnicity ---------------------------------------------------------------


def _category_rows(
    counted: list[dict[str, Any]],
    role: str,
    column: str,
    vocabulary: tuple[str, ...],
    confidence: float,
    unit: str,
) -> list[dict[str, Any]]:
    """Rows in vocabulary order (unknown last) with the share of ``unit`` and its interval."""
    by_value = {r[column]: r for r in counted}
    total = sum(int(r[unit]) for r in counted)
    order = [*vocabulary, *([UNKNOWN] if UNKNOWN not in vocabulary else [])]
    table = []
    for value in order:
        r = by_value.get(value, {})
        k = int(r.get(unit, 0))
        interval = share(k, total, confidence)
        assert interval is not None
        table.append(
            {
                "role": role,
                column: value,
                "people": int(r.get("people", 0)),
                **({"links": k} if unit == "links" else {}),
                f"share_of_{unit}": interval["estimate"],
                "low": interval["low"],
                "high": interval["high"],
            }
        )
    return table


def people_by_relationship(ds: Dataset) -> Finding:
    """Victims and perpetrators by relationship.

    Definition: ``relationship`` (of the victim to the perpetrator) on each in-scope link of a
    victim, and of a perpetrator, with a missing value counted as ``unknown``. For each role
    and relationship: the distinct people with at least one such link (a person can appear
    under several relationships) and the links (person–crime pairs; a perpetrator linked to a
    crime both as suspect and as offender once) with their share of the role's links.

    Interval: Wilson score interval for each share of links (links taken as independent).
    """
    title = "Victims and perpetrators by relationship"
    definition = definition_of(people_by_relationship)
    missing = _unavailable(ds, people_by_relationship, title, ())
    if missing is not None:
        return missing
    if not ds.has("crime_persons", "relationship"):
        return not_available(
            "people_by_relationship", title, definition, ("crime_persons.relationship",)
        )
    assert ds.victims is not None and ds.perpetrators is not None
    table: list[dict[str, Any]] = []
    sides: tuple[tuple[Side, ir.Table], ...] = (
        ("victim", ds.victims),
        ("perpetrator", ds.perpetrators),
    )
    for role, people in sides:
        people = ds.details(people, role, "relationship")
        links = people.select(
            "person_id", "crime_id", relationship=people.relationship.fill_null(UNKNOWN)
        ).distinct()
        counted = links.group_by("relationship").aggregate(
            links=links.count(), people=links.person_id.nunique()
        )
        table += _category_rows(
            rows(counted), role, "relationship", RELATIONSHIPS, ds.options.confidence, "links"
        )
    known = [r for r in table if r["role"] == "victim" and r["relationship"] != UNKNOWN]
    main = max(known, key=lambda r: (r["links"], -RELATIONSHIPS.index(r["relationship"])))
    summary = (
        f"The most common relationship of victim to perpetrator is "
        f"{main['relationship'].replace('_', ' ')} ({main['share_of_links']:.1%} of "
        "victims' links to crimes)."
        if main["links"]
        else "No victim's link to a crime has a known relationship."
    )
    return Finding(
        id="people_by_relationship",
        title=title,
        definition=definition,
        summary=summary,
        tables={"by_relationship": table},
    )


def people_by_ethnicity(ds: Dataset) -> Finding:
    """Victims and perpetrators by ethnicity.

    Definition: distinct in-scope victims, and distinct in-scope perpetrators, by
    ``persons.ethnicity`` (ONS 5+1 groups; a missing value counted as ``unknown``), with each
    group's share of the role's people. Rates per resident are not computed: the contract's
    population table has no ethnicity, and the finding says so.

    Interval: Wilson score interval for each share.
    """
    title = "Victims and perpetrators by ethnicity"
    definition = definition_of(people_by_ethnicity)
    missing = _unavailable(ds, people_by_ethnicity, title, ())
    if missing is not None:
        return missing
    if not ds.has("persons", "ethnicity"):
        return not_available("people_by_ethnicity", title, definition, ("persons.ethnicity",))
    assert ds.victims is not None and ds.perpetrators is not None
    table: list[dict[str, Any]] = []
    ethnicity_of = ds.table("persons").select("person_id", "ethnicity")
    for role, people in (("victim", ds.victims), ("perpetrator", ds.perpetrators)):
        persons = people.select("person_id").distinct().join(ethnicity_of, "person_id")
        persons = persons.mutate(ethnicity=persons.ethnicity.fill_null(UNKNOWN))
        counted = persons.group_by("ethnicity").aggregate(people=persons.count())
        table += _category_rows(
            rows(counted), role, "ethnicity", ETHNICITIES, ds.options.confidence, "people"
        )
    stated = [
        r for r in table if r["role"] == "victim" and r["ethnicity"] not in ("not_stated", UNKNOWN)
    ]
    stated_total = sum(r["people"] for r in stated)
    main = max(stated, key=lambda r: (r["people"], -ETHNICITIES.index(r["ethnicity"])))
    note = (
        "Rates by ethnicity are not computed: the population table has no ethnicity "
        "(data contract v1)."
    )
    main_words = (
        f"{main['people'] / stated_total:.1%} of victims with a stated ethnicity are "
        f"{main['ethnicity']}. "
        if stated_total
        else "No victim has a stated ethnicity. "
    )
    return Finding(
        id="people_by_ethnicity",
        title=title,
        definition=definition,
        summary=main_words + note,
        figures={"rates": None, "rates_note": note},
        tables={"by_ethnicity": table},
    )


ANALYSES: tuple[Callable[[Dataset], Finding], ...] = (
    victims_by_group_by_year,
    victim_peak_age_window,
    victims_by_age_with_under_18_perpetrators,
    victimisation_rate_max,
    repeat_victimisation,
    perpetrator_leading_age_band,
    peak_perpetrator_birth_year,
    people_by_relationship,
    people_by_ethnicity,
)

__all__ = [f.__name__ for f in ANALYSES] + [
    "leading_band",
    "most_frequent_peak",
    "peak_of_year",
    "peak_window",
    "perpetrator_band",
    "population_band",
]
