"""Reading data.police.uk files as published: monthly street files joined with outcomes files.

A police.uk download is a folder of month folders, each holding ``YYYY-MM-FORCE-street.csv``
(one row per crime or anti-social behaviour incident, with the standard 12-column header)
and, when asked for, ``YYYY-MM-FORCE-outcomes.csv`` (one row per outcome recorded in that
month, for crimes of any earlier month). Point the ingest at the top folder with
``format="police-uk"``; files are found in it and in every folder below it. Context tables
in the contract's shape (``areas``, ``population``, ``premises``, ``weather``, ``periods``,
e.g. written by ``vawgscope context build``) are read when one copy of each lies anywhere in
the same tree, and so is an ``lsoa_editions.csv`` (``from_code,to_code``) that puts the
crimes' LSOA codes on the areas' edition.

Each street row becomes one contract ``crimes`` row or one reject with its reason:

* dates are the month (``recorded_date`` = ``occurred_from`` = its first day,
  ``time_precision`` = ``month``); ``crime_type`` is the police.uk category, kept as given;
  ``offence_group`` is ``robbery`` for Robbery and ``other`` for everything else (police.uk
  has no VAWG groups); ``location_type`` is ``unknown``; latitude/longitude become BNG.
* the outcome is the latest one in the outcomes files (by their ``Month``; in one month,
  the lowest ``precedence`` of ``contract/police_uk_outcomes.csv`` — a charge outranks an
  out-of-court disposal, which outranks closure — then the last row of the last file). A
  crime with no row there keeps its street file's ``Last outcome category``, with no date.
  The category maps onto ``outcome_code`` through the same table (only where it is one Home
  Office outcome type or follows from one); ``outcome_type`` keeps the category,
  ``outcome_group`` its group and ``outcome_source`` where it came from.
* a row with an empty ``Crime ID`` (anti-social behaviour is published without one) is
  rejected: it cannot be told apart from others or joined to an outcome.
* a row whose ``Falls within`` or ``Reported by`` is not the dataset's force (the force of
  most rows) is rejected: a file of another force was mixed into the folder.
* police.uk publishes a few Crime IDs twice with different details. One row is kept: a row
  with a location before one without, then the earliest month, then the first row by file
  and row number; the others are rejected, naming the row kept.

Files that are not valid UTF-8 are read as Latin-1 and named in the run's warnings.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from vawgscope.context.editions import EDITIONS_FILE
from vawgscope.contract.mapping import Mapping, TableMapping
from vawgscope.contract.outcomes import police_uk_outcomes
from vawgscope.contract.tables import CRIMES, PERSON_TABLES, TABLES
from vawgscope.ingest.plan import IngestPlan, TablePlan, _plan_table
from vawgscope.ingest.sources import IngestError, SourceFile, describe, find_files, stage
from vawgscope.ingest.sql import ident, literal

STREET_PATTERN = "-street.csv"
OUTCOMES_PATTERN = "-outcomes.csv"
#: The columns street and outcomes files share, in the order both publish them.
_SHARED_COLUMNS: tuple[str, ...] = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
)
#: The standard street header; ``Context`` may be absent from old files.
STREET_COLUMNS: tuple[str, ...] = (
    *_SHARED_COLUMNS,
    "Crime type",
    "Last outcome category",
    "Context",
)
STREET_OPTIONAL: tuple[str, ...] = ("Context",)
OUTCOME_COLUMNS: tuple[str, ...] = (*_SHARED_COLUMNS, "Outcome type")
OUTCOME_REQUIRED: tuple[str, ...] = ("Crime ID", "Month", "Outcome type")
#: Rejects of outcomes-file rows that the CSV reader could not read.
OUTCOME_REJECTS = "police_uk_outcomes"
#: Contract tables a police.uk folder may carry beside the police files.
CONTEXT_TABLES: tuple[str, ...] = tuple(
    name for name in TABLES if name != "crimes" and name not in PERSON_TABLES
)

NO_CRIME_ID = (
    "crime_id: no Crime ID (police.uk publishes anti-social behaviour without one; such a "
    "row cannot be told apart from others or joined to an outcome)"
)
DUPLICATE_PREFIX = "crime_id: Crime ID published more than once"
FOREIGN_PREFIX = "falls_within: a row of another force"
#: Extra columns kept on every crime (the rest of the street row and the outcome's origin).
EXTRAS: tuple[str, ...] = (
    "location",
    "lsoa_name",
    "lsoa_code_published",
    "falls_within",
    "reported_by",
    "last_outcome_category",
    "outcome_type",
    "outcome_group",
    "outcome_source",
    "context",
)
_PRESENT = frozenset(
    {
        "crime_id",
        "recorded_date",
        "occurred_from",
        "time_precision",
        "offence_group",
        "crime_type",
        "location_type",
        "lsoa_code",
        "outcome_code",
        "outcome_date",
        "latitude",
        "longitude",
    }
)
_FORMATS = {"recorded_date": "%Y-%m", "occurred_from": "%Y-%m", "outcome_date": "%Y-%m"}


@dataclass(frozen=True)
class PoliceUkTablePlan(TablePlan):
    """The crimes table read from police.uk street files, with their outcomes files."""

    outcomes: tuple[SourceFile, ...] = ()
    encodings: dict[str, str] = field(default_factory=dict)
    editions: Path | None = None
    warnings: tuple[str, ...] = ()

    @property
    def raw_columns(self) -> tuple[str, ...]:
        return STREET_COLUMNS


# --- planning -------------------------------------------------------------------------------


def _walk(data_dir: Path) -> list[Path]:
    found = []
    for root, _dirs, files in os.walk(data_dir, followlinks=True):
        found.extend(Path(root) / f for f in files)
    return sorted(found)


def _encoding_of(path: Path) -> tuple[str, str | None]:
    """``utf-8`` when the whole file decodes as UTF-8, else ``latin-1`` and why."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                line += chunk[: error.start].count(b"\n")
                return "latin-1", (
                    f"{path}: not valid UTF-8 (first at line {line}); read as Latin-1 — "
                    "check accented names in it"
                )
            line += chunk.count(b"\n")
    return "utf-8", None


