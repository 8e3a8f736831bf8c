"""The ingest run: stage, validate, pseudonymise and write a new store in one transaction.

The new store is built in a working folder beside the target and moved into place only when
every table has been loaded, so an ingest that fails half-way leaves the previous store (and
its rejects) exactly as they were. Every row read is either loaded or written to
``rejects/TABLE.csv`` with its file, row, column(s) and reason.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import duckdb

from vawgscope import __version__
from vawgscope.contract.mapping import Mapping
from vawgscope.contract.tables import TABLES
from vawgscope.contract.vocab import PERPETRATOR_ROLES
from vawgscope.ingest import geo, police_uk, pseudonymise
from vawgscope.ingest.plan import IngestPlan, TablePlan, plan_ingest
from vawgscope.ingest.sources import IngestError, stage
from vawgscope.ingest.sql import ident, literal
from vawgscope.ingest.validate import TableContext, checked_select

META_TABLE = "_vawgscope_meta"
Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class TableReport:
    """Counts for one table: rows read = rows loaded + rows rejected."""

    table: str
    files: tuple[str, ...]
    read: int
    loaded: int
    rejected: int
    top_reasons: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class IngestReport:
    """What an ingest did, for the command line and for tests."""

    store: Path
    rejects_dir: Path
    crimes_only: bool
    tables: dict[str, TableReport]
    fingerprint: str
    lookup: Path | None
    secret: Path
    warnings: tuple[str, ...] = field(default_factory=tuple)


def default_rejects_dir(store: Path) -> Path:
    return store.parent / "rejects"


def ingest(
    data_dir: Path,
    store: Path,
    *,
    mapping: Mapping | None = None,
    rejects_dir: Path | None = None,
    secret_path: Path | None = None,
    progress: Progress | None = None,
    format: Literal["contract", "police-uk"] = "contract",
) -> IngestReport:
    """Load the dataset in ``data_dir`` into the DuckDB file ``store``.

    ``format="police-uk"`` reads data.police.uk street and outcomes files as published
    (:mod:`vawgscope.ingest.police_uk`) instead of contract tables.

    Raises :class:`IngestError` for anything that stops the run; nothing is changed then.
    """
    mapping = mapping or Mapping()
    store = store.resolve()
    rejects_dir = (rejects_dir or default_rejects_dir(store)).resolve()
    secret_path = (secret_path or pseudonymise.default_secret_path()).expanduser().resolve()
    store.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{store.name}.ingest-", dir=store.parent))
    try:
        con = duckdb.connect(str(work / "stage.duckdb"))
        try:
            if format == "police-uk":
                plan = police_uk.plan_police_uk(data_dir, mapping, con)
            elif format == "contract":
                plan = plan_ingest(data_dir, mapping, con)
            else:
                raise IngestError(f"unknown format {format!r}; expected contract or police-uk")
            key = pseudonymise.load_or_create_secret(secret_path)
            _prepare(con, work, key)
            reports = {
                tp.table.name: _load_table(con, tp, plan, work / "rejects", progress)
                for tp in plan.tables
            }
            fingerprint = _fingerprint(con, list(reports))
            lookup_tmp = _write_lookup(con, work) if not plan.crimes_only else None
            extra, warnings = _police_uk_record(con, plan)
            _write_meta(con, plan, reports, fingerprint, key, data_dir, extra)
        finally:
            con.close()
        os.replace(work / "new.duckdb", store)
        lookup = None
        if lookup_tmp is not None:
            lookup = pseudonymise.lookup_path(secret_path, store)
            lookup.parent.mkdir(parents=True, exist_ok=True)
            os.replace(lookup_tmp, lookup)
        _replace_rejects(work / "rejects", rejects_dir)
        return IngestReport(
            store,
            rejects_dir,
            plan.crimes_only,
            reports,
            fingerprint,
            lookup,
            secret_path,
            warnings,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


#: The engine's memory ceiling during ingest; beyond it, work spills to disk.
MEMORY_LIMIT = os.environ.get("VAWGSCOPE_MEMORY_LIMIT", "1GB")


def _prepare(con: duckdb.DuckDBPyConnection, work: Path, key: bytes) -> None:
    con.execute(f"SET temp_directory = {literal(str(work / 'spill'))}")
    con.execute(f"SET memory_limit = {literal(MEMORY_LIMIT)}")
    con.execute("SET preserve_insertion_order = true")
    con.execute(f"ATTACH {literal(str(work / 'new.duckdb'))} AS out")
    con.create_function(
        "pseudonym",
        pseudonymise.arrow_pseudonymiser(key),
        ["VARCHAR"],
        "VARCHAR",
        type="arrow",
        null_handling="special",
    )
    (work / "rejects").mkdir()


def _load_table(
    con: duckdb.DuckDBPyConnection,
    tp: TablePlan,
    plan: IngestPlan,
    rejects_dir: Path,
    progress: Progress | None,
) -> TableReport:
    name = tp.table.name
    raw, structural = f"raw_{name}", f"rej_{name}"
    columns = tp.raw_columns
    con.execute(
        f"CREATE TABLE {raw} (_file VARCHAR, _row BIGINT, "
        + ", ".join(f"{ident(c)} VARCHAR" for c in columns)
        + ")"
    )
    con.execute(
        f"CREATE TEMP TABLE {structural} (_file VARCHAR, line BIGINT, column_name VARCHAR, "
        "reason VARCHAR, csv_line VARCHAR)"
    )
    read = 0
    on_rows = (lambda n: progress(name, n)) if progress else None
    police = isinstance(tp, police_uk.PoliceUkTablePlan)
    if police:
        read = police_uk.stage_crimes(con, tp, raw, structural, rejects_dir, on_rows)
    for index, source in enumerate(() if police else tp.sources):
        per_file = f"{structural}_{index}"
        read += stage(con, source, raw, columns, tp.mapping, per_file, on_rows)
        con.execute(f"INSERT INTO {structural} SELECT * FROM {per_file}")
    ctx = TableContext(tp.table, tp.mapping, tp.present, plan.crimes_only)
    if not police:
        con.execute(f"CREATE TEMP VIEW src_{name} AS SELECT {tp.rename_select()} FROM {raw}")
    con.execute(f"CREATE TABLE chk_{name} AS {checked_select(f'src_{name}', ctx, list(tp.extras))}")
    for lat, lon, east, north in tp.table.lat_lon:
        if lat in tp.present and lon in tp.present:
            geo.fill_bng(con, f"chk_{name}", lat, lon, east, north)
    if police:
        police_uk.flag_rows(con, f"chk_{name}")
    _flag_duplicates(con, name, tp.table.key)
    if name == "crime_persons":
        _flag_dangling_links(con)
    loaded = _write_good_rows(con, tp)
    rejected = _write_rejects(con, tp, raw, structural, rejects_dir)
    if loaded + rejected != read:  # pragma: no cover - an invariant, not a user error
        raise IngestError(f"{name}: {read} rows read but {loaded} loaded + {rejected} rejected")
    reasons = con.execute(
        f"""
        SELECT regexp_replace(e, '(, got|; got) .*$', '') AS reason, count(*) AS n
        FROM (SELECT unnest(_errors) AS e FROM chk_{name}
              UNION ALL SELECT column_name || ': ' || split_part(reason, ':', 1) FROM {structural})
        GROUP BY reason ORDER BY n DESC, reason LIMIT 5
        """
    ).fetchall()
    return TableReport(
        name,
        tuple(str(s.path) for s in tp.sources),
        read,
        loaded,
        rejected,
        tuple((r, int(n)) for r, n in reasons),
    )


def _flag_duplicates(con: duckdb.DuckDBPyConnection, name: str, key: tuple[str, ...]) -> None:
    """Reject every repeat of a key among otherwise valid rows, naming the first row."""
    if not key:
        return
    partition = ", ".join(ident(k) for k in key)
    shown = " || ', ' || ".join(f"coalesce(CAST({ident(k)} AS VARCHAR), '')" for k in key)
    con.execute(
        f"""
        CREATE OR REPLACE TABLE chk_{name} AS
        SELECT * EXCLUDE (_first_row, _first_file) REPLACE (
            CASE WHEN len(_errors) = 0 AND (_first_row <> _row OR _first_file <> _file) THEN
                [{literal(key[0] + ": ")} || 'duplicate {"+".join(key)} ''' || {shown}
                 || ''' (first at ' || _first_file || ' row ' || CAST(_first_row AS VARCHAR) || ')']
            ELSE _errors END AS _errors)
        FROM (
            SELECT *,
                first_value(_row) OVER w AS _first_row,
                first_value(_file) OVER w AS _first_file
            FROM chk_{name}
            WINDOW w AS (PARTITION BY {partition}, len(_errors) = 0 ORDER BY _file, _row)
        )
        """
    )


def _flag_dangling_links(con: duckdb.DuckDBPyConnection) -> None:
    """A link must point at a loaded crime and a loaded person."""
    con.execute(
        """
        CREATE OR REPLACE TABLE chk_crime_persons AS
        SELECT l.* REPLACE (
            list_filter([
                CASE WHEN c.crime_id IS NULL THEN 'crime_id: ''' || l.crime_id
                    || ''' is not in crimes (missing or rejected there)' END,
                CASE WHEN p.person_id IS NULL THEN 'person_id: ''' || l.person_id
                    || ''' is not in persons (missing or rejected there)' END
            ], lambda e: e IS NOT NULL) AS _errors)
        FROM chk_crime_persons l
        LEFT JOIN (SELECT crime_id FROM chk_crimes WHERE len(_errors) = 0) c USING (crime_id)
        LEFT JOIN (SELECT person_id FROM chk_persons WHERE len(_errors) = 0) p USING (person_id)
        WHERE len(l._errors) = 0
        UNION ALL BY NAME
        SELECT * FROM chk_crime_persons WHERE len(_errors) > 0
        """
    )


def _write_good_rows(con: duckdb.DuckDBPyConnection, tp: TablePlan) -> int:
    name = tp.table.name
    columns = [
        f"pseudonym({ident(c.name)}) AS {ident(c.name)}" if c.name == "person_id" else ident(c.name)
        for c in tp.table.columns
    ] + [ident(x) for x in tp.extras]
    con.execute(
        f"CREATE TABLE out.{name} AS SELECT {', '.join(columns)} FROM chk_{name} "
        "WHERE len(_errors) = 0 ORDER BY _file, _row"
    )
    return con.execute(f"SELECT count(*) FROM out.{name}").fetchone()[0]


def _write_rejects(
    con: duckdb.DuckDBPyConnection, tp: TablePlan, raw: str, structural: str, rejects_dir: Path
) -> int:
    name = tp.table.name
    raw_cols = ", ".join(f"r.{ident(c)}" for c in tp.raw_columns)
    query = f"""
        SELECT r._file AS file, r._row AS row,
            array_to_string(list_distinct(
                list_transform(c._errors, lambda e: split_part(e, ':', 1))), ';') AS column,
            array_to_string(c._errors, '; ') AS reason, NULL AS raw_line, {raw_cols}
        FROM chk_{name} c JOIN {raw} r USING (_file, _row) WHERE len(c._errors) > 0
        UNION ALL BY NAME
        SELECT _file AS file, line AS row, coalesce(column_name, '') AS column,
            reason || CASE WHEN reason ILIKE '%encoding%' THEN
                ' (re-save the file as UTF-8, or set `encoding:` for this table in a mapping file)'
                ELSE '' END AS reason,
            csv_line AS raw_line
        FROM {structural}
        ORDER BY file, row
    """
    count = con.execute(f"SELECT count(*) FROM ({query})").fetchone()[0]
    if count:
        target = literal(str(rejects_dir / f"{name}.csv"))
        con.execute(f"COPY ({query}) TO {target} (HEADER, DELIMITER ',')")
    return count


def _fingerprint(con: duckdb.DuckDBPyConnection, tables: list[str]) -> str:
    """A digest of the loaded content, independent of row order."""
    digest = hashlib.sha256()
    for name in tables:
        cols = [r[0] for r in con.execute(f"DESCRIBE out.{name}").fetchall()]
        row = con.execute(
            f"SELECT count(*), coalesce(bit_xor(hash({', '.join(ident(c) for c in cols)})), 0) "
            f"FROM out.{name}"
        ).fetchone()
        digest.update(f"{name}:{row[0]}:{row[1]};".encode())
    return digest.hexdigest()[:16]


def _write_lookup(con: duckdb.DuckDBPyConnection, work: Path) -> Path:
    target = work / "lookup.parquet"
    con.execute(
        f"COPY (SELECT pseudonym(person_id) AS pseudonym, person_id AS original_id "
        f"FROM chk_persons WHERE len(_errors) = 0 ORDER BY pseudonym) "
        f"TO {literal(str(target))} (FORMAT parquet)"
    )
    return target


def _police_uk_record(
    con: duckdb.DuckDBPyConnection, plan: IngestPlan
) -> tuple[dict[str, str], tuple[str, ...]]:
    """The police.uk reader's counts for the ingest record, and its warnings."""
    for tp in plan.tables:
        if isinstance(tp, police_uk.PoliceUkTablePlan):
            extra = police_uk.summary(con)
            return extra, police_uk.warnings_of(tp, extra)
    return {}, ()


def _write_meta(
    con: duckdb.DuckDBPyConnection,
    plan: IngestPlan,
    reports: dict[str, TableReport],
    fingerprint: str,
    key: bytes,
    data_dir: Path,
    extra: dict[str, str] | None = None,
) -> None:
    meta = {
        "schema_version": "1",
        "vawgscope_version": __version__,
        "tier": "crimes_only" if plan.crimes_only else "full",
        "ingested_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "source": str(data_dir.resolve()),
        "fingerprint": fingerprint,
        "key_id": pseudonymise.key_id(key),
        "tables": ",".join(reports),
        **{f"rows.{n}": str(r.loaded) for n, r in reports.items()},
        **{f"rejected.{n}": str(r.rejected) for n, r in reports.items()},
        **(extra or {}),
    }
    if "crime_persons" in reports:
        meta[TWO_ROLES_KEY] = str(_perpetrators_in_two_roles(con))
    con.execute(f"CREATE TABLE out.{META_TABLE} (key VARCHAR, value VARCHAR)")
    con.executemany(f"INSERT INTO out.{META_TABLE} VALUES (?, ?)", list(meta.items()))


#: Ingest-record key: how many (crime, person) pairs are linked in two perpetrator roles.
TWO_ROLES_KEY = "links.perpetrators_in_two_roles"


def _perpetrators_in_two_roles(con: duckdb.DuckDBPyConnection) -> int:
    """Pairs of a crime and a person linked to it as suspect and as offender: the scope
    counts each such man once, and needs no de-duplication when there are none."""
    roles = ", ".join(literal(r) for r in PERPETRATOR_ROLES)
    (count,) = con.execute(
        f"""SELECT count(*) FROM (
            SELECT crime_id, person_id FROM out.crime_persons WHERE role IN ({roles})
            GROUP BY crime_id, person_id HAVING count(*) > 1)"""
    ).fetchone()
    return int(count)


def _replace_rejects(new: Path, rejects_dir: Path) -> None:
    """Swap in this run's rejects; files of earlier runs for contract tables are removed."""
    rejects_dir.mkdir(parents=True, exist_ok=True)
    for name in (*TABLES, police_uk.OUTCOME_REJECTS):
        stale = rejects_dir / f"{name}.csv"
        if stale.exists():
            stale.unlink()
    for produced in new.glob("*.csv"):
        shutil.move(str(produced), rejects_dir / produced.name)
