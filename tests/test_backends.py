"""The Spark engine gives the same profile as DuckDB.

The small demo world (scale 0.05) is ingested once for this module; the profile runs on
DuckDB and on Spark in local mode, and every headline must agree: counts and other exact
values equal, floats within 1e-9 relative. The Spark tests are skipped, with the reason, only
when pyspark or Java is missing here; with ``VAWGSCOPE_REQUIRE_SPARK=1`` (as in CI) a Spark
that cannot start fails instead.
"""

from __future__ import annotations

import functools
import math
import os
import shutil
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import ibis
import pytest

from vawgscope import compare
from vawgscope.dataset import Dataset
from vawgscope.ingest import ingest
from vawgscope.options import Options
from vawgscope.profile import build_profile
from vawgscope.store import (
    StoreError,
    StoreInfo,
    connect,
    export_parquet,
    read_info,
    spark_available,
    spark_cache_dir,
    spark_session,
    store_table,
    use_database,
)

REQUIRE_SPARK = os.environ.get("VAWGSCOPE_REQUIRE_SPARK") == "1"
SPARK_MISSING = spark_available()

needs_spark = pytest.mark.skipif(
    SPARK_MISSING is not None and not REQUIRE_SPARK,
    reason=f"Spark cannot run here: {SPARK_MISSING}",
)


# --- comparing headlines -------------------------------------------------------------------


#: Differences in the headlines, each named from ``headlines``.
differences = functools.partial(compare.differences, path="headlines")


def test_differences_finds_what_differs() -> None:
    same = {"a": 1, "b": [0.1, {"c": "x"}], "d": None, "e": math.nan}
    assert (
        differences(same, {"a": 1, "b": [0.1 * (1 + 1e-12), {"c": "x"}], "d": None, "e": math.nan})
        == []
    )
    assert differences({"n": 3}, {"n": 3.0}) == []
    assert differences({"n": 3}, {"n": 4}) == ["headlines.n: 3 != 4"]
    assert differences({"f": 1.0}, {"f": 1.0 + 1e-8}) == ["headlines.f: 1.0 != 1.00000001"]
    assert differences({"f": 0.0}, {"f": 1e-300}) == ["headlines.f: 0.0 != 1e-300"]
    assert differences({"r": [1, 2]}, {"r": [2, 1]}) == [
        "headlines.r[0]: 1 != 2",
        "headlines.r[1]: 2 != 1",
    ]
    assert differences({"r": [1]}, {"r": [1, 2]}) == ["headlines.r: 1 items != 2 items"]
    assert differences({"a": 1}, {"b": 1}) == ["headlines: keys ['a'] != ['b']"]
    assert differences({"s": "x"}, {"s": None}) == ["headlines.s: 'x' != None"]
    assert differences({"b": True}, {"b": 1}) == ["headlines.b: True != 1"]


# --- the store's Parquet export (DuckDB only) ----------------------------------------------


