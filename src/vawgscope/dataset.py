"""The dataset an analysis takes: the store's tables with the run's scope applied once.

Scope (``problem-profile.md``, "Conventions every analysis shares"): a crime is in scope when
at least one linked victim and at least one linked perpetrator pass the person filters; while
a perpetrator filter is on, a crime with no linked perpetrator is out of scope (and likewise
for victims while the victim filter is on). Victim and perpetrator counts count the people who
pass the filters, linked to in-scope crimes. Age at the offence is the calendar year of
``occurred_from`` minus ``birth_year``; a person with no birth year fails an age filter.

In a crimes-only dataset (no persons) the person filters do not apply and every crime of the
chosen publisher types is in scope.

The in-scope crimes, victims and perpetrators are computed once, in the engine, and kept as
temporary tables; every analysis reads the same ones.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Literal

import ibis
import ibis.expr.types as ir
from ibis.backends import BaseBackend

from vawgscope.contract.harm import HarmWeights, default_harm_weights
from vawgscope.contract.vocab import PERPETRATOR_ROLES
from vawgscope.options import Options, Scope
from vawgscope.store import Backend, StoreInfo, connect, materialise, read_info, store_table

_counter = itertools.count(1)

#: The columns that name a link of a person to a crime.
_KEYS = ("crime_id", "person_id")
#: Which people a table holds: victims or perpetrators (suspects and offenders).
Side = Literal["victim", "perpetrator"]


class DatasetError(ValueError):
    """A scope that the data cannot support (e.g. a district filter without areas)."""


@dataclass(frozen=True)
class Window:
    """The span of in-scope ``occurred_from`` and the complete months and years inside it.

    A month is complete when all its days lie inside the window and the dataset holds data
    for it: ``months_present`` names the ``YYYY-MM`` months with any crime in the store,
    whatever the scope (``None``: every month), so a month the files lack is a gap, never a
    complete month of no crimes. When the last ``occurred_from`` is a month-level record
    (``month_precision``: e.g. police.uk dates every crime to the 1st of its month) its data
    cover the whole month, so the last month is complete too. A year is complete when all
    its 12 months are. "now" is the last ``occurred_from``.
    """

    first: datetime | None
    last: datetime | None
    months_present: frozenset[str] | None = None
    month_precision: bool = False

    @property
    def now(self) -> datetime | None:
        return self.last

    @property
    def empty(self) -> bool:
        return self.first is None or self.last is None

    def complete_months(self) -> list[str]:
        """``YYYY-MM`` of every month present whose first and last days lie inside the window
        (the last month too when it ends on month-level records)."""
        if self.empty:
            return []
        assert self.first is not None and self.last is not None
        first_day, last_day = self.first.date(), self.last.date()
        months = []
        year, month = first_day.year, first_day.month
        while (year, month) <= (last_day.year, last_day.month):
            name = f"{year:04d}-{month:02d}"
            start = date(year, month, 1)
            covered = _month_end(year, month) <= last_day or (
                self.month_precision and (year, month) == (last_day.year, last_day.month)
            )
            present = self.months_present is None or name in self.months_present
            if start >= first_day and covered and present:
                months.append(name)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months

    def last_complete_months(self, n: int = 12) -> list[str]:
        """The complete months among the ``n`` calendar months ending at the last complete one
        (fewer when months are missing or the data is short)."""
        months = self.complete_months()
        if not months:
            return []
        last = _month_number(months[-1])
        return [m for m in months if _month_number(m) > last - n]

    def complete_years(self, basis: str = "calendar") -> list[int]:
        """Years whose 12 months are all complete: calendar years, or financial years
        (April–March) named by their start year."""
        if self.empty:
            return []
        assert self.first is not None and self.last is not None
        complete = {_month_number(m) for m in self.complete_months()}
        start_month = 4 if basis == "financial" else 1
        years = []
        for year in range(self.first.year - 1, self.last.year + 1):
            start = year * 12 + start_month - 1
            if all(start + k in complete for k in range(12)):
                years.append(year)
        return years


def _month_number(month: str) -> int:
    """Months since year 0 of a ``YYYY-MM`` month (consecutive months differ by 1)."""
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def _month_end(year: int, month: int) -> date:
    following = date(year + (month == 12), month % 12 + 1, 1)
    return following - timedelta(days=1)


@dataclass
class _Shared:
    """What a dataset and its variants share: the people joined per set of crime filters,
    which store columns hold any value, and the months the store holds data for."""

    people: dict[tuple[object, ...], ir.Table] = field(default_factory=dict)
    has: dict[tuple[str, str], bool] = field(default_factory=dict)
    months_present: frozenset[str] | None = None


def _crime_filters(scope: Scope) -> tuple[object, ...]:
    """The scope's filters on crimes (everything but the person filters)."""
    person_filters = {"victim_sex", "perpetrator_sex", "perpetrator_min_age"}
    return tuple(
        (f.name, getattr(scope, f.name)) for f in fields(scope) if f.name not in person_filters
    )


