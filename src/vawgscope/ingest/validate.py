"""Validation of one contract table as SQL: typed values and the reasons a row is rejected.

For every contract column this module writes three expressions over the raw text of a staged
row: the cleaned text (trimmed, recoded, defaulted), the typed value, and an error message that
is NULL when the value is acceptable. :func:`checked_select` assembles them into one query that
yields each row's typed values and the list ``_errors`` of everything wrong with it.
"""

from __future__ import annotations

from dataclasses import dataclass

from vawgscope.contract.mapping import TableMapping
from vawgscope.contract.tables import LATITUDE_RANGE, LONGITUDE_RANGE, Column, Table
from vawgscope.ingest.sql import ident, literal, string_list

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
TIMESTAMP_FORMATS = (
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
)
_TRUE = ("true", "t", "yes", "y", "1")
_FALSE = ("false", "f", "no", "n", "0")


@dataclass(frozen=True)
class TableContext:
    """What validation needs beyond the table: the columns present and the dataset's tier."""

    table: Table
    mapping: TableMapping
    present: frozenset[str]  # contract (and lat/lon) columns the source provides
    crimes_only: bool = False


def _t(name: str) -> str:
    return ident(f"t_{name}")


def _v(name: str) -> str:
    return ident(f"v_{name}")


def _bound(value: float | str | None, kind: str) -> str | None:
    if value is None:
        return None
    if value == "today":
        return "current_date"
    if value == "this_year":
        return "year(current_date)"
    if kind in ("date", "timestamp"):
        return f"DATE {literal(str(value))}"
    return repr(value)


def _shown(text_expr: str) -> str:
    return f"'''' || left({text_expr}, 60) || ''''"


def clean_text(column: str, ctx: TableContext) -> str:
    """The trimmed, recoded, defaulted text of ``column`` (NULL when empty)."""
    mapping = ctx.mapping
    contract_column = ctx.table.columns_by_name.get(column)
    if column in ctx.present:
        expr = f"nullif(trim(CAST({ident(column)} AS VARCHAR)), '')"
        recode = mapping.recode.get(column)
        if recode:
            cases = " ".join(
                f"WHEN {literal(src)} THEN {literal(dst)}" for src, dst in recode.items()
            )
            expr = f"(CASE {expr} {cases} ELSE {expr} END)"
    else:
        expr = "CAST(NULL AS VARCHAR)"
    default = mapping.defaults.get(column)
    if default is None and contract_column is not None:
        default = contract_column.default
    if default is not None:
        expr = f"coalesce({expr}, {literal(default)})"
    return expr


def _typed(column: Column, ctx: TableContext) -> str:
    t = _t(column.name)
    fmt = ctx.mapping.formats.get(column.name)
    if column.kind == "date":
        formats = ((fmt,) if fmt else ()) + DATE_FORMATS + TIMESTAMP_FORMATS
        return f"CAST(try_strptime({t}, {string_list(formats)}) AS DATE)"
    if column.kind == "timestamp":
        formats = ((fmt,) if fmt else ()) + TIMESTAMP_FORMATS
        return f"try_strptime({t}, {string_list(formats)})"
    if column.kind == "int":
        as_int = f"try_cast({t} AS BIGINT)"
        whole = f"CASE WHEN try_cast({t} AS DOUBLE) = {as_int} THEN {as_int} END"
        if column.name == "birth_year":
            # A full date of birth is reduced to its year here, so it is never stored.
            formats = ((fmt,) if fmt else ()) + DATE_FORMATS + TIMESTAMP_FORMATS
            return f"coalesce({whole}, year(try_strptime({t}, {string_list(formats)})))"
        return whole
    if column.kind == "float":
        return f"try_cast({t} AS DOUBLE)"
    if column.kind == "bool":
        return (
            f"CASE WHEN lower({t}) IN {tuple(_TRUE)} THEN true "
            f"WHEN lower({t}) IN {tuple(_FALSE)} THEN false END"
        )
    if column.kind == "enum":
        assert column.vocabulary is not None
        lowered = string_list(v.lower() for v in column.vocabulary)
        return f"{string_list(column.vocabulary)}[list_position({lowered}, lower({t}))]"
    if column.kind == "list":
        assert column.vocabulary is not None
        items = f"list_transform(string_split({t}, ';'), lambda x: lower(trim(x)))"
        return f"array_to_string({items}, ';')"
    return t


def _type_error(column: Column, ctx: TableContext) -> str | None:
    t, v = _t(column.name), _v(column.name)
    got = _shown(t)
    expected = {
        "date": "a date (YYYY-MM-DD)",
        "timestamp": "a date and time (YYYY-MM-DDTHH:MM:SS)",
        "int": "a whole number",
        "float": "a number",
        "bool": "true or false",
    }
    if column.kind in expected:
        what = expected[column.kind]
        if column.name in ctx.mapping.formats:
            what += f" in the format {ctx.mapping.formats[column.name]}"
        return (
            f"CASE WHEN {t} IS NOT NULL AND {v} IS NULL THEN 'expected {what}, got ' || {got} END"
        )
    if column.kind == "enum":
        allowed = ", ".join(column.vocabulary or ())
        lowered = string_list(x.lower() for x in column.vocabulary or ())
        unknown = f"list_position({lowered}, lower({t})) IS NULL"
        message = f"'expected one of {allowed}; got ' || {got}"
        return f"CASE WHEN {t} IS NOT NULL AND {unknown} THEN {message} END"
    if column.kind == "list":
        allowed = string_list(column.vocabulary or ())
        bad = f"list_filter(string_split({v}, ';'), lambda x: NOT list_contains({allowed}, x))"
        return (
            f"CASE WHEN {t} IS NOT NULL AND len({bad}) > 0 THEN "
            f"'items must be among {', '.join(column.vocabulary or ())}; got ' || {got} END"
        )
    return None