def _describe_all(
    con: duckdb.DuckDBPyConnection,
    paths: list[Path],
    required: tuple[str, ...],
    kind: str,
) -> tuple[list[SourceFile], dict[str, str], list[str]]:
    sources, encodings, warnings = [], {}, []
    for path in paths:
        encoding, warning = _encoding_of(path)
        if warning:
            warnings.append(warning)
        source = describe(con, path, TableMapping(encoding=encoding))
        missing = [c for c in required if c not in source.columns]
        if missing:
            raise IngestError(
                f"{path}: not a police.uk {kind} file as published: missing column(s) "
                f"{missing}. Columns found: {', '.join(source.columns)}. The standard header "
                f"is: {', '.join(STREET_COLUMNS if kind == 'street' else OUTCOME_COLUMNS)}."
            )
        sources.append(source)
        encodings[str(path)] = encoding
    return sources, encodings, warnings


def _one_copy(files: list[Path], names: tuple[str, ...], what: str) -> Path | None:
    hits = [p for p in files if p.name in names]
    if len(hits) > 1:
        raise IngestError(
            f"{what} is given more than once: {', '.join(map(str, hits))}; keep one copy"
        )
    return hits[0] if hits else None


def plan_police_uk(data_dir: Path, mapping: Mapping, con: duckdb.DuckDBPyConnection) -> IngestPlan:
    """Find the police.uk files (and any context tables) under ``data_dir``; raise on anything
    that would stop the ingest."""
    if not data_dir.is_dir():
        raise IngestError(f"{data_dir}: not a folder; point ingest at the police.uk download")
    files = _walk(data_dir)
    street = [p for p in files if p.name.lower().endswith(STREET_PATTERN)]
    outcome_paths = [p for p in files if p.name.lower().endswith(OUTCOMES_PATTERN)]
    if not street:
        raise IngestError(
            f"{data_dir}: no police.uk street files (*-street.csv) in this folder or below it"
        )
    required = tuple(c for c in STREET_COLUMNS if c not in STREET_OPTIONAL)
    sources, encodings, warnings = _describe_all(con, street, required, "street")
    outcomes, out_encodings, out_warnings = _describe_all(
        con, outcome_paths, OUTCOME_REQUIRED, "outcomes"
    )
    crimes = PoliceUkTablePlan(
        table=CRIMES,
        mapping=TableMapping(formats=dict(_FORMATS)),
        sources=tuple(sources),
        present=_PRESENT,
        extras=EXTRAS,
        outcomes=tuple(outcomes),
        encodings={**encodings, **out_encodings},
        editions=_one_copy(files, (EDITIONS_FILE,), "the LSOA edition lookup"),
        warnings=tuple(warnings + out_warnings),
    )
    plans: list[TablePlan] = [crimes]
    for name in CONTEXT_TABLES:
        table_mapping = mapping.for_table(name)
        if table_mapping.files:
            paths = find_files(data_dir, name, table_mapping)
        else:
            found = _one_copy(files, (f"{name}.csv", f"{name}.parquet"), f"the {name} table")
            paths = [found] if found else []
        if paths:
            described = [describe(con, p, table_mapping) for p in paths]
            plans.append(_plan_table(TABLES[name], table_mapping, described, True))
    return IngestPlan(data_dir, tuple(plans), crimes_only=True)


