"""Writing contract tables to Parquet or CSV, chunk by chunk.

Parquet columns use natural types (timestamps as ``timestamp[s]``, dates as ``date32``,
booleans, ``int64``); no wall-clock timestamp goes into the file, so a rerun is byte-identical.
CSV is UTF-8 with a header, ISO dates, ``YYYY-MM-DDTHH:MM:SS`` timestamps, ``true``/``false``
and empty cells for missing values.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from vawgscope.contract.tables import TABLES

Format = Literal["parquet", "csv"]

_ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "text": pa.string(),
    "enum": pa.string(),
    "list": pa.string(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("s"),
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
}


def arrow_schema(table: str) -> pa.Schema:
    """The Arrow schema of a contract table: its columns, in order, with natural types."""
    return pa.schema([pa.field(c.name, _ARROW_TYPES[c.kind]) for c in TABLES[table].columns])


def _for_csv(table: pa.Table) -> pa.Table:
    """Timestamps as ``YYYY-MM-DDTHH:MM:SS`` text (the rest is written as is)."""
    cols = []
    for field, col in zip(table.schema, table.columns, strict=True):
        if pa.types.is_timestamp(field.type):
            col = pc.strftime(col, format="%Y-%m-%dT%H:%M:%S")
        cols.append(col)
    return pa.table(cols, names=table.column_names)


class TableWriter:
    """Appends chunks of one contract table to ``out_dir/NAME.parquet`` or ``NAME.csv``."""

    def __init__(self, out_dir: Path, name: str, fmt: Format) -> None:
        self.name = name
        self.fmt = fmt
        self.schema = arrow_schema(name)
        self.path = out_dir / f"{name}.{fmt}"
        self.rows = 0
        self._writer: pq.ParquetWriter | pcsv.CSVWriter | None = None

    def write(self, table: pa.Table) -> None:
        """Append ``table``: its columns are selected and cast to the contract schema; an
        optional contract column it lacks is written empty."""
        required = set(TABLES[self.name].required_columns)
        columns = []
        for field in self.schema:
            if field.name in table.column_names:
                columns.append(table.column(field.name).cast(field.type))
            elif field.name in required:
                raise ValueError(f"demo table {self.name} lacks required column {field.name}")
            else:
                columns.append(pa.nulls(table.num_rows, field.type))
        table = pa.table(columns, schema=self.schema)
        if self.fmt == "parquet":
            if self._writer is None:
                self._writer = pq.ParquetWriter(self.path, self.schema, compression="zstd")
            self._writer.write_table(table, row_group_size=1 << 20)
        else:
            table = _for_csv(table)
            if self._writer is None:
                self._writer = pcsv.CSVWriter(
                    str(self.path),
                    table.schema,
                    write_options=pcsv.WriteOptions(include_header=True, quoting_style="needed"),
                )
            self._writer.write_table(table)
        self.rows += table.num_rows

    def close(self) -> None:
        """Finish the file (an empty table still gets its header or schema)."""
        if self._writer is None:
            self.write(self.schema.empty_table())
        assert self._writer is not None
        self._writer.close()

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def write_table(out_dir: Path, name: str, fmt: Format, table: pa.Table) -> int:
    """Write a whole table at once; returns its row count."""
    with TableWriter(out_dir, name, fmt) as writer:
        writer.write(table)
        return writer.rows