@pytest.fixture(scope="module")
def small_store(small_world_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small demo world ingested into a store, once for this module."""
    folder = tmp_path_factory.mktemp("backends_store")
    store = folder / "store.duckdb"
    ingest(small_world_dir, store, secret_path=folder / "key" / "secret.key")
    return store


def _sorted_rows(con: duckdb.DuckDBPyConnection, source: str) -> list[tuple[Any, ...]]:
    return con.execute(f"SELECT * FROM {source} ORDER BY ALL").fetchall()


def test_parquet_export_holds_every_table_with_its_types(small_store: Path) -> None:
    info = read_info(small_store)
    folder = export_parquet(small_store, info)
    assert folder == spark_cache_dir(small_store) / info.fingerprint
    with duckdb.connect(str(small_store), read_only=True) as con:
        for table in info.tables:
            parquet = f"read_parquet('{folder / table / 'data.parquet'}')"
            original = con.execute(f"DESCRIBE {table}").fetchall()
            exported = con.execute(f"DESCRIBE SELECT * FROM {parquet}").fetchall()
            assert [(c[0], c[1]) for c in exported] == [(c[0], c[1]) for c in original], table
            assert _sorted_rows(con, parquet) == _sorted_rows(con, table), table
        crimes = f"read_parquet('{folder / 'crimes' / 'data.parquet'}')"
        kinds = dict(
            con.execute(
                f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {crimes})"
            ).fetchall()
        )
    assert kinds["occurred_from"] == "TIMESTAMP"
    assert kinds["recorded_date"] == "DATE"
    assert kinds["easting"] == "BIGINT"


def test_parquet_export_is_reused_and_older_exports_removed(small_store: Path) -> None:
    info = read_info(small_store)
    cache = spark_cache_dir(small_store)
    shutil.rmtree(cache, ignore_errors=True)
    stale = cache / "0000000000000000"
    (stale / "crimes").mkdir(parents=True)
    folder = export_parquet(small_store, info)
    assert not stale.exists()
    assert sorted(p.name for p in cache.iterdir()) == [info.fingerprint]
    stamp = (folder / "crimes" / "data.parquet").stat().st_mtime_ns
    assert export_parquet(small_store, info) == folder
    assert (folder / "crimes" / "data.parquet").stat().st_mtime_ns == stamp


def test_parquet_export_goes_to_a_shared_folder_when_asked(
    small_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VAWGSCOPE_SPARK_EXPORT_DIR", str(tmp_path / "shared"))
    cache = spark_cache_dir(small_store)
    assert cache.parent == tmp_path / "shared"
    assert cache.name.startswith(".store.duckdb-") and cache.name.endswith(".parquet")
    other = spark_cache_dir(small_store.parent / "elsewhere" / "store.duckdb")
    assert other != cache  # same file name, another folder: kept apart


def _warehouse_info(database: str, store: Path) -> StoreInfo:
    """What a warehouse user states: which contract tables the database holds, and the tier."""
    meta = read_info(store).meta
    return StoreInfo(Path(database), {"tables": meta["tables"], "tier": meta["tier"]})


def test_a_database_of_another_connection_serves_as_the_store(small_store: Path) -> None:
    """The warehouse route, on DuckDB: the store attached under another name."""
    con = ibis.duckdb.connect()
    con.attach(str(small_store), name="force_warehouse", read_only=True)
    ds = Dataset(use_database(con, "force_warehouse"), _warehouse_info("w", small_store), Options())
    assert ds.counts() == Dataset.open(small_store).counts()


def test_spark_backend_that_cannot_start_says_why(
    small_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import vawgscope.store as store_module

    monkeypatch.setattr(store_module, "spark_available", lambda: "no Java runtime (test)")
    with pytest.raises(StoreError, match="cannot start: no Java runtime"):
        connect(small_store, "pyspark")


def test_unknown_backend_is_refused(small_store: Path) -> None:
    with pytest.raises(StoreError, match="unknown backend 'sqlite'"):
        connect(small_store, "sqlite")  # type: ignore[arg-type]


# --- Spark -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spark(small_store: Path) -> Iterator[None]:
    """A local Spark session for this module, stopped at its end."""
    session = spark_session()
    yield
    session.stop()


def test_spark_starts_when_required() -> None:
    """CI sets VAWGSCOPE_REQUIRE_SPARK=1: there a missing pyspark or Java is a failure."""
    if not REQUIRE_SPARK:
        pytest.skip("VAWGSCOPE_REQUIRE_SPARK is not set to 1")
    assert SPARK_MISSING is None, f"Spark is required here but cannot run: {SPARK_MISSING}"
    session = spark_session()
    assert session.sql("SELECT 1 + 1 AS two").collect()[0]["two"] == 2


@needs_spark
def test_spark_reads_every_store_table_exactly(small_store: Path, spark: None) -> None:
    """Dates, timestamps, integers, floats, booleans and strings come back unchanged."""
    info = read_info(small_store)
    duck, spark_con = connect(small_store), connect(small_store, "pyspark")
    for table in info.tables:
        expected = store_table(duck, table)
        got = store_table(spark_con, table)
        assert _kinds(got) == _kinds(expected), table
        key = list(expected.columns)
        assert _python_rows(got.order_by(key)) == _python_rows(expected.order_by(key)), table


def _kinds(table: Any) -> dict[str, Any]:
    """Column types; a timestamp's scale is left out (Spark's are microseconds, unstated)."""
    return {
        name: ("timestamp", dtype.timezone) if dtype.is_timestamp() else dtype
        for name, dtype in table.schema().items()
    }


def _python_rows(expr: Any) -> list[tuple[Any, ...]]:
    return [tuple(_plain(v) for v in row.values()) for row in expr.to_pyarrow().to_pylist()]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date | float | int | str | bool) or value is None:
        return value
    raise AssertionError(f"unexpected value type {type(value).__name__}")


@needs_spark
def test_a_spark_catalog_database_serves_as_the_store(small_store: Path, spark: None) -> None:
    """The warehouse route, on Spark: contract tables in a catalog database of the session."""
    session = spark_session()
    folder = export_parquet(small_store, read_info(small_store))
    session.sql("CREATE DATABASE IF NOT EXISTS force_warehouse")
    for table in read_info(small_store).tables:
        session.sql(f"DROP TABLE IF EXISTS force_warehouse.{table}")
        session.sql(
            f"CREATE TABLE force_warehouse.{table} USING parquet "
            f"LOCATION '{(folder / table).as_uri()}'"
        )
    con = use_database(ibis.pyspark.connect(session), "force_warehouse")
    ds = Dataset(con, _warehouse_info("force_warehouse", small_store), Options())
    assert ds.counts() == Dataset.open(small_store).counts()


@needs_spark
def test_profile_headlines_equal_on_duckdb_and_spark(small_store: Path, spark: None) -> None:
    on_duckdb = build_profile(Dataset.open(small_store))
    on_spark = build_profile(Dataset.open(small_store, backend="pyspark"))
    assert on_duckdb["headlines"]["crimes_total"] > 1000  # the comparison is not of empties
    assert differences(on_duckdb["headlines"], on_spark["headlines"]) == []
    assert differences(on_duckdb["dataset"], on_spark["dataset"]) == []
