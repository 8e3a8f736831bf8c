"""Finding a table's files and staging their raw text, row by row, in the engine.

Every value is staged as text with the file it came from and its row number, so that
validation can name the file, row and column of any problem. Rows that the CSV parser itself
cannot read (wrong number of fields, bad quoting, bytes that are not in the file's encoding)
are collected as structural rejects with the text of the line.

Row numbers: in a CSV file the header is row 1 and the first record row 2 (as a spreadsheet
shows it; the same as the line number unless a quoted field holds a line break); in a Parquet
file the first record is row 1.
"""

from __future__ import annotations

import glob
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from vawgscope.contract.mapping import TableMapping
from vawgscope.ingest.sql import ident, literal

SUPPORTED_ENCODINGS = ("utf-8", "utf-16", "latin-1")
BATCH_ROWS = 200_000


class IngestError(Exception):
    """A problem that stops the whole ingest (the previous store is left as it was)."""


@dataclass(frozen=True)
class SourceFile:
    """One file of a table, with the column names of its header."""

    path: Path
    fmt: str  # "csv" or "parquet"
    columns: tuple[str, ...]


def find_files(data_dir: Path, table: str, mapping: TableMapping) -> list[Path]:
    """The files holding ``table``: the mapping's patterns, else ``TABLE.csv``/``.parquet``."""
    if mapping.files:
        found: list[Path] = []
        for pattern in mapping.files:
            found.extend(Path(p) for p in sorted(glob.glob(str(data_dir / pattern))))
        return sorted(set(found))
    return [p for p in (data_dir / f"{table}.csv", data_dir / f"{table}.parquet") if p.exists()]


def _csv_options(mapping: TableMapping, header: tuple[str, ...]) -> str:
    encoding = mapping.encoding.lower().replace("_", "-")
    aliases = {"utf8": "utf-8", "latin1": "latin-1", "iso-8859-1": "latin-1", "utf16": "utf-16"}
    encoding = aliases.get(encoding, encoding)
    if encoding not in SUPPORTED_ENCODINGS:
        raise IngestError(
            f"encoding {mapping.encoding!r} is not supported; use one of "
            f"{', '.join(SUPPORTED_ENCODINGS)} (or re-save the export as UTF-8)"
        )
    columns = "{" + ", ".join(f"{literal(c)}: 'VARCHAR'" for c in header) + "}"
    return (
        f"columns = {columns}, header = true, delim = {literal(mapping.delimiter)}, "
        f"quote = '\"', escape = '\"', encoding = {literal(encoding)}, "
        "auto_detect = false, null_padding = false, strict_mode = false"
    )


def describe(con: duckdb.DuckDBPyConnection, path: Path, mapping: TableMapping) -> SourceFile:
    """Open ``path`` far enough to know its columns; an unreadable file stops the ingest."""
    fmt = "parquet" if path.suffix.lower() == ".parquet" else "csv"
    if fmt == "csv":
        header = _read_header(path, mapping)
        return SourceFile(path, fmt, header)
    try:
        rel = con.sql(f"SELECT * FROM read_parquet({literal(str(path))}) LIMIT 0")
    except duckdb.Error as error:
        raise IngestError(f"{path}: cannot read this Parquet file: {_first_line(error)}") from None
    return SourceFile(path, fmt, tuple(rel.columns))


def _read_header(path: Path, mapping: TableMapping) -> tuple[str, ...]:
    import csv
    import io

    encoding = {"latin-1": "latin-1", "utf-16": "utf-16"}.get(mapping.encoding.lower(), "utf-8-sig")
    try:
        with path.open("rb") as handle:
            first = handle.readline(1_000_000)
    except OSError as error:
        raise IngestError(f"{path}: cannot read the file: {error.strerror}") from None
    if not first.strip():
        raise IngestError(f"{path}: the file is empty; expected a header row of column names")
    try:
        text = first.decode(encoding)
    except UnicodeDecodeError:
        raise IngestError(
            f"{path}, row 1 (header): not valid {mapping.encoding}; re-save the file as UTF-8 "
            "or set `encoding:` for this table in a mapping file"
        ) from None
    names = next(csv.reader(io.StringIO(text), delimiter=mapping.delimiter))
    names = [n.strip() for n in names]
    if any(not n for n in names):
        raise IngestError(f"{path}, row 1 (header): a column has no name")
    lowered = [n.lower() for n in names]
    duplicates = sorted({n for n in names if lowered.count(n.lower()) > 1})
    if duplicates:
        raise IngestError(
            f"{path}, row 1 (header): duplicate column name(s) {duplicates} "
            "(names are compared ignoring case)"
        )
    return tuple(names)


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0]


