"""The store: a DuckDB file written by ingest, opened through Ibis for the analyses.

Analyses never open the file themselves; they take a :class:`vawgscope.dataset.Dataset`,
which :func:`connect` backs with an engine. DuckDB is the default engine. With ``--backend
pyspark`` the same Ibis expressions run on Spark: Spark cannot read a DuckDB file, so the
store's tables are exported once to Parquet beside the store (one folder per store content
fingerprint, reused on later runs) and registered as Spark tables of the same names.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import re
import shutil
import tempfile
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import duckdb
import ibis
import ibis.expr.types as ir
from ibis.backends import BaseBackend

from vawgscope.ingest.run import META_TABLE, TWO_ROLES_KEY

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

Backend = Literal["duckdb", "pyspark"]
BACKENDS: tuple[str, ...] = ("duckdb", "pyspark")
STORE_ALIAS = "store"

#: Spark settings for every run, on this machine or a cluster (``--spark-master``). The
#: session's clock is UTC so timestamps keep the wall-clock values the store holds; no web UI
#: is started and nothing is fetched (no ``spark.jars.packages``).
SPARK_CONF: dict[str, str] = {
    "spark.app.name": "vawgscope",
    "spark.sql.session.timeZone": "UTC",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}
#: Settings for local mode only: the driver does all the work on two cores and listens on
#: loopback. A profile sends a few hundred small aggregate queries, so fixed small shuffles
#: (two partitions, one a core) beat adaptive re-planning, which costs more than it saves.
SPARK_LOCAL_CONF: dict[str, str] = {
    "spark.driver.memory": os.environ.get("VAWGSCOPE_SPARK_DRIVER_MEMORY", "2g"),
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.sql.adaptive.enabled": "false",
}
LOCAL_MASTER = "local[2]"


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

    @property
    def perpetrators_in_two_roles(self) -> bool:
        """Whether any person is linked to a crime as both suspect and offender (true when
        ingest did not count them, e.g. for a warehouse's tables)."""
        return self.meta.get(TWO_ROLES_KEY, "") != "0"


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
    """An Ibis connection in which the store's tables are readable with :func:`store_table`.

    DuckDB: the store is attached read-only to an in-memory database, so the scope and other
    working tables are temporary and the store file is never changed by an analysis.

    Spark: a session on ``spark_master`` (``local[2]`` when None) reads the store's Parquet
    export (see :func:`export_parquet`) as tables of a Spark database named after the
    store's fingerprint; working tables are cached temporary views.
    """
    if backend == "duckdb":
        # Working tables live in memory up to the limit, then spill to a private folder
        # (DuckDB would otherwise spill into the current directory).
        spill = Path(tempfile.mkdtemp(prefix="vawgscope-spill-"))
        atexit.register(shutil.rmtree, spill, ignore_errors=True)
        con = ibis.duckdb.connect(
            threads=2,
            memory_limit=profile_memory_limit(),
            temp_directory=str(spill),
        )
        con.raw_sql("SET enable_progress_bar = false")  # the command line shows its own
        con.attach(str(path), name=STORE_ALIAS, read_only=True)
        return con
    if backend == "pyspark":
        return _connect_spark(path, spark_master)
    raise StoreError(f"unknown backend {backend!r}; expected one of {', '.join(BACKENDS)}")


def profile_memory_limit() -> str:
    """The engine's memory ceiling for a profile: ``VAWGSCOPE_PROFILE_MEMORY_LIMIT`` (e.g.
    ``6GB``) when set, else half the machine's memory up to 8 GB, so a national-size run
    leaves room for the rest of the machine and spills its working tables beyond it."""
    given = os.environ.get("VAWGSCOPE_PROFILE_MEMORY_LIMIT")
    if given:
        return given
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # no sysconf (Windows): a fixed ceiling
        return "4GB"
    return f"{min(8 * 1024, physical // 2 // 2**20)}MB"


def store_table(con: BaseBackend, name: str) -> ir.Table:
    """The store's table ``name`` as an Ibis expression."""
    return con.table(name, database=_DATABASES.get(con, STORE_ALIAS))


def use_database(con: BaseBackend, database: str | tuple[str, str]) -> BaseBackend:
    """Read the store's tables from ``database`` (or ``(catalog, database)``) of ``con``.

    For an Ibis connection made outside vawgscope, e.g. to a force's warehouse whose
    database holds the contract tables (``crimes``, ``persons``, ``crime_persons``, ...)
    under their contract names and types. Returns ``con``.
    """
    _DATABASES[con] = database
    return con


def materialise(con: BaseBackend, name: str, expr: ir.Table) -> ir.Table:
    """Compute ``expr`` now and keep the result in the engine as a temporary table ``name``.

    DuckDB (and other engines): a temporary table. Spark: a cached DataFrame registered as
    a temporary view; the view is made from the cached DataFrame itself (not from SQL text),
    so later queries find the cache even when the plan holds a common table expression,
    which Spark would otherwise re-analyse with new identities and never match.
    """
    if con.name != "pyspark":
        return con.create_table(name, expr, temp=True)
    con._run_pre_execute_hooks(expr)  # registers the in-memory tables the expression reads
    frame = con._session.sql(con.compile(expr)).cache()  # type: ignore[attr-defined]
    frame.count()
    frame.createOrReplaceTempView(name)
    return con.table(name)


#: Where each connection's store tables are, when not in ``STORE_ALIAS`` (DuckDB's attached
#: store): the Spark database over the Parquet export, or a warehouse's database.
_DATABASES: weakref.WeakKeyDictionary[BaseBackend, str | tuple[str, str]] = (
    weakref.WeakKeyDictionary()
)


# --- Spark ----------------------------------------------------------------------------------


def spark_available() -> str | None:
    """None when the Spark engine can start here, else the reason it cannot."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (install the `spark` extra: uv sync --extra spark)"
    java_home = os.environ.get("JAVA_HOME")
    if not (java_home and Path(java_home, "bin", "java").exists()) and not shutil.which("java"):
        return "no Java runtime (Spark needs Java 17 or later on PATH or in JAVA_HOME)"
    return None


def spark_session(master: str | None = None) -> SparkSession:
    """The process's Spark session, started on ``master`` (``local[2]`` when None).

    Spark allows one session per process: a second call returns the running session,
    whatever master it was started on.
    """
    reason = spark_available()
    if reason is not None:
        raise StoreError(f"the pyspark backend cannot start: {reason}")
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    # Spark's own working files (an empty catalogue folder, the log settings) live in a
    # folder of their own, removed when the process ends.
    scratch = Path(tempfile.mkdtemp(prefix="vawgscope-spark-"))
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    settings = {**SPARK_CONF, "spark.sql.warehouse.dir": str(scratch / "warehouse")}
    if not master:
        # Local mode talks to itself only: bind to loopback without asking the network.
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        logging = scratch / "log4j2.properties"
        logging.write_text(_SPARK_LOGGING, encoding="utf-8")
        settings |= SPARK_LOCAL_CONF
        settings["spark.driver.extraJavaOptions"] = f"-Dlog4j2.configurationFile={logging.as_uri()}"
    builder = SparkSession.builder.master(master or LOCAL_MASTER)
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as error:  # the JVM's errors arrive as several exception types
        raise StoreError(f"the pyspark backend cannot start: {error}") from error
    session.sparkContext.setLogLevel("ERROR")
    return session


#: Local mode logs errors only (Spark's default prints its start-up chatter as warnings).
_SPARK_LOGGING = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n%ex
"""


def spark_cache_dir(path: Path) -> Path:
    """The folder that holds the store's Parquet exports, one per fingerprint.

    Beside the store, or in ``$VAWGSCOPE_SPARK_EXPORT_DIR`` when set (for a cluster, a shared
    folder every Spark worker reads at the same path).
    """
    store = path.resolve()
    shared = os.environ.get("VAWGSCOPE_SPARK_EXPORT_DIR")
    if not shared:
        return store.parent / f".{store.name}.parquet"
    # Stores of the same name in different folders keep apart in the shared folder.
    where = hashlib.sha256(str(store).encode()).hexdigest()[:8]
    return Path(shared).expanduser().resolve() / f".{store.name}-{where}.parquet"


def export_parquet(path: Path, info: StoreInfo) -> Path:
    """Export every store table to ``TABLE/data.parquet`` in a folder keyed by fingerprint.

    An export already present for this fingerprint is reused; exports of older store
    contents are removed. The folder appears complete or not at all (written beside it and
    renamed into place). Types carry over as they are: DATE stays a date, TIMESTAMP a
    timestamp without time zone, BIGINT a 64-bit integer.
    """
    cache = spark_cache_dir(path)
    key = _export_key(path, info)
    target = cache / key
    if (target / "_complete").is_file():
        return target
    try:
        cache.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=cache))
    except OSError as error:
        raise StoreError(
            f"{cache}: cannot write the store's Parquet export for Spark ({error.strerror}); "
            "set VAWGSCOPE_SPARK_EXPORT_DIR to a folder you can write"
        ) from None
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            for table in info.tables:
                (work / table).mkdir()
                out = str(work / table / "data.parquet").replace("'", "''")
                con.execute(f"COPY (SELECT * FROM \"{table}\") TO '{out}' (FORMAT parquet)")
        (work / "_complete").write_text(key + "\n", encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        os.replace(work, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for stale in cache.iterdir():
        if stale.is_dir() and stale.name != key and not stale.name.startswith("."):
            shutil.rmtree(stale, ignore_errors=True)
    return target


def _export_key(path: Path, info: StoreInfo) -> str:
    """The store's content fingerprint (a store without one: its size and change time)."""
    if info.fingerprint:
        return re.sub(r"[^0-9a-z]", "_", info.fingerprint.lower())
    stat = path.stat()
    return f"unfingerprinted_{stat.st_size:x}_{stat.st_mtime_ns:x}"


def _connect_spark(path: Path, master: str | None) -> BaseBackend:
    info = read_info(path)
    session = spark_session(master)
    folder = export_parquet(path, info)
    con = ibis.pyspark.connect(session)
    database = f"{STORE_ALIAS}_{_export_key(path, info)}"
    _register_parquet_tables(session, database, folder, info.tables)
    return use_database(con, database)


def _register_parquet_tables(
    session: Any, database: str, folder: Path, tables: tuple[str, ...]
) -> None:
    """(Re)create ``database.TABLE`` over each exported table's Parquet folder."""
    session.sql(f"CREATE DATABASE IF NOT EXISTS `{database}`")
    for table in tables:
        location = (folder / table).as_uri().replace("'", "\\'")
        session.sql(f"DROP TABLE IF EXISTS `{database}`.`{table}`")
        session.sql(f"CREATE TABLE `{database}`.`{table}` USING parquet LOCATION '{location}'")
