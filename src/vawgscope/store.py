"""The store: a DuckDB file written by ingest, opened through Ibis for the analyses.

Analyses never open the file themselves; they take a :class:`vawgscope.dataset.Dataset`,
which :func:`connect` backs with an engine. DuckDB is the default engine. ``--backend
pyspark`` is accepted from the start so scripts can name it; the Spark engine itself runs from
the store's Parquet export (see the Spark section of the README when it lands).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb
import ibis
from ibis.backends import BaseBackend

from vawgscope.ingest.run import META_TABLE

Backend = Literal["duckdb", "pyspark"]
BACKENDS: tuple[str, ...] = ("duckdb", "pyspark")
STORE_ALIAS = "store"


class StoreError(Exception):
    """A store that cannot be opened or an engine that cannot be used."""


@dataclass(frozen=True)
class StoreInfo:
    """What ingest recorded about a store: its tables, tier and fingerprint."""

    path: Path
    meta: dict[str, str]

    @property
    def tables(self) -> tuple[str, ...]:
        return tuple(t for t in self.meta.get("tables", "").split(",") if t)

    @property
    def crimes_only(self) -> bool:
        return self.meta.get("tier") == "crimes_only"

    @property
    def fingerprint(self) -> str:
        return self.meta.get("fingerprint", "")


def read_info(path: Path) -> StoreInfo:
    """Read the ingest record of the store at ``path``."""
    if not path.is_file():
        raise StoreError(
            f"{path}: no store here; create one with `vawgscope ingest DATA_DIR --store {path}`"
        )
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            rows = con.execute(f"SELECT key, value FROM {META_TABLE}").fetchall()
    except duckdb.Error as error:
        raise StoreError(f"{path}: not a vawgscope store ({str(error).splitlines()[0]})") from None
    return StoreInfo(path, dict(rows))


def connect(
    path: Path, backend: Backend = "duckdb", spark_master: str | None = None
) -> BaseBackend:
    """An Ibis connection in which the store's tables are readable as ``store.TABLE``.

    The store is attached read-only to an in-memory DuckDB database, so the scope and other
    working tables are temporary and the store file is never changed by an analysis.
    """
    if backend == "duckdb":
        con = ibis.duckdb.connect(threads=2)
        con.attach(str(path), name=STORE_ALIAS, read_only=True)
        return con
    if backend == "pyspark":
        raise StoreError(
            "the pyspark backend is not part of this release yet; run with --backend duckdb"
        )
    raise StoreError(f"unknown backend {backend!r}; expected one of {', '.join(BACKENDS)}")


def store_table(con: BaseBackend, name: str) -> ibis.Table:
    """The store's table ``name`` as an Ibis expression."""
    return con.table(name, database=STORE_ALIAS)