def stage(
    con: duckdb.DuckDBPyConnection,
    source: SourceFile,
    target: str,
    columns: list[str],
    mapping: TableMapping,
    rejects_table: str,
    on_rows: Callable[[int], None] | None = None,
) -> int:
    """Append the raw text of ``source`` to ``target`` (``_file``, ``_row`` and ``columns``).

    A column the file lacks is staged empty. Structural rejects go to ``rejects_table``
    (``_file, line, column_name, reason, csv_line``). Returns the number of records read.
    """
    path = literal(str(source.path))
    select = ", ".join(
        f"CAST({ident(c) if c in source.columns else 'NULL'} AS VARCHAR) AS {ident(c)}"
        for c in columns
    )
    if source.fmt == "parquet":
        con.execute(
            f"CREATE TEMP TABLE {rejects_table} (_file VARCHAR, line BIGINT, "
            "column_name VARCHAR, reason VARCHAR, csv_line VARCHAR)"
        )
        count = con.execute(f"SELECT count(*) FROM read_parquet({path})").fetchone()[0]
        con.execute(
            f"INSERT INTO {target} SELECT {path}, file_row_number + 1, {select} "
            f"FROM read_parquet({path}, file_row_number = true)"
        )
        if on_rows:
            on_rows(count)
        return count
    return _stage_csv(con, source, target, select, mapping, rejects_table, on_rows)


def _stage_csv(
    con: duckdb.DuckDBPyConnection,
    source: SourceFile,
    target: str,
    select: str,
    mapping: TableMapping,
    rejects_table: str,
    on_rows: Callable[[int], None] | None,
) -> int:
    path = literal(str(source.path))
    reader_con = con.cursor()
    scan = f"scan_{rejects_table}"
    reader = reader_con.sql(
        f"SELECT {select} FROM read_csv({path}, {_csv_options(mapping, source.columns)}, "
        f"store_rejects = true, "
        f"rejects_table = {literal(rejects_table)}, rejects_scan = {literal(scan)})"
    )
    read = 0
    try:
        batches = reader.to_arrow_reader(BATCH_ROWS)
        for batch in batches:
            n = batch.num_rows
            numbered = pa.table(
                [
                    pa.array([str(source.path)] * n, pa.string()),
                    pa.array(range(read + 2, read + n + 2), pa.int64()),
                    *batch.columns,
                ],
                names=["_file", "_row", *batch.schema.names],
            )
            con.register("_batch", numbered)
            con.execute(f"INSERT INTO {target} SELECT * FROM _batch")
            con.unregister("_batch")
            read += n
            if on_rows:
                on_rows(n)
    except duckdb.Error as error:
        raise IngestError(
            f"{source.path}: cannot read this CSV file: {_first_line(error)}"
        ) from None
    bad = reader_con.sql(
        f"SELECT line, any_value(column_name) AS column_name, "
        f"string_agg(lower(error_type) || ': ' || error_message, '; ') AS reason, "
        f"any_value(csv_line) AS csv_line FROM {rejects_table} GROUP BY line"
    ).to_arrow_table()
    reader_con.close()
    # Good records were numbered as if none were rejected; shift each past the rejected
    # records that came before it.
    con.register("_bad", bad)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {rejects_table} AS SELECT {path} AS _file, * FROM _bad"
    )
    con.unregister("_bad")
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _gaps AS
        SELECT line - 1 - row_number() OVER (ORDER BY line) AS good_before FROM {rejects_table}
        """
    )
    if bad.num_rows:
        con.execute(
            f"""
            UPDATE {target} SET _row = _row + (
                SELECT count(*) FROM _gaps WHERE good_before <= {target}._row - 2)
            WHERE _file = {path}
            """
        )
    return read + bad.num_rows
