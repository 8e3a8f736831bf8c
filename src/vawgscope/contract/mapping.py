"""Mapping files: how an export's own columns and values become the contract's.

A mapping is YAML. Under ``tables:``, each contract table may say where its data is and how
to read it::

    tables:
      crimes:
        files: ["crime_export_*.csv"]   # default: crimes.csv or crimes.parquet
        encoding: latin-1               # CSV only; default utf-8
        delimiter: ";"                  # CSV only; default ","
        columns:                        # contract column: export column
          crime_id: URN
          recorded_date: Date Recorded
        formats:                        # strptime formats of date and time columns
          recorded_date: "%d/%m/%Y"
        recode:                         # export value: contract value, per column
          domestic: {"Y": true, "N": false}
          offence_group: {"Rape of a female aged 16 or over": rape}
        defaults:                       # used where a column is missing or empty
          location_type: unknown

Export columns that the mapping does not name keep their names, so an export that already
uses contract names needs no mapping.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from vawgscope.contract.tables import SURVEY_RESPONSES, TABLES

_KNOWN_TABLES = {**TABLES, SURVEY_RESPONSES.name: SURVEY_RESPONSES}
_TABLE_KEYS = {"files", "encoding", "delimiter", "columns", "formats", "recode", "defaults"}


class MappingError(ValueError):
    """A mapping file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class TableMapping:
    """How one contract table is read from an export."""

    files: tuple[str, ...] = ()
    encoding: str = "utf-8"
    delimiter: str = ","
    columns: dict[str, str] = field(default_factory=dict)
    formats: dict[str, str] = field(default_factory=dict)
    recode: dict[str, dict[str, str]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)

    def source_of(self, column: str) -> str | None:
        """The export column that feeds contract ``column``.

        A mapped column comes from its export column; an unmapped one from the export column
        of the same name, unless the mapping already sends that column elsewhere.
        """
        if column in self.columns:
            return self.columns[column]
        if column in self.columns.values():
            return None
        return column


@dataclass(frozen=True)
class Mapping:
    """A whole mapping file: one :class:`TableMapping` per table it mentions."""

    tables: dict[str, TableMapping] = field(default_factory=dict)
    path: Path | None = None

    def for_table(self, name: str) -> TableMapping:
        return self.tables.get(name, TableMapping())


def _scalar(value: Any) -> str:
    """A scalar as the text a CSV would hold (for mappings built in Python with real bools)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _string_map(raw: Any, where: str) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise MappingError(
            f"{where} must be a mapping of names to values, got {type(raw).__name__}"
        )
    return {_scalar(k): _scalar(v) for k, v in raw.items()}


def _table_mapping(name: str, raw: Any, where: str) -> TableMapping:
    if not isinstance(raw, dict):
        raise MappingError(f"{where} must be a mapping, got {type(raw).__name__}")
    unknown = set(raw) - _TABLE_KEYS
    if unknown:
        raise MappingError(
            f"{where}: unknown key(s) {sorted(unknown)}; expected {sorted(_TABLE_KEYS)}"
        )
    table = _KNOWN_TABLES[name]
    files = raw.get("files", ())
    if isinstance(files, str):
        files = (files,)
    recode_raw = raw.get("recode") or {}
    if not isinstance(recode_raw, dict):
        raise MappingError(f"{where}.recode must map column names to value mappings")
    recode: dict[str, dict[str, str]] = {}
    for column, values in recode_raw.items():
        recode[column] = _string_map(values, f"{where}.recode.{column}")
        contract_column = table.columns_by_name.get(column)
        if (
            contract_column is not None
            and contract_column.vocabulary
            and contract_column.kind == "enum"
        ):
            bad = sorted(
                v
                for v in recode[column].values()
                if v.lower() not in {x.lower() for x in contract_column.vocabulary}
            )
            if bad:
                raise MappingError(
                    f"{where}.recode.{column}: {bad} not in the contract's values "
                    f"({', '.join(contract_column.vocabulary)})"
                )
    delimiter = _scalar(raw.get("delimiter", ","))
    if len(delimiter) != 1:
        raise MappingError(f"{where}.delimiter must be one character, got {delimiter!r}")
    return TableMapping(
        files=tuple(str(f) for f in files),
        encoding=_scalar(raw.get("encoding", "utf-8")),
        delimiter=delimiter,
        columns=_string_map(raw.get("columns"), f"{where}.columns"),
        formats=_string_map(raw.get("formats"), f"{where}.formats"),
        recode=recode,
        defaults=_string_map(raw.get("defaults"), f"{where}.defaults"),
    )


def parse_mapping(data: Any, source: str = "mapping") -> Mapping:
    """Build a :class:`Mapping` from parsed YAML, raising :class:`MappingError` on any misuse."""
    if data is None:
        return Mapping()
    if not isinstance(data, dict) or set(data) - {"tables", "description"}:
        raise MappingError(f"{source}: expected top-level keys 'tables' (and 'description')")
    tables_raw = data.get("tables") or {}
    if not isinstance(tables_raw, dict):
        raise MappingError(f"{source}: 'tables' must map table names to settings")
    tables = {}
    for name, raw in tables_raw.items():
        if name not in _KNOWN_TABLES:
            raise MappingError(
                f"{source}: unknown table {name!r}; expected one of {', '.join(_KNOWN_TABLES)}"
            )
        tables[name] = _table_mapping(name, raw, f"{source}: tables.{name}")
    return Mapping(tables)


def load_mapping(path: Path) -> Mapping:
    """Read a YAML mapping file."""
    try:
        # BaseLoader keeps every scalar as text, so `Yes: true` maps the string "Yes".
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    except (OSError, yaml.YAMLError) as error:
        raise MappingError(f"{path}: cannot read the mapping file: {error}") from None
    mapping = parse_mapping(data, str(path))
    return Mapping(mapping.tables, path)
