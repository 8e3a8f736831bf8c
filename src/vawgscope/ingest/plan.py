"""Planning an ingest before any data moves: which files, which columns, what is missing.

Everything that would stop the run (no crimes table, a missing required column, an unreadable
file) is found here, so a failing ingest stops in seconds with one clear message.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from vawgscope.contract.mapping import Mapping, TableMapping
from vawgscope.contract.tables import PERSON_TABLES, TABLES, Table
from vawgscope.ingest.sources import IngestError, SourceFile, describe, find_files
from vawgscope.ingest.sql import ident

#: Export names for a date of birth that are read into birth_year (and reduced to the year).
DATE_OF_BIRTH_NAMES = ("date_of_birth", "dob", "birth_date")


@dataclass(frozen=True)
class TablePlan:
    """How one table will be read: its files, the source of each contract column, its extras."""

    table: Table
    mapping: TableMapping
    sources: tuple[SourceFile, ...]
    present: frozenset[str]
    extras: tuple[str, ...]

    @property
    def raw_columns(self) -> tuple[str, ...]:
        """Every column of every file, in first-seen order."""
        return tuple(all_columns_ordered(self.sources))

    def rename_select(self) -> str:
        """SELECT list turning staged raw columns into contract names (and kept extras)."""
        parts = ["_file", "_row"]
        parts += [
            f"{ident(str(self.mapping.source_of(c)))} AS {ident(c)}" for c in sorted(self.present)
        ]
        parts += [ident(x) for x in self.extras]
        return ", ".join(parts)


@dataclass(frozen=True)
class IngestPlan:
    """The tables to load, in dependency order, and the dataset's tier."""

    data_dir: Path
    tables: tuple[TablePlan, ...]
    crimes_only: bool


def _with_date_of_birth(table: Table, mapping: TableMapping, columns: set[str]) -> TableMapping:
    if table.name != "persons" or "birth_year" in mapping.columns or "birth_year" in columns:
        return mapping
    for name in DATE_OF_BIRTH_NAMES:
        if name in columns:
            return TableMapping(
                mapping.files,
                mapping.encoding,
                mapping.delimiter,
                {**mapping.columns, "birth_year": name},
                mapping.formats,
                mapping.recode,
                mapping.defaults,
            )
    return mapping


def _plan_table(
    table: Table, mapping: TableMapping, sources: list[SourceFile], crimes_only: bool
) -> TablePlan:
    all_columns: set[str] = set()
    for source in sources:
        all_columns.update(source.columns)
    mapping = _with_date_of_birth(table, mapping, all_columns)
    candidates = list(table.column_names) + [n for group in table.lat_lon for n in group[:2]]
    for source in sources:
        present_here = {c for c in candidates if mapping.source_of(c) in source.columns}
        for column in table.columns:
            if not column.required or column.name in present_here:
                continue
            if column.name in mapping.defaults:
                continue
            if crimes_only and table.name == "crimes" and column.name == "domestic":
                continue
            mapped = mapping.source_of(column.name)
            via = f" (mapped from {mapped!r})" if mapped != column.name else ""
            raise IngestError(
                f"{source.path}: missing required column {column.name!r}{via} — "
                f"{column.meaning}. Columns found: {', '.join(source.columns)}. "
                "Rename it in the export or map it with --mapping FILE.yaml."
            )
        for alternatives in table.one_of:
            if not any(all(c in present_here for c in alt) for alt in alternatives):
                options = " or ".join("+".join(alt) for alt in alternatives)
                raise IngestError(f"{source.path}: needs the column(s) {options}")
    present = frozenset(c for c in candidates if mapping.source_of(c) in all_columns)
    used = {mapping.source_of(c) for c in present}
    # Person tables keep contract columns only: extra columns there may identify people.
    extras = (
        ()
        if table.privacy == "person"
        else tuple(
            c for c in all_columns_ordered(sources) if c not in used and not c.startswith("_")
        )
    )
    return TablePlan(table, mapping, tuple(sources), present, extras)


def all_columns_ordered(sources: tuple[SourceFile, ...] | list[SourceFile]) -> list[str]:
    seen: dict[str, None] = {}
    for source in sources:
        seen.update(dict.fromkeys(source.columns))
    return list(seen)


def plan_ingest(data_dir: Path, mapping: Mapping, con: duckdb.DuckDBPyConnection) -> IngestPlan:
    """Find and describe every table's files under ``data_dir``; raise on anything fatal."""
    if not data_dir.is_dir():
        raise IngestError(f"{data_dir}: not a folder; point ingest at the folder of table files")
    files = {name: find_files(data_dir, name, mapping.for_table(name)) for name in TABLES}
    if not files["crimes"]:
        raise IngestError(
            f"{data_dir}: no crimes table (expected crimes.csv or crimes.parquet, "
            "or `files:` for crimes in a mapping)"
        )
    has_people = [name for name in PERSON_TABLES if files[name]]
    if len(has_people) == 1:
        missing = next(n for n in PERSON_TABLES if n not in has_people)
        raise IngestError(
            f"{data_dir}: {has_people[0]} is given without {missing}; a full dataset needs "
            "crimes, persons and crime_persons (a crimes-only dataset has crimes alone)"
        )
    crimes_only = not has_people
    plans = []
    for name, table in TABLES.items():
        if not files[name]:
            continue
        table_mapping = mapping.for_table(name)
        sources = [describe(con, path, table_mapping) for path in files[name]]
        plans.append(_plan_table(table, table_mapping, sources, crimes_only))
    return IngestPlan(data_dir, tuple(plans), crimes_only)