def _range_error(column: Column) -> str | None:
    v = _v(column.name)
    low, high = _bound(column.minimum, column.kind), _bound(column.maximum, column.kind)
    dated = column.kind in ("date", "timestamp")
    parts = []
    if low is not None:
        words = (
            "is before the earliest plausible date" if dated else "is below the plausible minimum"
        )
        parts.append(
            f"WHEN {v} < {low} THEN CAST({v} AS VARCHAR) || ' {words} ' || CAST({low} AS VARCHAR)"
        )
    if high is not None:
        words = "is after the latest plausible date" if dated else "is above the plausible maximum"
        parts.append(
            f"WHEN {v} > {high} THEN CAST({v} AS VARCHAR) || ' {words} ' || CAST({high} AS VARCHAR)"
        )
    if not parts:
        return None
    return "CASE " + " ".join(parts) + " END"


def _required_error(column: Column, ctx: TableContext) -> str | None:
    if not column.required:
        return None
    if ctx.crimes_only and ctx.table.name == "crimes" and column.name == "domestic":
        return None
    return f"CASE WHEN {_t(column.name)} IS NULL THEN 'required value is empty' END"


def _prefixed(column: str, expr: str) -> str:
    return f"{literal(column + ': ')} || ({expr})"


def _cross_errors(ctx: TableContext) -> list[str]:
    """Checks that involve two columns of the same row."""
    table, present = ctx.table, ctx.present
    errors: list[str] = []
    if table.name == "crimes":
        errors.append(
            "CASE WHEN v_occurred_to < v_occurred_from THEN 'occurred_to: ' || "
            "CAST(v_occurred_to AS VARCHAR) || ' is before occurred_from ' || "
            "CAST(v_occurred_from AS VARCHAR) END"
        )
    if table.name == "periods":
        errors.append("CASE WHEN v_end_date < v_start_date THEN 'end_date: before start_date' END")
    if table.name == "population":
        errors.append(
            "CASE WHEN v_age IS NULL AND v_age_band IS NULL THEN "
            "'age: one of age or age_band must be given' END"
        )
    if table.name == "weather":
        errors.append(
            "CASE WHEN v_tmax_c IS NULL AND v_tmean_c IS NULL THEN "
            "'tmax_c: one of tmax_c or tmean_c must be given' END"
        )
    for lat, lon, east, north in table.lat_lon:
        errors.append(
            f"CASE WHEN ({_v(east)} IS NULL) <> ({_v(north)} IS NULL) THEN "
            f"'{east}: {east} and {north} must be given together' END"
        )
        if lat in present and lon in present:
            errors.append(
                f"CASE WHEN ({_v(lat)} IS NULL) <> ({_v(lon)} IS NULL) THEN "
                f"'{lat}: {lat} and {lon} must be given together' END"
            )
    return errors


def _lat_lon_columns(ctx: TableContext) -> list[Column]:
    """WGS84 columns the source gives, checked like contract columns and converted later."""
    cols = []
    for lat, lon, _east, _north in ctx.table.lat_lon:
        if lat in ctx.present or lon in ctx.present:
            low, high = LATITUDE_RANGE
            cols.append(Column(lat, "float", "latitude (WGS84)", minimum=low, maximum=high))
            low, high = LONGITUDE_RANGE
            cols.append(Column(lon, "float", "longitude (WGS84)", minimum=low, maximum=high))
    return cols


def checked_select(source: str, ctx: TableContext, extras: list[str]) -> str:
    """SQL yielding ``_file, _row``, typed contract columns, extras and ``_errors``.

    ``source`` names the staged table of raw text. Latitude/longitude, when given, are checked
    and kept as columns, for :func:`vawgscope.ingest.geo.fill_bng` to convert.
    """
    table = ctx.table
    columns = list(table.columns) + _lat_lon_columns(ctx)
    text_cols = ", ".join(f"{clean_text(c.name, ctx)} AS {_t(c.name)}" for c in columns)
    extra_cols = "".join(f", {ident(x)}" for x in extras)
    typed = []
    for c in columns:
        expr = _typed(c, ctx)
        if table.name == "crimes" and c.name == "time_precision":
            # A start time given as a bare date is known to the day, not to the minute.
            guess = "CASE WHEN length(t_occurred_from) = 10 THEN 'day' ELSE 'exact' END"
            expr = f"coalesce({expr}, {guess})"
        typed.append(f"{expr} AS {_v(c.name)}")
    checks = []
    for c in columns:
        for err in (_required_error(c, ctx), _type_error(c, ctx), _range_error(c)):
            if err is not None:
                checks.append(f"CASE WHEN ({err}) IS NOT NULL THEN {_prefixed(c.name, err)} END")
    checks.extend(_cross_errors(ctx))
    errors = f"list_filter([{', '.join(checks)}], lambda e: e IS NOT NULL)" if checks else "[]"

    outputs = []
    for c in table.columns:
        value = _v(c.name)
        if table.name == "crimes" and c.name == "occurred_to":
            value = f"coalesce({value}, v_occurred_from)"
        outputs.append(f"CAST({value} AS {c.storage_type}) AS {ident(c.name)}")
    outputs += [f"{_v(c.name)} AS {ident(c.name)}" for c in columns[len(table.columns) :]]
    return f"""
WITH cleaned AS (
  SELECT _file, _row, {text_cols}{extra_cols} FROM {source}
), typed AS (
  SELECT *, {", ".join(typed)} FROM cleaned
)
SELECT _file, _row, {", ".join(outputs)}{extra_cols}, {errors} AS _errors FROM typed
"""