# --- staging --------------------------------------------------------------------------------


def stage_crimes(
    con: duckdb.DuckDBPyConnection,
    tp: PoliceUkTablePlan,
    raw: str,
    structural: str,
    rejects_dir: Path,
    on_rows: Callable[[int], None] | None = None,
) -> int:
    """Stage the street rows into ``raw`` (created with :attr:`PoliceUkTablePlan.raw_columns`)
    and build ``src_crimes`` (contract names, the latest outcome joined); returns the street
    rows read."""
    read = _stage_files(con, tp, tp.sources, raw, list(STREET_COLUMNS), structural, on_rows)
    outcomes_rejects = f"{structural}_outcomes"
    con.execute(
        "CREATE TABLE raw_police_uk_outcomes (_file VARCHAR, _row BIGINT, "
        + ", ".join(f"{ident(c)} VARCHAR" for c in OUTCOME_COLUMNS)
        + ")"
    )
    _stage_files(
        con,
        tp,
        tp.outcomes,
        "raw_police_uk_outcomes",
        list(OUTCOME_COLUMNS),
        outcomes_rejects,
        None,
    )
    _write_outcome_rejects(con, outcomes_rejects, rejects_dir)
    _outcome_table(con)
    _latest_outcomes(con)
    _editions(con, tp.editions)
    _source_view(con, raw)
    return read


def _stage_files(
    con: duckdb.DuckDBPyConnection,
    tp: PoliceUkTablePlan,
    sources: tuple[SourceFile, ...],
    target: str,
    columns: list[str],
    structural: str,
    on_rows: Callable[[int], None] | None,
) -> int:
    con.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {structural} (_file VARCHAR, line BIGINT, "
        "column_name VARCHAR, reason VARCHAR, csv_line VARCHAR)"
    )
    read = 0
    for index, source in enumerate(sources):
        per_file = f"{structural}_{index}"
        mapping = TableMapping(encoding=tp.encodings.get(str(source.path), "utf-8"))
        read += stage(con, source, target, columns, mapping, per_file, on_rows)
        con.execute(f"INSERT INTO {structural} SELECT * FROM {per_file}")
    return read