def _date_filter(scope: Scope) -> Callable[[ir.TimestampValue], ir.BooleanValue]:
    """Whether an ``occurred_from`` lies in the scope's dates (both ends inclusive, by day)."""

    def inside(when: ir.TimestampValue) -> ir.BooleanValue:
        ok: ir.BooleanValue = ibis.literal(True)
        if scope.date_from is not None:
            ok &= when >= ibis.timestamp(scope.date_from.isoformat())
        if scope.date_to is not None:
            ok &= when < ibis.timestamp((scope.date_to + timedelta(days=1)).isoformat())
        return ok

    return inside


def _narrows(outer: Scope, inner: Scope) -> bool:
    """Whether ``inner`` is ``outer`` with the same or narrower dates and nothing else changed."""
    same_otherwise = replace(inner, date_from=outer.date_from, date_to=outer.date_to) == outer
    starts_inside = outer.date_from is None or (
        inner.date_from is not None and inner.date_from >= outer.date_from
    )
    ends_inside = outer.date_to is None or (
        inner.date_to is not None and inner.date_to <= outer.date_to
    )
    return same_otherwise and starts_inside and ends_inside


class Dataset:
    """A store seen through one scope. Build it with :meth:`open` or :meth:`with_scope`.

    Attributes are Ibis expressions: ``crimes`` (in-scope crimes), ``victims`` and
    ``perpetrators`` (one row per in-scope crime and person of that side: ``crime_id``,
    ``person_id``, the person's ``sex`` and ``birth_year``, the crime's ``occurred_from`` and
    ``age_at_offence``; a person linked to a crime in two roles, e.g. suspect and offender,
    appears once), :meth:`details` for the people's other columns, and :meth:`table` for any
    other store table.
    """

    def __init__(
        self,
        con: BaseBackend,
        info: StoreInfo,
        options: Options,
        harm_weights: HarmWeights | None = None,
        *,
        _shared: _Shared | None = None,
        _keep_tables: bool = True,
        _within: Dataset | None = None,
    ) -> None:
        self.con = con
        self.info = info
        self.options = options
        #: The harm weights of this run: the user's file, else the documented defaults.
        self.harm_weights = harm_weights or default_harm_weights()
        self.crimes_only = info.crimes_only
        self._cache: dict[str, ir.Table] = {}
        self._counts: dict[str, int | None] | None = None
        self._shared = _shared or _Shared()
        self._keep_tables = _keep_tables
        if _within is not None and _narrows(_within.scope, options.scope):
            self._scope_within(_within)
        else:
            self._build_scope()

    # --- construction ---------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        store: Path,
        options: Options | None = None,
        *,
        backend: Backend = "duckdb",
        spark_master: str | None = None,
        harm_weights: HarmWeights | None = None,
    ) -> Dataset:
        """Open the store at ``store`` and apply ``options.scope``."""
        info = read_info(store)
        con = connect(store, backend, spark_master)
        return cls(con, info, options or Options(), harm_weights)

    def with_scope(self, scope: Scope, *, keep_tables: bool = True) -> Dataset:
        """The same store under another scope (a declared variant of a finding).

        A variant that changes only the person filters (sex, minimum age) reuses this
        dataset's join of links, persons and crimes instead of building it again; one that
        only narrows the dates is this dataset's tables filtered to them (the scope's filters
        are per crime). With ``keep_tables=False`` only the in-scope crime ids are kept and the
        crimes and links are read through them: cheaper for a variant that a finding queries
        once or twice.
        """
        options = Options(**{**self.options.__dict__, "scope": scope})
        return Dataset(
            self.con,
            self.info,
            options,
            self.harm_weights,
            _shared=self._shared,
            _keep_tables=keep_tables,
            _within=self,
        )

    @property
    def scope(self) -> Scope:
        return self.options.scope

    # --- tables ---------------------------------------------------------------------------

    def has(self, table: str, column: str | None = None) -> bool:
        """Whether the store has ``table`` (and, if given, a column of it with any value)."""
        if table not in self.info.tables:
            return False
        if column is None:
            return True
        known = self._shared.has
        if (table, column) not in known:
            t = self.table(table)
            known[(table, column)] = column in t.columns and bool(
                t[column].notnull().any().execute()
            )
        return known[(table, column)]

    def table(self, name: str) -> ir.Table:
        """A store table as it was ingested (no scope applied)."""
        if name not in self.info.tables:
            raise DatasetError(f"the dataset has no {name} table")
        return store_table(self.con, name)

    def cached(self, key: str, build: Callable[[], ir.Table]) -> ir.Table:
        """A working table built once per dataset and kept in the engine.

        For intermediate results several analyses read (e.g. aoristic hour weights), so the
        engine computes them once instead of once per analysis.
        """
        if key not in self._cache:
            self._cache[key] = self._materialise(build(), "cache")
        return self._cache[key]

    def _kept(self, expr: ir.Table, stem: str) -> ir.Table:
        """A scope table: written once, or left as a query when the tables are not kept."""
        return self._materialise(expr, stem) if self._keep_tables else expr

    def _materialise(self, expr: ir.Table, stem: str) -> ir.Table:
        return materialise(self.con, f"_{stem}_{next(_counter)}", expr)

    def _build_scope(self) -> None:
        scope = self.scope
        crimes = self.table("crimes")
        crimes = crimes.filter(_date_filter(scope)(crimes.occurred_from))
        if scope.domestic == "domestic":
            crimes = crimes.filter(crimes.domestic)
        elif scope.domestic == "non_domestic":
            crimes = crimes.filter(~crimes.domestic)
        if scope.offence_groups:
            crimes = crimes.filter(crimes.offence_group.isin(scope.offence_groups))
        if scope.districts:
            if not self.has("areas"):
                raise DatasetError("a district filter needs areas.district (no areas table)")
            areas = self.table("areas")
            chosen = areas.filter(areas.district.isin(scope.districts)).select("lsoa_code")
            crimes = crimes.semi_join(chosen, "lsoa_code")
        if self.crimes_only:
            typed = self.table("crimes").crime_type.isin(scope.crime_types).any().execute()
            if typed:
                crimes = crimes.filter(crimes.crime_type.isin(scope.crime_types))
            self.crimes = self._kept(crimes, "scope_crimes")
            self.victims = None
            self.perpetrators = None
        else:
            self._scope_people(crimes)

    def _scope_within(self, outer: Dataset) -> None:
        """The outer dataset's crimes and people whose crime began inside this scope's dates."""
        when = _date_filter(self.scope)
        self.crimes = outer.crimes.filter(when(outer.crimes.occurred_from))
        self.victims = self.perpetrators = None
        if outer.victims is not None and outer.perpetrators is not None:
            self.victims = outer.victims.filter(when(outer.victims.occurred_from))
            self.perpetrators = outer.perpetrators.filter(when(outer.perpetrators.occurred_from))

    def _scope_people(self, crimes: ir.Table) -> None:
        scope = self.scope
        people = self._linked_people(crimes)
        is_victim = people.role == "victim"
        if scope.victim_sex is not None:
            is_victim &= people.sex == scope.victim_sex
        is_perp = people.role.isin(PERPETRATOR_ROLES)
        if scope.perpetrator_sex is not None:
            is_perp &= people.sex == scope.perpetrator_sex
        if scope.perpetrator_min_age is not None:
            is_perp &= people.age_at_offence >= scope.perpetrator_min_age
        candidates = people.filter(is_victim | is_perp).mutate(_victim=is_victim)
        in_scope = crimes
        if scope.victim_filter_on or scope.perpetrator_filter_on:
            picked = candidates.group_by("crime_id").aggregate(
                has_victim=candidates._victim.any(), has_perp=(~candidates._victim).any()
            )
            if scope.victim_filter_on:
                picked = picked.filter(picked.has_victim)
            if scope.perpetrator_filter_on:
                picked = picked.filter(picked.has_perp)
            ids = picked.select("crime_id")
            if not self._keep_tables:
                ids = self._materialise(ids, "scope_ids")
            in_scope = crimes.semi_join(ids, "crime_id")
        self.crimes = self._kept(in_scope, "scope_crimes")
        # A man linked to a crime as suspect and as offender is one perpetrator of it: the
        # roles are dropped and the pair kept once, here rather than in every analysis (no
        # need when ingest found no such pair).
        people_in_scope = candidates.semi_join(self.crimes.select("crime_id"), "crime_id")
        people_in_scope = people_in_scope.drop("role")
        if self.info.perpetrators_in_two_roles:
            people_in_scope = people_in_scope.distinct()
        linked = self._kept(people_in_scope, "scope_links")
        # Both sides are kept in one table: reading one is a filter on it, cheaper than
        # writing the two apart.
        self.victims = linked.filter(linked._victim).drop("_victim")
        self.perpetrators = linked.filter(~linked._victim).drop("_victim")

    def _linked_people(self, crimes: ir.Table) -> ir.Table:
        """Every link of the crimes that pass the scope's crime filters, with the few columns
        the person filters need (``role``, ``sex``, ``birth_year``, ``occurred_from``,
        ``age_at_offence``).

        The three-way join of links, persons and crimes runs once and is kept, for this scope
        and for any variant with the same crime filters; the people's other columns are joined
        only by the analyses that read them (:meth:`details`).
        """
        key = _crime_filters(self.scope)
        if key not in self._shared.people:
            links = self.table("crime_persons").select("crime_id", "person_id", "role")
            persons = self.table("persons").select("person_id", "sex", "birth_year")
            when = crimes.select("crime_id", "occurred_from")
            people = links.join(persons, "person_id").join(when, "crime_id")
            people = people.mutate(age_at_offence=people.occurred_from.year() - people.birth_year)
            self._shared.people[key] = self._materialise(people, "scope_people")
        return self._shared.people[key]

    def details(self, people: ir.Table, side: Side, *columns: str) -> ir.Table:
        """``people`` (rows of ``victims`` or ``perpetrators``, as ``side`` says) with the
        named further ``columns`` of the person's record (``persons``: home, ethnicity) and of
        their links to the crime (``crime_persons``: same address, relationship); only the
        tables holding them are joined.

        One row per link when a link column is asked for: a man linked to a crime as suspect
        and as offender has two, which may differ in their link columns.
        """
        links, persons = self.table("crime_persons"), self.table("persons")
        from_links = [c for c in columns if c in links.columns and c not in ("role", *_KEYS)]
        from_persons = [c for c in columns if c in persons.columns and c not in from_links]
        unknown = set(columns) - set(from_links) - set(from_persons)
        if unknown:
            raise DatasetError(f"no person or link column {sorted(unknown)}")
        joined = people
        if from_links:
            roles = ("victim",) if side == "victim" else PERPETRATOR_ROLES
            side_links = links.filter(links.role.isin(roles)).select(*_KEYS, *from_links)
            joined = joined.left_join(side_links, list(_KEYS))
        if from_persons:
            joined = joined.left_join(persons.select("person_id", *from_persons), "person_id")
        return joined.select(*people.columns, *from_links, *from_persons)

    @functools.cached_property
    def window(self) -> Window:
        """The in-scope span, the months the store holds data for, and whether the last
        ``occurred_from`` is a month-level record."""
        crimes = self.crimes
        span = crimes.aggregate(
            first=crimes.occurred_from.min(),
            last=crimes.occurred_from.max(),
            last_month_level=crimes.occurred_from.max(where=crimes.time_precision == "month"),
        )
        row = span.to_pyarrow().to_pylist()[0]
        first, last = row["first"], row["last"]
        return Window(
            first,
            last,
            self._months_present(),
            last is not None and row["last_month_level"] == last,
        )

    def _months_present(self) -> frozenset[str]:
        """``YYYY-MM`` of every month with any stored crime, whatever the scope: a month with
        data but no in-scope crime is a month of zero, not a gap in the files."""
        if self._shared.months_present is None:
            stored = self.table("crimes")
            months = stored.occurred_from.strftime("%Y-%m").collect(distinct=True)
            self._shared.months_present = frozenset(months.execute() or ())
        return self._shared.months_present

    # --- summaries ------------------------------------------------------------------------

    def counts(self) -> dict[str, int | None]:
        """In-scope crimes, distinct victims and distinct perpetrators (None when no persons).

        Counted once per dataset: the profile's dataset section and its findings share them.
        """
        if self._counts is None:
            crimes = int(self.crimes.count().execute())
            if self.victims is None or self.perpetrators is None:
                self._counts = {"crimes": crimes, "victims": None, "perpetrators": None}
            else:
                self._counts = {
                    "crimes": crimes,
                    "victims": int(self.victims.person_id.nunique().execute()),
                    "perpetrators": int(self.perpetrators.person_id.nunique().execute()),
                }
        return dict(self._counts)


__all__ = ["Dataset", "DatasetError", "Side", "Window"]