def _write_outcome_rejects(
    con: duckdb.DuckDBPyConnection, structural: str, rejects_dir: Path
) -> None:
    count = con.execute(f"SELECT count(*) FROM {structural}").fetchone()[0]
    if count:
        target = literal(str(rejects_dir / f"{OUTCOME_REJECTS}.csv"))
        con.execute(
            f"COPY (SELECT _file AS file, line AS row, coalesce(column_name, '') AS column, "
            f"reason, csv_line AS raw_line FROM {structural} ORDER BY file, row) "
            f"TO {target} (HEADER, DELIMITER ',')"
        )


def _outcome_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "CREATE TEMP TABLE _pu_outcome_table (police_uk_outcome VARCHAR, outcome_code BIGINT, "
        "outcome_group VARCHAR, precedence BIGINT)"
    )
    con.executemany(
        "INSERT INTO _pu_outcome_table VALUES (?, ?, ?, ?)",
        [
            (o.police_uk_outcome, o.outcome_code, o.outcome_group, o.precedence)
            for o in police_uk_outcomes().values()
        ],
    )


def _latest_outcomes(con: duckdb.DuckDBPyConnection) -> None:
    """One outcome per Crime ID: the latest month, then the lowest precedence, then the last
    row of the last file. Rows with no Crime ID, no outcome or an unreadable month are unused."""
    con.execute(
        """
        CREATE TEMP TABLE _pu_outcomes AS
        SELECT o._file, o._row, trim(o."Crime ID") AS crime_id,
            trim(o."Outcome type") AS outcome_type, trim(o."Month") AS month,
            try_strptime(trim(o."Month"), '%Y-%m') AS month_start, t.precedence
        FROM raw_police_uk_outcomes o
        LEFT JOIN _pu_outcome_table t ON t.police_uk_outcome = trim(o."Outcome type")
        """
    )
    con.execute(
        """
        CREATE TEMP TABLE _pu_latest AS
        SELECT crime_id, outcome_type, month FROM (
            SELECT *, row_number() OVER (
                PARTITION BY crime_id
                ORDER BY month_start DESC, coalesce(precedence, 99), _file DESC, _row DESC
            ) AS rank
            FROM _pu_outcomes
            WHERE nullif(crime_id, '') IS NOT NULL AND nullif(outcome_type, '') IS NOT NULL
                AND month_start IS NOT NULL
        ) WHERE rank = 1
        """
    )


def _editions(con: duckdb.DuckDBPyConnection, path: Path | None) -> None:
    con.execute("CREATE TEMP TABLE _pu_editions (from_code VARCHAR, to_code VARCHAR)")
    if path is None:
        return
    try:
        con.execute(
            f"""
            INSERT INTO _pu_editions
            SELECT trim(from_code), any_value(trim(to_code) ORDER BY trim(to_code))
            FROM read_csv({literal(str(path))}, header = true, all_varchar = true)
            WHERE nullif(trim(from_code), '') IS NOT NULL AND nullif(trim(to_code), '') IS NOT NULL
            GROUP BY 1
            """
        )
    except duckdb.Error as error:
        raise IngestError(
            f"{path}: cannot read the LSOA edition lookup (columns from_code,to_code): "
            f"{str(error).strip().splitlines()[0]}"
        ) from None


def _source_view(con: duckdb.DuckDBPyConnection, raw: str) -> None:
    con.execute(
        f"""
        CREATE TEMP VIEW src_crimes AS
        WITH street AS (
            SELECT *, nullif(trim("Crime ID"), '') AS _id,
                nullif(trim("LSOA code"), '') AS _lsoa,
                nullif(trim("Last outcome category"), '') AS _last
            FROM {raw}
        ), joined AS (
            SELECT s.*, o.outcome_type AS _latest, o.month AS _latest_month, e.to_code AS _to
            FROM street s
            LEFT JOIN _pu_latest o ON o.crime_id = s._id
            LEFT JOIN _pu_editions e ON e.from_code = s._lsoa
        )
        SELECT j._file, j._row,
            j."Crime ID" AS crime_id,
            j."Month" AS recorded_date,
            j."Month" AS occurred_from,
            'month' AS time_precision,
            CASE WHEN trim(j."Crime type") = 'Robbery' THEN 'robbery' ELSE 'other' END
                AS offence_group,
            j."Crime type" AS crime_type,
            'unknown' AS location_type,
            coalesce(j._to, j._lsoa) AS lsoa_code,
            CAST(t.outcome_code AS VARCHAR) AS outcome_code,
            j._latest_month AS outcome_date,
            j."Latitude" AS latitude,
            j."Longitude" AS longitude,
            j."Location" AS location,
            j."LSOA name" AS lsoa_name,
            j._lsoa AS lsoa_code_published,
            j."Falls within" AS falls_within,
            j."Reported by" AS reported_by,
            j._last AS last_outcome_category,
            coalesce(j._latest, j._last) AS outcome_type,
            t.outcome_group AS outcome_group,
            CASE WHEN j._latest IS NOT NULL THEN 'outcomes file'
                WHEN j._last IS NOT NULL THEN 'street file' END AS outcome_source,
            j."Context" AS context
        FROM joined j
        LEFT JOIN _pu_outcome_table t ON t.police_uk_outcome = coalesce(j._latest, j._last)
        """
    )


# --- police.uk rules ------------------------------------------------------------------------


def dataset_force(con: duckdb.DuckDBPyConnection, raw: str = "raw_crimes") -> str | None:
    """The force of most street rows (``Falls within``); ties go to the first name."""
    row = con.execute(
        f"""SELECT trim("Falls within") AS force FROM {raw}
        WHERE nullif(trim("Falls within"), '') IS NOT NULL
        GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"""
    ).fetchone()
    return row[0] if row else None


def flag_rows(con: duckdb.DuckDBPyConnection, checked: str = "chk_crimes") -> None:
    """Add the police.uk rules to the validated rows' ``_errors``: the reason for an empty
    Crime ID, rows of another force, and repeated Crime IDs (one kept by the documented rule)."""
    force = dataset_force(con)
    foreign = "NULL"
    if force is not None:
        shown = literal(force)
        foreign = (
            f"CASE WHEN trim(falls_within) IS DISTINCT FROM {shown} "
            f"OR coalesce(trim(reported_by), {shown}) <> {shown} THEN "
            f"'{FOREIGN_PREFIX} (this dataset''s force is ' || {literal(repr(force))} || ', from "
            "most rows; a file of another force in the folder?); got ' "
            "|| coalesce('''' || falls_within || '''', 'none') || ' reported by ' "
            "|| coalesce('''' || reported_by || '''', 'none') END"
        )
    con.execute(
        f"""
        CREATE OR REPLACE TABLE {checked} AS
        SELECT * REPLACE (list_filter(list_append(
            list_transform(_errors, lambda e:
                CASE WHEN e = 'crime_id: required value is empty' THEN {literal(NO_CRIME_ID)}
                ELSE e END),
            {foreign}), lambda e: e IS NOT NULL) AS _errors)
        FROM {checked}
        """
    )
    located = "(lsoa_code IS NULL AND easting IS NULL)"
    con.execute(
        f"""
        CREATE OR REPLACE TABLE {checked} AS
        SELECT * EXCLUDE (_keep_file, _keep_row, _copies) REPLACE (
            CASE WHEN len(_errors) = 0 AND _copies > 1
                AND (_file <> _keep_file OR _row <> _keep_row) THEN
                ['{DUPLICATE_PREFIX} (kept one: a row with a location first, then the earliest '
                 || 'month, then the first row); got ''' || crime_id || ''' ' || _copies
                 || ' times, kept ' || _keep_file || ' row ' || CAST(_keep_row AS VARCHAR)]
            ELSE _errors END AS _errors)
        FROM (
            SELECT *,
                first_value(_file) OVER w AS _keep_file,
                first_value(_row) OVER w AS _keep_row,
                count(*) OVER (PARTITION BY crime_id, len(_errors) = 0) AS _copies
            FROM {checked}
            WINDOW w AS (PARTITION BY crime_id, len(_errors) = 0
                         ORDER BY {located}, occurred_from, _file, _row)
        )
        """
    )


def summary(con: duckdb.DuckDBPyConnection, checked: str = "chk_crimes") -> dict[str, str]:
    """What the police.uk rules did, for the store's ingest record (``police_uk.*`` keys)."""
    errors = f"""
        SELECT
            count(*) FILTER (WHERE list_contains(_errors, {literal(NO_CRIME_ID)})) AS no_id,
            count(*) FILTER (WHERE len(list_filter(_errors,
                lambda e: starts_with(e, {literal(FOREIGN_PREFIX)}))) > 0) AS foreign_rows,
            count(*) FILTER (WHERE len(list_filter(_errors,
                lambda e: starts_with(e, {literal(DUPLICATE_PREFIX)}))) > 0) AS duplicate_rows,
            count(DISTINCT crime_id) FILTER (WHERE len(list_filter(_errors,
                lambda e: starts_with(e, {literal(DUPLICATE_PREFIX)}))) > 0) AS duplicate_ids,
            count(*) FILTER (WHERE len(_errors) = 0 AND outcome_source = 'outcomes file')
                AS from_outcomes,
            count(*) FILTER (WHERE len(_errors) = 0 AND outcome_source = 'street file')
                AS from_street,
            count(*) FILTER (WHERE len(_errors) = 0
                AND lsoa_code IS DISTINCT FROM lsoa_code_published) AS recoded
        FROM {checked}
    """
    e = con.execute(errors).fetchone()
    o = con.execute(
        f"""
        SELECT count(*) AS rows,
            count(*) FILTER (WHERE crime_id IN (SELECT crime_id FROM {checked}
                                               WHERE crime_id IS NOT NULL)) AS matched,
            count(*) FILTER (WHERE month_start IS NULL) AS bad_month
        FROM _pu_outcomes
        """
    ).fetchone()
    unmapped = [
        r[0]
        for r in con.execute(
            f"""SELECT DISTINCT outcome_type FROM {checked}
            WHERE outcome_type IS NOT NULL AND outcome_group IS NULL ORDER BY 1"""
        ).fetchall()
    ]
    return {
        "format": "police-uk",
        "police_uk.force": dataset_force(con) or "",
        "police_uk.no_crime_id": str(e[0]),
        "police_uk.foreign_force_rows": str(e[1]),
        "police_uk.duplicate_rows_rejected": str(e[2]),
        "police_uk.duplicate_crime_ids": str(e[3]),
        "police_uk.outcome_from_outcomes_file": str(e[4]),
        "police_uk.outcome_from_street_file": str(e[5]),
        "police_uk.lsoa_recoded": str(e[6]),
        "police_uk.outcome_rows": str(o[0]),
        "police_uk.outcome_rows_matched": str(o[1]),
        "police_uk.outcome_rows_unmatched": str(o[0] - o[1]),
        "police_uk.outcome_rows_bad_month": str(o[2]),
        "police_uk.unmapped_outcomes": ";".join(unmapped),
    }


def warnings_of(tp: PoliceUkTablePlan, meta: dict[str, str]) -> tuple[str, ...]:
    """Plain-English warnings for the command line: encodings, unmapped outcomes."""
    out = list(tp.warnings)
    if meta.get("police_uk.unmapped_outcomes"):
        out.append(
            "outcome categories not in contract/police_uk_outcomes.csv (kept in outcome_type, "
            f"no outcome_code): {meta['police_uk.unmapped_outcomes'].replace(';', '; ')}"
        )
    if int(meta.get("police_uk.outcome_rows_bad_month", "0")):
        out.append(
            f"{meta['police_uk.outcome_rows_bad_month']} outcomes-file rows have no readable "
            "Month and were not used"
        )
    return tuple(out)


__all__ = [
    "EDITIONS_FILE",
    "OUTCOME_REJECTS",
    "PoliceUkTablePlan",
    "dataset_force",
    "flag_rows",
    "plan_police_uk",
    "stage_crimes",
    "summary",
    "warnings_of",
]
